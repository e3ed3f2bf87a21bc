import { ROLES } from '../../auth/roles.js';
import type { Steno } from '../../context.js';
import { parse, UsageError } from '../args.js';
import type { Output } from '../output.js';
import { openFromArgs, recordOperatorAccess } from './open.js';

const USAGE = `Usage:
  steno user list [--json]
  steno user create --name NAME --role ${ROLES.join('|')} [--desk DESK]...   prints a one-time password once
  steno user reset --name NAME        a new one-time password; TOTP removed, sessions ended (a lost phone, a lockout)
  steno user disable|enable --name NAME
Reviewers and supervisors see only their desks' conversations; each needs at least one --desk.
Every change is recorded in the access log as made by this machine's user.`;

export async function userCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    args,
    { name: { type: 'string' }, role: { type: 'string' }, desk: { type: 'string', multiple: true } },
    USAGE,
  );
  const [action] = positionals;
  if (values.help || action === undefined) {
    out.stdout(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const name = () => {
    if (values.name === undefined) throw new UsageError(`--name is required\n\n${USAGE}`);
    return values.name;
  };
  await using steno = await openFromArgs(values, true);
  switch (action) {
    case 'list': {
      const users = await steno.accounts.list();
      if (values.json) out.stdout(`${JSON.stringify(users)}\n`);
      else for (const u of users) out.stdout(`${describe(u)}\n`);
      return 0;
    }
    case 'create': {
      if (values.role === undefined) throw new UsageError(`--role is required\n\n${USAGE}`);
      const { user, oneTimePassword } = await steno.accounts.create({
        username: name(),
        role: values.role,
        desks: values.desk ?? [],
      });
      await recordOperatorAccess(steno, 'user.create', user.username, { role: user.role, desks: user.desks });
      printPassword(out, user.username, oneTimePassword, values.json === true);
      return 0;
    }
    case 'reset': {
      const { oneTimePassword } = await steno.accounts.reset(name());
      await recordOperatorAccess(steno, 'user.reset', name());
      printPassword(out, name(), oneTimePassword, values.json === true);
      return 0;
    }
    case 'disable':
    case 'enable':
      // Awaited here: steno is disposed as soon as this block returns.
      return await setDisabled(steno, out, name(), action === 'disable');
    default:
      throw new UsageError(`unknown user action "${action}"\n\n${USAGE}`);
  }
}

async function setDisabled(steno: Steno, out: Output, username: string, disabled: boolean): Promise<number> {
  const { user, changed } = await steno.accounts.update(username, { disabled });
  if (Object.keys(changed).length > 0) await recordOperatorAccess(steno, 'user.change', username, changed);
  out.stdout(`${describe(user)}\n`);
  return 0;
}

function describe(u: {
  username: string;
  role: string;
  desks: string[];
  totpEnrolled: boolean;
  locked: boolean;
  disabled: boolean;
}) {
  const flags = [
    u.totpEnrolled ? 'totp' : 'no totp',
    ...(u.locked ? ['locked'] : []),
    ...(u.disabled ? ['disabled'] : []),
  ];
  return `${u.username}\t${u.role}\t${u.desks.join(',') || '-'}\t${flags.join(', ')}`;
}

function printPassword(out: Output, username: string, password: string, json: boolean): void {
  if (json) {
    out.stdout(`${JSON.stringify({ username, oneTimePassword: password })}\n`);
    return;
  }
  out.stdout(`${password}\n`);
  out.stderr(`One-time password for ${username}, shown once: the first sign-in replaces it.\n`);
}
