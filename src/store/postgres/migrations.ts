/**
 * PostgreSQL schema, one entry per version; applied in order on open, inside one transaction under an
 * advisory lock, and recorded in `schema_migrations`. Every statement is unqualified: the store sets
 * `search_path` to the configured schema on each connection (and in the migration transaction).
 *
 * The tables and columns mirror the SQLite schema (store/sqlite/migrations.ts) one for one. Differences
 * that only PostgreSQL needs:
 * - Full text lives in `messages.search_vector` (to_tsvector('simple', …) of the tokenised text) with a GIN
 *   index, where SQLite has the contentless FTS5 table `message_fts`. The text itself is not stored.
 * - ISO 8601 timestamps stay `text` so they round-trip exactly; `COLLATE "C"` makes ORDER BY byte order,
 *   as in SQLite.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

  -- The ledger: leaves in index order, complete subtree hashes (level >= 1), signed checkpoints.
  CREATE TABLE ledger_leaves (
    leaf_index bigint PRIMARY KEY,
    record_id text NOT NULL UNIQUE,
    record_type text NOT NULL,
    leaf bytea NOT NULL,
    leaf_hash bytea NOT NULL
  );
  CREATE TABLE ledger_nodes (node_id bigint PRIMARY KEY, hash bytea NOT NULL);
  CREATE TABLE ledger_checkpoints (
    tree_size bigint PRIMARY KEY,
    root bytea NOT NULL,
    note text NOT NULL,
    created_at text COLLATE "C" NOT NULL
  );

  -- The content vault: canonical content and its salt, by leaf index.
  CREATE TABLE record_contents (leaf_index bigint PRIMARY KEY, salt bytea NOT NULL, content bytea NOT NULL);

  -- The message projection: what search and selection filter on. Derived from content; verify checks it.
  CREATE TABLE messages (
    leaf_index bigint PRIMARY KEY,
    dedup_key bytea NOT NULL UNIQUE,
    platform text NOT NULL,
    conversation_id text NOT NULL,
    sender text NOT NULL,
    sent_at bigint NOT NULL,
    kind text NOT NULL,
    platform_message_id text,
    refers_to text,
    -- The index's view of the text (CJK segmented); the text itself lives in the vault only.
    search_vector tsvector NOT NULL
  );
  CREATE INDEX messages_by_conversation ON messages (conversation_id, sent_at);
  CREATE INDEX messages_by_sent_at ON messages (sent_at);
  CREATE INDEX messages_search ON messages USING gin (search_vector);
  CREATE TABLE message_participants (
    handle text NOT NULL,
    leaf_index bigint NOT NULL,
    PRIMARY KEY (handle, leaf_index)
  );

  CREATE TABLE api_tokens (
    id text PRIMARY KEY,
    name text NOT NULL UNIQUE,
    token_hash bytea NOT NULL UNIQUE,
    scopes text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    revoked_at text COLLATE "C"
  );
  `,
];
