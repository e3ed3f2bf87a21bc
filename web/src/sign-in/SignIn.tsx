/**
 * Signing in, stage by stage as the session says (docs/console.md): the password, then a TOTP code,
 * then replacing a one-time password, then enrolling an authenticator; only then is the session ready.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import type { Session } from '../api/types';
import { CodeField, NewPasswordFields, TotpEnrolment } from '../ui/credentials';
import { Field } from '../ui/Field';
import { useAction } from '../ui/hooks';
import { ErrorMessage } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';

interface Props {
  session: Session | null;
  /** Why the reader is here again: their session ended. */
  notice: string | null;
  onSession: (session: Session) => void;
  onCancel: () => void;
}

/** Each step answers the session as it now stands; should one answer something else, ask for it. */
async function sessionAfter(answer: unknown): Promise<Session> {
  const looksLikeSession =
    typeof answer === 'object' && answer !== null && 'stage' in answer && 'csrfToken' in answer && 'user' in answer;
  return looksLikeSession ? (answer as Session) : api<Session>('GET', '/api/v1/session');
}

export function SignIn({ session, notice, onSession, onCancel }: Props) {
  const step = async (path: string, body?: unknown) => onSession(await sessionAfter(await api('POST', path, body)));
  return (
    <main id="main" className="sign-in" tabIndex={-1}>
      <div className="card">
        {session === null ? (
          <PasswordStep notice={notice} step={step} />
        ) : (
          <>
            {session.stage === 'totp' && <TotpStep step={step} />}
            {session.stage === 'change-password' && <ChangePasswordStep step={step} />}
            {session.stage === 'enroll-totp' && <EnrollStep step={step} />}
            <p className="signed-in-as">
              Signing in as <strong>{session.user.username}</strong>.{' '}
              <button type="button" className="link-button" onClick={onCancel}>
                Cancel and sign out
              </button>
            </p>
          </>
        )}
      </div>
    </main>
  );
}

type Step = (path: string, body?: unknown) => Promise<void>;

function PasswordStep({ notice, step }: { notice: string | null; step: Step }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(() => step('/api/v1/session', { username, password }));
  };
  return (
    <form onSubmit={submit}>
      <PageHeading title="Sign in to Steno" />
      {notice !== null && <p className="notice">{notice}</p>}
      <Field label="Username" value={username} onChange={setUsername} autoComplete="username" required />
      <Field
        label="Password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="current-password"
        required
      />
      <ErrorMessage error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        {action.busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function TotpStep({ step }: { step: Step }) {
  const [code, setCode] = useState('');
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(() => step('/api/v1/session/totp', { code }));
  };
  return (
    <form onSubmit={submit}>
      <PageHeading title="Two-factor code" />
      <CodeField value={code} onChange={setCode} />
      <ErrorMessage error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        Continue
      </button>
    </form>
  );
}

function ChangePasswordStep({ step }: { step: Step }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (next !== repeat) {
      action.setError(new Error('The two new passwords differ.'));
      return;
    }
    void action.run(() => step('/api/v1/session/password', { current, next }));
  };
  return (
    <form onSubmit={submit}>
      <PageHeading title="Choose a password" />
      <p>Replace the one-time password you were given with one of your own.</p>
      <Field
        label="One-time password"
        type="password"
        value={current}
        onChange={setCurrent}
        autoComplete="current-password"
        required
      />
      <NewPasswordFields next={next} repeat={repeat} onNext={setNext} onRepeat={setRepeat} />
      <ErrorMessage error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        Change password
      </button>
    </form>
  );
}

function EnrollStep({ step }: { step: Step }) {
  return (
    <div>
      <PageHeading title="Set up two-factor sign-in" />
      <p>
        Steno asks for a code from an authenticator app at every sign-in. Create a secret, add it to your app, then
        enter the code the app shows.
      </p>
      <TotpEnrolment confirm={(code) => step('/api/v1/session/totp/confirm', { code })} />
    </div>
  );
}
