/**
 * Who may do what. People have one role; API tokens have scopes. Both come down to permissions, so
 * every route asks one question: does the caller hold this permission? Desks (information barriers)
 * are a second, separate question the routes that read messages ask (review/desks.ts).
 */
import type { TokenScope } from './tokens.js';

export const ROLES = ['admin', 'reviewer', 'supervisor', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  /** Write messages and attachments (capture). */
  | 'messages.write'
  /** Search, conversations, orders, attachments, acknowledgements, inclusion proofs. */
  | 'messages.read'
  | 'alerts.read'
  /** Comment, review, escalate, record task outcomes, close. */
  | 'alerts.work'
  | 'alerts.assign'
  /** Sign off an alert's verification. */
  | 'alerts.approve'
  /** Run the rules and judge channel health now. */
  | 'rules.run'
  | 'evidence.export'
  | 'policy.read'
  | 'policy.write'
  | 'channels.read'
  | 'users.manage'
  | 'tokens.manage'
  /** The access log. */
  | 'audit.read';

const REVIEWER: Permission[] = [
  'messages.read',
  'alerts.read',
  'alerts.work',
  'rules.run',
  'evidence.export',
  'policy.read',
  'channels.read',
];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // An admin runs the system and reads no messages: least privilege, and an information barrier of its own.
  admin: ['users.manage', 'tokens.manage', 'policy.read', 'policy.write', 'channels.read'],
  reviewer: REVIEWER,
  supervisor: [...REVIEWER, 'alerts.assign', 'alerts.approve'],
  auditor: ['messages.read', 'alerts.read', 'evidence.export', 'policy.read', 'channels.read', 'audit.read'],
};

const SCOPE_PERMISSIONS: Record<TokenScope, readonly Permission[]> = {
  ingest: ['messages.write'],
  read: ['messages.read', 'alerts.read', 'policy.read', 'channels.read'],
  review: ['alerts.work', 'alerts.assign', 'alerts.approve', 'rules.run'],
  admin: ['policy.write'],
};

/** Roles whose members must sign in with a second factor. */
export const TOTP_REQUIRED: ReadonlySet<Role> = new Set(['admin']);

/** Roles scoped by desk: they see only the conversations of their desks. */
export const DESK_SCOPED: ReadonlySet<Role> = new Set(['reviewer', 'supervisor']);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function rolePermissions(role: Role): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role]);
}

export function scopePermissions(scopes: readonly TokenScope[]): ReadonlySet<Permission> {
  return new Set(scopes.flatMap((s) => SCOPE_PERMISSIONS[s]));
}

/** The caller of a request: a person signed in, or an API token. */
export interface Principal {
  kind: 'user' | 'token';
  name: string;
  role: Role | null;
  permissions: ReadonlySet<Permission>;
  /** The desks whose conversations the caller may see; null for every desk. */
  desks: readonly string[] | null;
}

/** How a principal is named in ledger records (`user:ada`, `token:crm-sync`). */
export function principalLabel(p: Principal): string {
  return `${p.kind}:${p.name}`;
}
