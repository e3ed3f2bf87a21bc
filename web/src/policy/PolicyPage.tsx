/**
 * The surveillance policy in force (which rules run, at what severity, with what thresholds), as the
 * ledger recorded it. Admins change it here: each change is a new version, which every alert it raises
 * names.
 */
import { type FormEvent, useId, useState } from 'react';
import { ApiError, api } from '../api/client';
import type { PolicyInForce } from '../api/types';
import { useSession } from '../app/session';
import { formatTime } from '../ui/format';
import { useAction, useLoad } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';

export function PolicyPage() {
  const { session } = useSession();
  const canEdit = session.user.role === 'admin';
  const policy = useLoad<PolicyInForce>('/api/v1/policy');
  const [saved, setSaved] = useState('');
  const none = policy.error instanceof ApiError && policy.error.status === 404;
  const current = policy.data ?? null;
  const inForceId = useId();
  return (
    <>
      <PageHeading title="Policy" />
      <StatusLine>{policy.loading ? 'Loading the policy…' : saved}</StatusLine>
      {none ? (
        <p>
          No policy is recorded yet: the default policy is recorded when the rules first run
          {canEdit ? ', or a policy when you save one below' : ''}.
        </p>
      ) : (
        <ErrorMessage error={policy.error} />
      )}
      {current !== null && (
        <section aria-labelledby={inForceId}>
          <h2 id={inForceId}>In force</h2>
          <dl className="facts">
            <dt>Version</dt>
            <dd>{current.version} (its ledger record)</dd>
            <dt>Recorded</dt>
            <dd>
              <time dateTime={current.recordedAt}>{formatTime(current.recordedAt)}</time>
            </dd>
            <dt>By</dt>
            <dd>{current.by}</dd>
            {current.file !== null && (
              <>
                <dt>From</dt>
                <dd>{current.file}</dd>
              </>
            )}
          </dl>
          <pre className="json">{JSON.stringify(current.policy, null, 2)}</pre>
        </section>
      )}
      {canEdit && (current !== null || none) && (
        <PolicyEditor
          key={current?.version ?? 'none'}
          current={current}
          onSaved={(message) => {
            setSaved(message);
            policy.reload();
          }}
        />
      )}
    </>
  );
}

/** A new policy, written as JSON; what it leaves out is the default. */
function PolicyEditor({ current, onSaved }: { current: PolicyInForce | null; onSaved: (message: string) => void }) {
  const [text, setText] = useState(() => JSON.stringify(current?.policy ?? { rules: {} }, null, 2));
  const save = useAction();
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      save.setError(new Error(`The policy is not valid JSON: ${error instanceof Error ? error.message : error}`));
      return;
    }
    void save.run(async () => {
      const answer = await api<PolicyInForce>('PUT', '/api/v1/policy', value);
      onSaved(
        answer.version === current?.version
          ? 'Nothing changed: that is the policy in force.'
          : `Saved: the policy in force is now version ${answer.version}.`,
      );
    });
  };
  return (
    <details className="panel" open={current === null}>
      <summary>Change the policy</summary>
      <form onSubmit={submit} className="policy-editor">
        <div className="field">
          <label htmlFor={id}>Policy (JSON)</label>
          <textarea
            id={id}
            className="code"
            value={text}
            onChange={(event) => setText(event.target.value)}
            rows={24}
            spellCheck={false}
            aria-describedby={`${id}-hint`}
          />
          <span className="hint" id={`${id}-hint`}>
            <code>rules</code> sets each rule's <code>enabled</code> and <code>severity</code>; <code>thresholds</code>{' '}
            the limits of each rule that has them. What is left out is the default.
          </span>
        </div>
        <Problems error={save.error} />
        <button type="submit" className="primary" disabled={save.busy}>
          Save
        </button>
      </form>
    </details>
  );
}

/** Why the server refused the policy: each problem on a line of its own, named by where it is. */
function Problems({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || error.problems.length === 0) return <ErrorMessage error={error} />;
  return (
    <div className="error" role="alert">
      <p>The policy was not saved:</p>
      <ul className="problems">
        {error.problems.map((p) => (
          <li key={`${p.where} ${p.message}`}>
            <code>{p.where}</code>: {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
