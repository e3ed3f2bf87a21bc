/**
 * The PostgreSQL backend: the same tables as the SQLite store, in one configured schema. Writes run in a
 * transaction that holds a transaction-level advisory lock derived from the schema name, so there is one
 * sequencer per log even across processes (a CLI import beside the server); COMMIT returns once the WAL is
 * flushed (synchronous_commit is forced on for these transactions if the server has it off).
 *
 * Bulk inserts are one statement per table per call: INSERT … SELECT FROM unnest(arrays) for ordinary
 * groups, binary COPY for calls of thousands of rows.
 */

import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import pg from 'pg';
import type { TokenRow, TokenScope, TokenStorage } from '../../auth/tokens.js';
import type { ExistingMessage, MessageRow, MessageWriteTx } from '../../capture/ingest.js';
import { StenoError } from '../../core/errors.js';
import { sha256 } from '../../core/hash.js';
import { toTsquery } from '../../index/query.js';
import type { AuditRow, AuditStorage } from '../../ledger/audit.js';
import type { ContentReader, StoredContent } from '../../ledger/content.js';
import type { ContentRow, LeafRow, LedgerStorage, NodeRow, StoredCheckpoint } from '../../ledger/log.js';
import type { EvidenceStorage, StoredLeaf } from '../../produce/evidence.js';
import type { MessageHit, SearchCriteria, SearchStorage } from '../../review/search.js';
import type { MetaStorage } from '../meta.js';
import { BinaryCopyWriter, copyBinary } from './copy.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

/** Node ids below this are level 0: the leaf hash itself, kept in ledger_leaves (see ledger/tree/node.ts). */
const LEVEL_ONE_NODE_ID = 2 ** 47;

/** Calls inserting at least this many rows into one table use COPY instead of INSERT … unnest. */
export const COPY_MIN_ROWS = 2000;

