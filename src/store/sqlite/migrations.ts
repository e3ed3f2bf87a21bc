import { ACCOUNT_TABLES } from '../accounts.js';
import { ACTIVITY_TABLES } from '../activity.js';
import { ALERT_TABLES } from '../alerts.js';
import { ORDERS_TABLES } from '../orders.js';

/** SQLite schema, one entry per version; applied in order on open (PRAGMA user_version tracks it). */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

  -- The ledger: leaves in index order, complete subtree hashes (level >= 1), signed checkpoints.
  CREATE TABLE ledger_leaves (
    leaf_index INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    record_type TEXT NOT NULL,
    leaf BLOB NOT NULL,
    leaf_hash BLOB NOT NULL
  ) STRICT;
  CREATE TABLE ledger_nodes (node_id INTEGER PRIMARY KEY, hash BLOB NOT NULL) STRICT;
  CREATE TABLE ledger_checkpoints (
    tree_size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;

  -- The content vault: canonical content and its salt, by leaf index.
  CREATE TABLE record_contents (leaf_index INTEGER PRIMARY KEY, salt BLOB NOT NULL, content BLOB NOT NULL) STRICT;

  -- The message projection: what search and selection filter on. Derived from content; verify checks it.
  -- dedup_key has no index of its own: see message_keys and store/sqlite/keys.ts.
  CREATE TABLE messages (
    leaf_index INTEGER PRIMARY KEY,
    dedup_key BLOB NOT NULL,
    platform TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    platform_message_id TEXT,
    refers_to TEXT
  ) STRICT;
  CREATE INDEX messages_by_sent_at ON messages (sent_at);
  -- Exact-match tokens (dedup key, conversation, participants), rowid = leaf_index.
  CREATE VIRTUAL TABLE message_keys USING fts5(tokens, content='', contentless_delete=1, detail=none);
  -- Contentless: the text lives in the vault only; rowid = leaf_index.
  CREATE VIRTUAL TABLE message_fts USING fts5(
    body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
  );

  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    token_hash BLOB NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  ) STRICT;
  `,
  // v2: leaf hashes are derived from the leaves, never stored (one less thing to tamper with and audit).
  'ALTER TABLE ledger_leaves DROP COLUMN leaf_hash;',
  // v3: records other than messages (imports, directory changes) found without reading every leaf.
  "CREATE INDEX IF NOT EXISTS ledger_leaves_by_type ON ledger_leaves (record_type, leaf_index) WHERE record_type <> 'message';",
  // v4: orders read from archived messages, and the confirmations staff sent for them.
  ORDERS_TABLES({ int: 'INTEGER', text: 'TEXT', strict: ' STRICT' }),
  // v5: the firm's account activity (orders, replacements, cancellations, executions) read from the ledger.
  ACTIVITY_TABLES({ int: 'INTEGER', text: 'TEXT', strict: ' STRICT' }),
  // v6: alerts raised by the rules, folded from the alert ledger records.
  ALERT_TABLES({ int: 'INTEGER', text: 'TEXT', strict: ' STRICT' }),
  // v7: the review console's users and sessions.
  ACCOUNT_TABLES({ int: 'INTEGER', text: 'TEXT', blob: 'BLOB', strict: ' STRICT' }),
];
