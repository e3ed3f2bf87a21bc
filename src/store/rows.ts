/** Row mappings shared by both stores: the tables have the same columns on SQLite and PostgreSQL. */
import type { TokenRow, TokenScope } from '../auth/tokens.js';
import type { StoredCheckpoint } from '../ledger/log.js';

type Row = Record<string, unknown>;

/** Number() reads SQLite integers and PostgreSQL bigints (which arrive as strings) alike. */
export function checkpointFromRow(row: Row): StoredCheckpoint {
  return {
    size: Number(row.tree_size),
    root: row.root as Buffer,
    note: row.note as string,
    createdAt: row.created_at as string,
  };
}

export function tokenFromRow(row: Row): TokenRow {
  return {
    id: row.id as string,
    name: row.name as string,
    tokenHash: row.token_hash as Buffer,
    scopes: (row.scopes as string).split(',') as TokenScope[],
    createdAt: row.created_at as string,
    revokedAt: (row.revoked_at as string | null) ?? null,
  };
}
