/**
 * PostgreSQL schema, one entry per version; applied in order on open, inside one transaction under an
 * advisory lock, and recorded in `schema_migrations`. Every statement is unqualified: the store sets
 * `search_path` to the configured schema on each connection (and in the migration transaction).
 *
 * The tables and columns mirror the SQLite schema (store/sqlite/migrations.ts) one for one. Differences
 * that only PostgreSQL needs:
 * - Full text lives in `messages.search_vector` (to_tsvector('simple', …) of the tokenised text) with a GIN
 *   index, where SQLite has the contentless FTS5 table `message_fts`. The text itself is not stored.
 * - Every text column is `COLLATE "C"`: byte-wise comparison, as SQLite's BINARY, whatever the database's
 *   default collation (ORDER BY created_at sorts as in SQLite), and several times cheaper to index than a
 *   libc/ICU collation. ISO 8601 timestamps stay `text` so they round-trip exactly.
 */
import { ACCOUNT_TABLES } from '../accounts.js';
import { ACTIVITY_TABLES } from '../activity.js';
import { ALERT_TABLES } from '../alerts.js';
import { ORDERS_TABLES } from '../orders.js';

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text COLLATE "C" NOT NULL);

  -- The ledger: leaves in index order, complete subtree hashes (level >= 1), signed checkpoints.
  CREATE TABLE ledger_leaves (
    leaf_index bigint PRIMARY KEY,
    record_id text COLLATE "C" NOT NULL UNIQUE,
    record_type text COLLATE "C" NOT NULL,
    leaf bytea NOT NULL,
    leaf_hash bytea NOT NULL
  );
  CREATE TABLE ledger_nodes (node_id bigint PRIMARY KEY, hash bytea NOT NULL);
  CREATE TABLE ledger_checkpoints (
    tree_size bigint PRIMARY KEY,
    root bytea NOT NULL,
    note text COLLATE "C" NOT NULL,
    created_at text COLLATE "C" NOT NULL
  );

  -- The content vault: canonical content and its salt, by leaf index.
  CREATE TABLE record_contents (leaf_index bigint PRIMARY KEY, salt bytea NOT NULL, content bytea NOT NULL);

  -- The message projection: what search and selection filter on. Derived from content; verify checks it.
  CREATE TABLE messages (
    leaf_index bigint PRIMARY KEY,
    dedup_key bytea NOT NULL UNIQUE,
    platform text COLLATE "C" NOT NULL,
    conversation_id text COLLATE "C" NOT NULL,
    sender text COLLATE "C" NOT NULL,
    sent_at bigint NOT NULL,
    kind text COLLATE "C" NOT NULL,
    platform_message_id text COLLATE "C",
    refers_to text COLLATE "C",
    -- The index's view of the text (CJK segmented); the text itself lives in the vault only.
    search_vector tsvector NOT NULL
  );
  CREATE INDEX messages_by_conversation ON messages (conversation_id, sent_at);
  CREATE INDEX messages_by_sent_at ON messages (sent_at);
  CREATE INDEX messages_search ON messages USING gin (search_vector);
  CREATE TABLE message_participants (
    handle text COLLATE "C" NOT NULL,
    leaf_index bigint NOT NULL,
    PRIMARY KEY (handle, leaf_index)
  );

  CREATE TABLE api_tokens (
    id text COLLATE "C" PRIMARY KEY,
    name text COLLATE "C" NOT NULL UNIQUE,
    token_hash bytea NOT NULL UNIQUE,
    scopes text COLLATE "C" NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    revoked_at text COLLATE "C"
  );
  `,
  // v2: leaf hashes are derived from the leaves, never stored (one less thing to tamper with and audit).
  'ALTER TABLE ledger_leaves DROP COLUMN leaf_hash;',
  // v3: records other than messages (imports, directory changes) found without reading every leaf.
  "CREATE INDEX IF NOT EXISTS ledger_leaves_by_type ON ledger_leaves (record_type, leaf_index) WHERE record_type <> 'message';",
  // v4: orders read from archived messages, and the confirmations staff sent for them.
  ORDERS_TABLES({ int: 'bigint', text: 'text COLLATE "C"', strict: '' }),
  // v5: the firm's account activity (orders, replacements, cancellations, executions) read from the ledger.
  ACTIVITY_TABLES({ int: 'bigint', text: 'text COLLATE "C"', strict: '' }),
  // v6: alerts raised by the rules, folded from the alert ledger records.
  ALERT_TABLES({ int: 'bigint', text: 'text COLLATE "C"', strict: '' }),
  // v7: the review console's users and sessions.
  ACCOUNT_TABLES({ int: 'bigint', text: 'text COLLATE "C"', blob: 'bytea', strict: '' }),
];
