/** Users: create one (the one-time password is shown once), change role, desks or access, reset. */
import { type FormEvent, Fragment, useState } from 'react';
import { api } from '../api/client';
import { ROLES, type Role, type User } from '../api/types';
import { useSession } from '../app/session';
import { ConfirmButton } from '../ui/ConfirmButton';
import { Field, optionsOf, SelectField } from '../ui/Field';
import { formatTime } from '../ui/format';
import { useAction, useLoad } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { OneTimeSecret } from '../ui/OneTimeSecret';
import { DeskPicker } from './DeskPicker';

/** Roles that read messages are scoped by desk; the others see every desk or none. */
const DESK_SCOPED: readonly Role[] = ['reviewer', 'supervisor'];

const userPath = (username: string) => `/api/v1/users/${encodeURIComponent(username)}`;

export function UsersPanel() {
  const { session } = useSession();
  const users = useLoad<{ users: User[] }>('/api/v1/users');
  const desks = useLoad<{ desks: string[] }>('/api/v1/desks');
  const knownDesks = desks.data?.desks ?? [];
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const change = useAction();

  const patch = (user: User, body: Partial<Pick<User, 'role' | 'desks' | 'disabled'>>, done: string) =>
    change.run(async () => {
      await api('PATCH', userPath(user.username), body);
      setEditing(null);
      setStatus(done);
      users.reload();
    });

  const reset = (user: User) =>
    void change.run(async () => {
      const answer = await api<{ oneTimePassword: string }>('POST', `${userPath(user.username)}/reset`);
      setSecret({ username: user.username, password: answer.oneTimePassword });
      setStatus(`${user.username}: password reset, two-factor removed, sessions ended.`);
      users.reload();
    });

  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      {secret !== null && (
        <OneTimeSecret
          title={`One-time password for ${secret.username}`}
          secret={secret.password}
          advice="Give it to them by a channel you trust; they choose their own password at their first sign-in."
          onDismiss={() => setSecret(null)}
        />
      )}
      <CreateUser
        knownDesks={knownDesks}
        onCreated={(username, password) => {
          setSecret({ username, password });
          setStatus(`${username} created.`);
          users.reload();
        }}
      />
      <StatusLine>{status}</StatusLine>
      <ErrorMessage error={users.error ?? desks.error ?? change.error} />
      {users.data !== undefined && (
        <table className="data">
          <caption className="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Role</th>
              <th scope="col">Desks</th>
              <th scope="col">Two-factor</th>
              <th scope="col">Access</th>
              <th scope="col">Created</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data.users.map((user) => (
              <Fragment key={user.username}>
                <tr>
                  <th scope="row">{user.username}</th>
                  <td>{user.role}</td>
                  <td>{user.desks.join(', ')}</td>
                  <td>{user.totpEnrolled ? 'enrolled' : 'not enrolled'}</td>
                  <td>{user.disabled ? 'disabled' : user.locked ? 'locked' : 'active'}</td>
                  <td>{formatTime(user.createdAt)}</td>
                  <td>{user.lastSignInAt === null ? 'never' : formatTime(user.lastSignInAt)}</td>
                  <td className="row-actions">
                    {user.username === session.user.username ? (
                      // Changing one's own role or access could leave the firm without an admin.
                      <span className="muted">you</span>
                    ) : (
                      <>
                        <button
                          type="button"
                          aria-label={`Edit ${user.username}`}
                          onClick={() => setEditing(editing === user.username ? null : user.username)}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          disabled={change.busy}
                          aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`}
                          onClick={() =>
                            void patch(
                              user,
                              { disabled: !user.disabled },
                              `${user.username} ${user.disabled ? 'enabled' : 'disabled'}.`,
                            )
                          }
                        >
                          {user.disabled ? 'Enable' : 'Disable'}
                        </button>
                        <ConfirmButton
                          label="Reset…"
                          confirmLabel={`Reset ${user.username}`}
                          disabled={change.busy}
                          onConfirm={() => reset(user)}
                        />
                      </>
                    )}
                  </td>
                </tr>
                {editing === user.username && (
                  <tr className="edit-row">
                    <td colSpan={8}>
                      <EditUser
                        user={user}
                        knownDesks={knownDesks}
                        busy={change.busy}
                        onSave={(body) => void patch(user, body, `${user.username} changed.`)}
                        onCancel={() => setEditing(null)}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CreateUser({
  knownDesks,
  onCreated,
}: {
  knownDesks: readonly string[];
  onCreated: (username: string, oneTimePassword: string) => void;
}) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('reviewer');
  const [desks, setDesks] = useState<string[]>([]);
  const create = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void create.run(async () => {
      const answer = await api<{ user: User; oneTimePassword: string }>('POST', '/api/v1/users', {
        username: username.trim(),
        role,
        desks: DESK_SCOPED.includes(role) ? desks : [],
      });
      onCreated(answer.user.username, answer.oneTimePassword);
      setUsername('');
      setDesks([]);
    });
  };
  return (
    <details className="panel">
      <summary>Create a user</summary>
      <form onSubmit={submit}>
        <Field label="Username" value={username} onChange={setUsername} required autoComplete="off" />
        <SelectField label="Role" value={role} onChange={(r) => setRole(r as Role)} options={optionsOf(ROLES)} />
        {DESK_SCOPED.includes(role) && <DeskPicker known={knownDesks} value={desks} onChange={setDesks} />}
        <ErrorMessage error={create.error} />
        <button type="submit" className="primary" disabled={create.busy}>
          Create user
        </button>
      </form>
    </details>
  );
}

function EditUser({
  user,
  knownDesks,
  busy,
  onSave,
  onCancel,
}: {
  user: User;
  knownDesks: readonly string[];
  busy: boolean;
  onSave: (body: { role: Role; desks: string[] }) => void;
  onCancel: () => void;
}) {
  const [role, setRole] = useState<Role>(user.role);
  const [desks, setDesks] = useState<string[]>(user.desks);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave({ role, desks: DESK_SCOPED.includes(role) ? desks : [] });
  };
  return (
    <form onSubmit={submit} aria-label={`Change ${user.username}`} className="inline-form">
      <SelectField label="Role" value={role} onChange={(r) => setRole(r as Role)} options={optionsOf(ROLES)} />
      {DESK_SCOPED.includes(role) && <DeskPicker known={knownDesks} value={desks} onChange={setDesks} />}
      <button type="submit" className="primary" disabled={busy}>
        Save
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