/** What the store accepts as a schema name: a plain lower-case identifier, as the config enforces. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

type Row = Record<string, unknown>;

/** The query surface shared by the pool (autocommit reads) and a transaction's client. */
interface Queryable {
  query<R extends QueryResultRow = Row>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export interface PostgresStoreOptions {
  /** A postgres:// connection string. */
  url: string;
  /** The schema holding Steno's tables; created if missing. */
  schema: string;
}

/** bigint (int8) arrives from pg as a string; every value Steno stores is a safe integer. */
function num(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new StenoError('integrity', `database returned ${String(value)} for an integer`);
  return n;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A signed 64-bit advisory lock key for the log in `schema`, as a decimal string. */
export function writeLockKey(schema: string): string {
  return sha256(Buffer.from(`steno:ledger-write:${schema}`, 'utf8'))
    .readBigInt64BE(0)
    .toString();
}

/**
 * The connection string with credentials removed, for messages: the user is kept, the password (in the
 * authority or as a `password`/`sslpassword` parameter) never appears.
 */
export function redactUrl(url: string): string {
  const redactParams = (query: string) =>
    query.replace(/([?&][^=&#]*pass[^=&#]*=)[^&#]*/gi, '$1REDACTED').replace(/#.*$/s, '');
  try {
    const u = new URL(url);
    const user = u.username === '' ? '' : `${u.username}@`;
    return `${u.protocol}//${user}${u.host}${u.pathname}${redactParams(u.search)}`;
  } catch {
    // pg accepts some strings WHATWG URL does not (an empty host with ?host=/socket/dir). Keep only what
    // follows the last "@", so no part of a password can survive.
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
    const cleaned = redactParams(url.slice(scheme.length));
    const at = cleaned.lastIndexOf('@');
    return scheme + (at === -1 ? cleaned : cleaned.slice(at + 1));
  }
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describeError).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return error.message !== '' ? error.message : typeof code === 'string' ? code : error.name;
  }
  return String(error);
}

/** Errors that may carry the connection string (Node's URL errors keep it in `input`) are not kept as causes. */
function safeCause(error: unknown): { cause?: unknown } {
  return typeof error === 'object' && error !== null && 'input' in error ? {} : { cause: error };
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

async function migrate(client: PoolClient, schema: string, lockKey: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${lockKey})`);
    // CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database; a DBA-made schema needs no such right.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    const tracked = await client.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
    if (tracked.rows[0]?.t == null) {
      await client.query(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
    }
    const result = await client.query<{ v: number }>(
      'SELECT coalesce(max(version), 0)::integer AS v FROM schema_migrations',
    );
    const current = result.rows[0]?.v ?? 0;
    if (current > POSTGRES_MIGRATIONS.length) {
      throw new StenoError(
        'config',
        `the PostgreSQL schema "${schema}" is at version ${current}, newer than this Steno (${POSTGRES_MIGRATIONS.length}); upgrade Steno`,
      );
    }
    for (let v = current; v < POSTGRES_MIGRATIONS.length; v++) {
      await client.query(POSTGRES_MIGRATIONS[v]!);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function treeSizeOf(q: Queryable): Promise<number> {
  const result = await q.query<{ m: string | null }>('SELECT max(leaf_index) AS m FROM ledger_leaves');
  const max = result.rows[0]?.m ?? null;
  return max === null ? 0 : num(max) + 1;
}

async function readNodesOf(q: Queryable, ids: readonly number[]): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  const leaves: number[] = [];
  const inner: number[] = [];
  for (const id of new Set(ids)) {
    // Anything else cannot name a stored node; the SQLite store finds nothing for it either.
    if (!Number.isSafeInteger(id)) continue;
    (id < LEVEL_ONE_NODE_ID ? leaves : inner).push(id);
  }
  if (leaves.length === 0 && inner.length === 0) return out;
  const result = await q.query<{ id: string; hash: Buffer }>(
    `SELECT leaf_index AS id, leaf_hash AS hash FROM ledger_leaves WHERE leaf_index = ANY($1::bigint[])
     UNION ALL
     SELECT node_id, hash FROM ledger_nodes WHERE node_id = ANY($2::bigint[])`,
    [leaves, inner],
  );
  for (const r of result.rows) out.set(num(r.id), r.hash);
  return out;
}

/** One message's participants without repeats (the primary key would reject them; SQLite ignores them). */
function participantPairs(rows: readonly MessageRow[]): { handles: string[]; indexes: number[] } {
  const handles: string[] = [];
  const indexes: number[] = [];
  for (const r of rows) {
    for (const handle of new Set(r.participants)) {
      handles.push(handle);
      indexes.push(r.leafIndex);
    }
  }
  return { handles, indexes };
}

const MESSAGE_COLUMNS =
  'leaf_index, dedup_key, platform, conversation_id, sender, sent_at, kind, platform_message_id, refers_to';

class PostgresWriteTx implements MessageWriteTx {
  constructor(private readonly client: PoolClient) {}

  treeSize(): Promise<number> {
    return treeSizeOf(this.client);
  }

  readNodes(ids: readonly number[]): Promise<Map<number, Buffer>> {
    return readNodesOf(this.client, ids);
  }

  async insertLeaves(rows: readonly LeafRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (rows.length >= COPY_MIN_ROWS) {
      const w = new BinaryCopyWriter();
      for (const r of rows) {
        w.tuple(5);
        w.int8(r.index);
        w.text(r.id);
        w.text(r.type);
        w.bytea(r.bytes);
        w.bytea(r.hash);
      }
      await copyBinary(this.client, 'ledger_leaves (leaf_index, record_id, record_type, leaf, leaf_hash)', w);
      return;
    }
    await this.client.query(
      `INSERT INTO ledger_leaves (leaf_index, record_id, record_type, leaf, leaf_hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[], $5::bytea[])`,
      [
        rows.map((r) => r.index),
        rows.map((r) => r.id),
        rows.map((r) => r.type),
        rows.map((r) => r.bytes),
        rows.map((r) => r.hash),
      ],
    );
  }

  async insertNodes(rows: readonly NodeRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (rows.length >= COPY_MIN_ROWS) {
      const w = new BinaryCopyWriter();
      for (const r of rows) {
        w.tuple(2);
        w.int8(r.id);
        w.bytea(r.hash);
      }
      await copyBinary(this.client, 'ledger_nodes (node_id, hash)', w);
      return;
    }
    await this.client.query(
      'INSERT INTO ledger_nodes (node_id, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])',
      [rows.map((r) => r.id), rows.map((r) => r.hash)],
    );
  }

  async putContents(rows: readonly ContentRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (rows.length >= COPY_MIN_ROWS) {
      const w = new BinaryCopyWriter();
      for (const r of rows) {
        w.tuple(3);
        w.int8(r.index);
        w.bytea(r.salt);
        w.bytea(r.content);
      }
      await copyBinary(this.client, 'record_contents (leaf_index, salt, content)', w);
      return;
    }
    await this.client.query(
      'INSERT INTO record_contents (leaf_index, salt, content) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])',
      [rows.map((r) => r.index), rows.map((r) => r.salt), rows.map((r) => r.content)],
    );
  }

  async findByDedupKeys(keys: readonly Buffer[]): Promise<Map<string, ExistingMessage>> {
    const found = new Map<string, ExistingMessage>();
    if (keys.length === 0) return found;
    const result = await this.client.query<{ dedup_key: Buffer; leaf_index: string; record_id: string }>(
      `SELECT m.dedup_key, m.leaf_index, l.record_id
       FROM messages m JOIN ledger_leaves l USING (leaf_index)
       WHERE m.dedup_key = ANY($1::bytea[])`,
      [keys],
    );
    for (const r of result.rows) {
      found.set(r.dedup_key.toString('hex'), { leafIndex: num(r.leaf_index), recordId: r.record_id });
    }
    return found;
  }

  async insertMessages(rows: readonly MessageRow[]): Promise<void> {
    if (rows.length === 0) return;
    // searchText is segmentForIndex output: lower-cased tokens separated by single spaces, so the
    // default parser yields exactly the tokens the query parser produces.
    const texts = rows.map((r) => r.searchText);
    if (rows.length >= COPY_MIN_ROWS) await this.copyMessages(rows, texts);
    else {
      await this.client.query(
        `INSERT INTO messages (${MESSAGE_COLUMNS}, search_vector)
         SELECT i, d, p, c, s, t, k, pm, r, to_tsvector('simple', x)
         FROM unnest($1::bigint[], $2::bytea[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],
                     $8::text[], $9::text[], $10::text[]) AS u(i, d, p, c, s, t, k, pm, r, x)`,
        [
          rows.map((r) => r.leafIndex),
          rows.map((r) => r.dedupKey),
          rows.map((r) => r.platform),
          rows.map((r) => r.conversationId),
          rows.map((r) => r.sender),
          rows.map((r) => r.sentAtMs),
          rows.map((r) => r.kind),
          rows.map((r) => r.platformMessageId),
          rows.map((r) => r.refersTo),
          texts,
        ],
      );
    }
    const { handles, indexes } = participantPairs(rows);
    if (handles.length === 0) return;
    if (handles.length >= COPY_MIN_ROWS) {
      const w = new BinaryCopyWriter();
      for (let i = 0; i < handles.length; i++) {
        w.tuple(2);
        w.text(handles[i]!);
        w.int8(indexes[i]!);
      }
      await copyBinary(this.client, 'message_participants (handle, leaf_index)', w);
      return;
    }
    await this.client.query(
      `INSERT INTO message_participants (handle, leaf_index)
       SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING`,
      [handles, indexes],
    );
  }

  /** COPY cannot compute the tsvector, so messages go through a session-local staging table. */
  private async copyMessages(rows: readonly MessageRow[], texts: readonly string[]): Promise<void> {
    await this.client.query(
      `CREATE TEMP TABLE IF NOT EXISTS steno_messages_in (
         leaf_index bigint, dedup_key bytea, platform text, conversation_id text, sender text, sent_at bigint,
         kind text, platform_message_id text, refers_to text, search_text text
       ) ON COMMIT DELETE ROWS`,
    );
    const w = new BinaryCopyWriter();
    rows.forEach((r, i) => {
      w.tuple(10);
      w.int8(r.leafIndex);
      w.bytea(r.dedupKey);
      w.text(r.platform);
      w.text(r.conversationId);
      w.text(r.sender);
      w.int8(r.sentAtMs);
      w.text(r.kind);
      w.text(r.platformMessageId);
      w.text(r.refersTo);
      w.text(texts[i]!);
    });
    await copyBinary(this.client, `pg_temp.steno_messages_in (${MESSAGE_COLUMNS}, search_text)`, w);
    // Emptying the stage in the same statement keeps a second call in this transaction correct; the
    // commit then truncates its file (temporary tables are never vacuumed).
    await this.client.query(
      `WITH staged AS (DELETE FROM pg_temp.steno_messages_in RETURNING *)
       INSERT INTO messages (${MESSAGE_COLUMNS}, search_vector)
       SELECT ${MESSAGE_COLUMNS}, to_tsvector('simple', search_text) FROM staged`,
    );
  }
}

export class PostgresStore
  implements
    LedgerStorage<PostgresWriteTx>,
    SearchStorage,
    ContentReader,
    TokenStorage,
    MetaStorage,
    AuditStorage,
    EvidenceStorage
{
  readonly kind = 'postgres';
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly lockKey: string;
  private closing: Promise<void> | null = null;

  private constructor(pool: pg.Pool, schema: string, lockKey: string) {
    this.pool = pool;
    this.schema = schema;
    this.lockKey = lockKey;
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const { schema } = options;
    if (!SCHEMA_NAME.test(schema)) {
      throw new StenoError('config', `PostgreSQL schema "${schema.slice(0, 80)}" must be a lower-case SQL identifier`);
    }
    const where = redactUrl(options.url);
    const lockKey = writeLockKey(schema);
    const pool = new pg.Pool({
      connectionString: options.url,
      application_name: 'steno',
      max: 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 30_000,
      // Awaited before the pool hands the connection out; a failure goes to whoever asked for it.
      onConnect: async (client) => {
        await client.query(`SET search_path TO ${quoteIdent(schema)}`);
      },
    });
    // An idle connection that dies is dropped by the pool and replaced on next use; without a listener
    // the 'error' event would crash the process.
    pool.on('error', () => undefined);
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StenoError('io', `cannot connect to PostgreSQL at ${where}: ${describeError(error)}`, safeCause(error));
    }
    try {
      await migrate(client, schema, lockKey);
      client.release();
    } catch (error) {
      client.release(true);
      await pool.end().catch(() => undefined);
      if (error instanceof StenoError) throw error;
      throw new StenoError(
        'io',
        `cannot prepare the schema "${schema}" in PostgreSQL at ${where}: ${describeError(error)}`,
        safeCause(error),
      );
    }
    return new PostgresStore(pool, schema, lockKey);
  }

  async writeTransaction<T>(fn: (tx: PostgresWriteTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      // One round trip: begin, take the log's write lock (waits for any other writer, in any process),
      // and make sure COMMIT waits for the WAL flush even where the server default says otherwise.
      await client.query(
        `BEGIN;
         SELECT pg_advisory_xact_lock(${this.lockKey});
         SELECT set_config('synchronous_commit', 'on', true) WHERE current_setting('synchronous_commit') = 'off'`,
      );
      const result = await fn(new PostgresWriteTx(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // After a failed COMMIT the transaction is already gone and ROLLBACK only warns.
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  treeSize(): Promise<number> {
    return treeSizeOf(this.pool);
  }

  readNodes(ids: readonly number[]): Promise<Map<number, Buffer>> {
    return readNodesOf(this.pool, ids);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const result = await this.pool.query('SELECT * FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1');
    const row = result.rows[0] as Row | undefined;
    return row === undefined ? null : checkpointFromRow(row);
  }

  async checkpointAtLeast(size: number): Promise<StoredCheckpoint | null> {
    const result = await this.pool.query(
      'SELECT * FROM ledger_checkpoints WHERE tree_size >= $1 ORDER BY tree_size LIMIT 1',
      [size],
    );
    const row = result.rows[0] as Row | undefined;
    return row === undefined ? null : checkpointFromRow(row);
  }

  async listCheckpoints(): Promise<StoredCheckpoint[]> {
    const result = await this.pool.query('SELECT * FROM ledger_checkpoints ORDER BY tree_size');
    return (result.rows as Row[]).map(checkpointFromRow);
  }

  async putCheckpoint(cp: StoredCheckpoint): Promise<StoredCheckpoint> {
    await this.pool.query(
      'INSERT INTO ledger_checkpoints (tree_size, root, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [cp.size, cp.root, cp.note, cp.createdAt],
    );
    // A separate statement: under READ COMMITTED it sees a row a concurrent insert just committed.
    const result = await this.pool.query('SELECT * FROM ledger_checkpoints WHERE tree_size = $1', [cp.size]);
    return checkpointFromRow(result.rows[0] as Row);
  }

  async readContents(indexes: readonly number[]): Promise<Map<number, StoredContent>> {
    const out = new Map<number, StoredContent>();
    const wanted = [...new Set(indexes)].filter((i) => Number.isSafeInteger(i));
    if (wanted.length === 0) return out;
    const result = await this.pool.query<{ leaf_index: string; salt: Buffer; content: Buffer }>(
      'SELECT leaf_index, salt, content FROM record_contents WHERE leaf_index = ANY($1::bigint[])',
      [wanted],
    );
    for (const r of result.rows) {
      const index = num(r.leaf_index);
      out.set(index, { index, salt: r.salt, content: r.content });
    }
    return out;
  }

  async readLeaves(indexes: readonly number[]): Promise<Map<number, StoredLeaf>> {
    const out = new Map<number, StoredLeaf>();
    const wanted = [...new Set(indexes)].filter((i) => Number.isSafeInteger(i));
    if (wanted.length === 0) return out;
    const result = await this.pool.query<{ leaf_index: string; record_id: string; leaf: Buffer }>(
      'SELECT leaf_index, record_id, leaf FROM ledger_leaves WHERE leaf_index = ANY($1::bigint[])',
      [wanted],
    );
    for (const r of result.rows) {
      const index = num(r.leaf_index);
      out.set(index, { index, id: r.record_id, bytes: r.leaf });
    }
    return out;
  }

  async searchMessages(c: SearchCriteria): Promise<MessageHit[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown, cast: string) => {
      params.push(value);
      return `$${params.length}::${cast}`;
    };
    if (c.query !== undefined) {
      let tsquery: string;
      try {
        tsquery = toTsquery(c.query);
      } catch (error) {
        if (error instanceof StenoError) throw error;
        throw new StenoError('invalid_query', `the search engine rejected the query: ${(error as Error).message}`, {
          cause: error,
        });
      }
      where.push(`m.search_vector @@ to_tsquery('simple', ${param(tsquery, 'text')})`);
    }
    if (c.platform !== undefined) where.push(`m.platform = ${param(c.platform, 'text')}`);
    if (c.conversationId !== undefined) where.push(`m.conversation_id = ${param(c.conversationId, 'text')}`);
    if (c.participant !== undefined) {
      where.push(
        `m.leaf_index IN (SELECT leaf_index FROM message_participants WHERE handle = ${param(c.participant, 'text')})`,
      );
    }
    // Compared as bigint so the indexes apply; against an integer column, >= x and < x mean the same as
    // >= ceil(x) and < ceil(x), so a fractional bound behaves as in SQLite.
    if (c.fromMs !== undefined) where.push(`m.sent_at >= ${param(Math.ceil(c.fromMs), 'bigint')}`);
    if (c.toMs !== undefined) where.push(`m.sent_at < ${param(Math.ceil(c.toMs), 'bigint')}`);
    if (c.beforeIndex !== undefined) where.push(`m.leaf_index < ${param(Math.ceil(c.beforeIndex), 'bigint')}`);
    const sql = `SELECT m.leaf_index, l.record_id, m.platform, m.conversation_id, m.sender, m.sent_at, m.kind
      FROM messages m JOIN ledger_leaves l ON l.leaf_index = m.leaf_index
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY m.leaf_index DESC LIMIT ${param(c.limit, 'bigint')}`;
    let rows: Row[];
    try {
      rows = (await this.pool.query(sql, params)).rows as Row[];
    } catch (error) {
      const state = sqlState(error);
      // 42601: tsquery syntax; 22xxx: bad values; 54xxx: a query too large for the engine.
      if (state === '42601' || state?.startsWith('22') || state?.startsWith('54')) {
        throw new StenoError('invalid_query', `the search engine rejected the query: ${(error as Error).message}`, {
          cause: error,
        });
      }
      throw error;
    }
    return rows.map((r) => ({
      leafIndex: num(r.leaf_index),
      recordId: r.record_id as string,
      platform: r.platform as string,
      conversationId: r.conversation_id as string,
      sender: r.sender as string,
      sentAtMs: num(r.sent_at),
      kind: r.kind as string,
    }));
  }

  async scanRecords(fromIndex: number, limit: number): Promise<AuditRow[]> {
    const result = await this.pool.query(
      `SELECT l.leaf_index, l.record_id, l.record_type, l.leaf, l.leaf_hash, c.salt, c.content,
              m.leaf_index AS m_index, m.platform, m.conversation_id, m.sender, m.sent_at, m.kind,
              m.platform_message_id, m.refers_to
       FROM ledger_leaves l
       LEFT JOIN record_contents c ON c.leaf_index = l.leaf_index
       LEFT JOIN messages m ON m.leaf_index = l.leaf_index
       WHERE l.leaf_index >= $1::bigint ORDER BY l.leaf_index LIMIT $2::bigint`,
      [fromIndex, limit],
    );
    return (result.rows as Row[]).map(auditRowFrom);
  }

  async countRecords(): Promise<{ leaves: number; contents: number; messages: number; nodes: number }> {
    const result = await this.pool.query(
      `SELECT (SELECT count(*) FROM ledger_leaves) AS leaves, (SELECT count(*) FROM record_contents) AS contents,
              (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM ledger_nodes) AS nodes`,
    );
    const r = result.rows[0] as Row;
    return { leaves: num(r.leaves), contents: num(r.contents), messages: num(r.messages), nodes: num(r.nodes) };
  }

  async getMeta(key: string): Promise<string | null> {
    const result = await this.pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return result.rows[0]?.value ?? null;
  }

  async setMetaIfAbsent(key: string, value: string): Promise<string> {
    await this.pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING', [key, value]);
    const result = await this.pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return result.rows[0]!.value;
  }

  async insertToken(row: TokenRow): Promise<void> {
    await this.pool.query(
      'INSERT INTO api_tokens (id, name, token_hash, scopes, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [row.id, row.name, row.tokenHash, row.scopes.join(','), row.createdAt, row.revokedAt],
    );
  }

  async findTokenByHash(hash: Buffer): Promise<TokenRow | null> {
    const result = await this.pool.query('SELECT * FROM api_tokens WHERE token_hash = $1', [hash]);
    const row = result.rows[0] as Row | undefined;
    return row === undefined ? null : tokenFromRow(row);
  }

  async listTokens(): Promise<TokenRow[]> {
    const result = await this.pool.query('SELECT * FROM api_tokens ORDER BY created_at');
    return (result.rows as Row[]).map(tokenFromRow);
  }

  async revokeToken(name: string, at: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL',
      [at, name],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Waits for transactions in flight to finish, then closes every connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function checkpointFromRow(row: Row): StoredCheckpoint {
  return {
    size: num(row.tree_size),
    root: row.root as Buffer,
    note: row.note as string,
    createdAt: row.created_at as string,
  };
}

function tokenFromRow(row: Row): TokenRow {
  return {
    id: row.id as string,
    name: row.name as string,
    tokenHash: row.token_hash as Buffer,
    scopes: (row.scopes as string).split(',') as TokenScope[],
    createdAt: row.created_at as string,
    revokedAt: (row.revoked_at as string | null) ?? null,
  };
}

function auditRowFrom(r: Row): AuditRow {
  return {
    index: num(r.leaf_index),
    id: r.record_id as string,
    type: r.record_type as string,
    bytes: r.leaf as Buffer,
    hash: r.leaf_hash as Buffer,
    salt: (r.salt as Buffer | null) ?? null,
    content: (r.content as Buffer | null) ?? null,
    message:
      r.m_index === null
        ? null
        : {
            platform: r.platform as string,
            conversationId: r.conversation_id as string,
            sender: r.sender as string,
            sentAtMs: num(r.sent_at),
            kind: r.kind as string,
            platformMessageId: (r.platform_message_id as string | null) ?? null,
            refersTo: (r.refers_to as string | null) ?? null,
          },
  };
}
