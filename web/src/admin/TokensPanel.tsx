/** API tokens for machines (capture connectors, scripts): create (shown once), list, revoke. */
import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import { type ApiToken, TOKEN_SCOPES } from '../api/types';
import { ConfirmButton } from '../ui/ConfirmButton';
import { CheckField, Field } from '../ui/Field';
import { formatTime } from '../ui/format';
import { useAction, useLoad } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { OneTimeSecret } from '../ui/OneTimeSecret';

const SCOPE_HINTS: Record<(typeof TOKEN_SCOPES)[number], string> = {
  ingest: 'ingest: write messages',
  read: 'read: the archive, orders, alerts, the policy',
  review: 'review: work alerts, run the rules',
  admin: 'admin: set the surveillance policy',
};

export function TokensPanel() {
  const tokens = useLoad<{ tokens: ApiToken[] }>('/api/v1/tokens');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [status, setStatus] = useState('');
  const revoke = useAction();

  const revokeToken = (name: string) =>
    void revoke.run(async () => {
      await api('DELETE', `/api/v1/tokens/${encodeURIComponent(name)}`);
      setStatus(`Token ${name} revoked.`);
      tokens.reload();
    });

  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      {created !== null && (
        <OneTimeSecret
          title={`Token ${created.name}`}
          secret={created.token}
          advice="Store it where the system that uses it reads its secrets (Authorization: Bearer …)."
          onDismiss={() => setCreated(null)}
        />
      )}
      <CreateToken
        onCreated={(name, token) => {
          setCreated({ name, token });
          setStatus(`Token ${name} created.`);
          tokens.reload();
        }}
      />
      <StatusLine>{status}</StatusLine>
      <ErrorMessage error={tokens.error ?? revoke.error} />
      {tokens.data !== undefined && tokens.data.tokens.length === 0 && <p className="empty">No tokens yet.</p>}
      {tokens.data !== undefined && tokens.data.tokens.length > 0 && (
        <table className="data">
          <caption className="visually-hidden">API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Revoked</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.tokens.map((token) => (
              <tr key={token.name + token.createdAt}>
                <th scope="row">{token.name}</th>
                <td>{token.scopes.join(', ')}</td>
                <td>{formatTime(token.createdAt)}</td>
                <td>{token.revokedAt ? formatTime(token.revokedAt) : ''}</td>
                <td>
                  {!token.revokedAt && (
                    <ConfirmButton
                      label="Revoke…"
                      confirmLabel={`Revoke ${token.name}`}
                      disabled={revoke.busy}
                      onConfirm={() => revokeToken(token.name)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CreateToken({ onCreated }: { onCreated: (name: string, token: string) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['ingest']);
  const create = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void create.run(async () => {
      const answer = await api<{ token: string; info: ApiToken }>('POST', '/api/v1/tokens', {
        name: name.trim(),
        scopes,
      });
      onCreated(answer.info.name, answer.token);
      setName('');
    });
  };
  return (
    <details className="panel">
      <summary>Create a token</summary>
      <form onSubmit={submit}>
        <Field
          label="Name"
          value={name}
          onChange={setName}
          required
          pattern="[A-Za-z0-9._\-]{1,64}"
          hint="1 to 64 letters, digits, “.”, “_” or “-”: what the token is for, e.g. whatsapp-capture."
        />
        <fieldset>
          <legend>Scopes</legend>
          {TOKEN_SCOPES.map((scope) => (
            <CheckField
              key={scope}
              label={SCOPE_HINTS[scope]}
              checked={scopes.includes(scope)}
              onChange={(on) => setScopes(on ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
            />
          ))}
        </fieldset>
        <ErrorMessage error={create.error} />
        <button type="submit" className="primary" disabled={create.busy || scopes.length === 0}>
          Create token
        </button>
      </form>
    </details>
  );
}
