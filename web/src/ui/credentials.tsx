/**
 * The parts of choosing a password and enrolling an authenticator that signing in (first time) and the
 * account page share.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import { Field } from './Field';
import { useAction } from './hooks';
import { ErrorMessage, StatusLine } from './Messages';

export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 200;

export function CodeField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <Field
      label="Six-digit code"
      value={value}
      onChange={(next) => onChange(next.replace(/\D/g, ''))}
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
      hint="From your authenticator app."
    />
  );
}

/** A new password, typed twice. */
export function NewPasswordFields({
  next,
  repeat,
  onNext,
  onRepeat,
}: {
  next: string;
  repeat: string;
  onNext: (value: string) => void;
  onRepeat: (value: string) => void;
}) {
  return (
    <>
      <Field
        label="New password"
        type="password"
        value={next}
        onChange={onNext}
        autoComplete="new-password"
        minLength={MIN_PASSWORD}
        maxLength={MAX_PASSWORD}
        required
        hint={`${MIN_PASSWORD} to ${MAX_PASSWORD} characters.`}
      />
      <Field
        label="New password again"
        type="password"
        value={repeat}
        onChange={onRepeat}
        autoComplete="new-password"
        required
      />
    </>
  );
}

/**
 * Enrolling an authenticator: a new secret, shown as text to type or paste into the app, which counts
 * only once a code from it is confirmed (until then the one enrolled before, if any, stays in use).
 */
export function TotpEnrolment({ confirm }: { confirm: (code: string) => Promise<void> }) {
  const [secret, setSecret] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState('');
  const create = useAction();
  const confirming = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void confirming.run(async () => {
      await confirm(code);
      setSecret(null);
      setCode('');
    });
  };
  return (
    <>
      <button
        type="button"
        disabled={create.busy}
        onClick={() =>
          void create.run(async () => {
            setSecret(await api<{ secret: string; uri: string }>('POST', '/api/v1/session/totp/setup'));
            setCode('');
          })
        }
      >
        {secret === null ? 'Create a secret' : 'Create a new secret'}
      </button>
      <ErrorMessage error={create.error} />
      {secret !== null && (
        <>
          <StatusLine>A new secret was created. It works once you confirm it with a code.</StatusLine>
          <dl className="secret">
            <dt>Secret key (type it into the app)</dt>
            <dd>
              <code data-testid="totp-secret">{secret.secret}</code>
            </dd>
            <dt>Setup address</dt>
            <dd>
              <code className="wrap" data-testid="totp-uri">
                {secret.uri}
              </code>
            </dd>
          </dl>
          <form onSubmit={submit}>
            <CodeField value={code} onChange={setCode} />
            <ErrorMessage error={confirming.error} />
            <button type="submit" className="primary" disabled={confirming.busy}>
              Confirm
            </button>
          </form>
        </>
      )}
    </>
  );
}
