/**
 * The console's accounts and sessions, as both stores keep them: one row per user and per session,
 * the record itself as JSON (AccountStorage in auth/accounts.ts). A user row carries a version, so
 * that two processes changing one user (a failed sign-in counted while an admin resets it) cannot
 * lose either change. Sessions are keyed by the SHA-256 of their token, never the token.
 */
import type { SessionRecord, UserRecord } from '../auth/accounts.js';

/** The schema, as both stores' migration 7 creates it (the column types each store's own). */
export const ACCOUNT_TABLES = (t: { int: string; text: string; blob: string; strict: string }) => `
  CREATE TABLE console_users (
    username ${t.text} PRIMARY KEY,
    version ${t.int} NOT NULL,
    body ${t.text} NOT NULL
  )${t.strict};
  CREATE TABLE console_sessions (
    id_hash ${t.blob} PRIMARY KEY,
    username ${t.text} NOT NULL,
    expires_at ${t.int} NOT NULL,
    body ${t.text} NOT NULL
  )${t.strict};
  CREATE INDEX console_sessions_by_user ON console_sessions (username);
  CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);
`;

export const userBody = (user: UserRecord): string => JSON.stringify(user);
export const userFromBody = (body: string): UserRecord => JSON.parse(body) as UserRecord;
export const sessionBody = (session: SessionRecord): string => JSON.stringify(session);
export const sessionFromBody = (body: string): SessionRecord => JSON.parse(body) as SessionRecord;
