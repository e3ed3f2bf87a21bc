/** The signed-in person's own account: who they are here, their password, and their authenticator. */
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client';
import { useSession } from '../app/session';
import { NewPasswordFields, TotpEnrolment } from '../ui/credentials';
import { Field } from '../ui/Field';
import { useAction } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';

export function AccountPage() {
  const { session } = useSession();
  const { username, role, desks } = session.user;
  const [enrolled, setEnrolled] = useState('');
  const authenticatorId = useId();
  return (
    <>
      <PageHeading title="Your account" />
      <dl className="facts">
        <dt>Username</dt>
        <dd>{username}</dd>
        <dt>Role</dt>
        <dd>{role}</dd>
        <dt>Desks</dt>
        <dd>{desks.length === 0 ? 'not scoped by desk' : desks.join(', ')}</dd>
      </dl>
      <div className="account-columns">
        <ChangePassword />
        <section aria-labelledby={authenticatorId} className="panel">
          <h2 id={authenticatorId}>Authenticator</h2>
          <p>
            Enrol an authenticator app, or move to a new one (a new phone). The new secret replaces the old one only
            once you confirm a code from it.
          </p>
          <TotpEnrolment
            confirm={async (code) => {
              setEnrolled('');
              await api('POST', '/api/v1/session/totp/confirm', { code });
              setEnrolled('Your authenticator is enrolled: sign in with its codes from now on.');
            }}
          />
          <StatusLine>{enrolled}</StatusLine>
        </section>
      </div>
    </>
  );
}

function ChangePassword() {
  const headingId = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState('');
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone('');
    if (next !== repeat) {
      action.setError(new Error('The two new passwords differ.'));
      return;
    }
    void action.run(async () => {
      await api('POST', '/api/v1/session/password', { current, next });
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone('Your password was changed. Your sessions elsewhere were signed out.');
    });
  };
  return (
    <section aria-labelledby={headingId} className="panel">
      <h2 id={headingId}>Password</h2>
      <form onSubmit={submit}>
        <Field
          label="Current password"
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
      <StatusLine>{done}</StatusLine>
    </section>
  );
}
