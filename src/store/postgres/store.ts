/**
 * The PostgreSQL backend: the same tables as the SQLite store, in one configured schema. Writes run in a
 * transaction that holds a transaction-level advisory lock derived from the schema name, so there is one
 * sequencer per log even across processes (a CLI import beside the server); COMMIT returns once the WAL is
 * flushed (synchronous_commit is forced on for these transactions if the server has it off).
 *
 * A write transaction buffers its rows and writes them just before COMMIT, as the SQLite store does. An
 * ordinary group is then one INSERT statement for all five tables (data-modifying CTEs over unnest() of
 * array parameters, sent in PostgreSQL's binary array format, so nothing is escaped or parsed as text);
 * a table with thousands of rows in the group is written with binary COPY instead.
 *
 * Full-text search: messages.search_vector = to_tsvector('simple', segmentForIndex(text)) under a GIN
 * index, queried with to_tsquery('simple', toTsquery(query)); see searchMessages for the ordering.
 */

import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import pg from 'pg';
import type { AccountStorage, SessionRecord, UserRecord } from '../../auth/accounts.js';
import type { TokenRow, TokenStorage } from '../../auth/tokens.js';
import type { ActivitySpan, ActivityStorage, ActivityWrite, StoredActivity } from '../../capture/activity/archive.js';
import type { ExistingMessage, MessageRow, MessageWriteTx } from '../../capture/ingest.js';
import { StenoError } from '../../core/errors.js';
import { sha256 } from '../../core/hash.js';
import { toTsquery } from '../../index/query.js';
import type { AuditRow, AuditStorage } from '../../ledger/audit.js';
import type { ContentReader, RecordsByType, StoredContent, StoredRecord } from '../../ledger/content.js';
import type { ContentRow, LeafRow, LedgerStorage, NodeRow, StoredCheckpoint } from '../../ledger/log.js';
import { HASH_SIZE, hashLeaf } from '../../ledger/tree/index.js';
import type { EvidenceStorage, StoredLeaf } from '../../produce/evidence.js';
import { type DayCount, dayOf, type MessageCounts } from '../../review/dashboard.js';
import type {
  ConversationsByHandle,
  HandleConversation,
  MessageHit,
  SearchCriteria,
  SearchStorage,
} from '../../review/search.js';
import {
  type AlertCriteria,
  type AlertState,
  type AlertStorage,
  type AlertsWrite,
  alertRowValues,
  type StoredAlert,
} from '../../surveil/alerts/model.js';
import type {
  ArchivedMessage,
  OrderCriteria,
  OrderStorage,
  OrdersWrite,
  StoredAck,
  StoredOrder,
} from '../../surveil/orders/archive.js';
import type { Severity } from '../../surveil/rules/policy.js';
import { sessionBody, sessionFromBody, userBody, userFromBody } from '../accounts.js';
import {
  ACTIVITY_COLUMNS,
  ACTIVITY_STATE_KEY,
  activityForPeriodQuery,
  activitySpanFromRow,
  activitySpanQuery,
} from '../activity.js';
import { ALERT_COLUMNS, ALERTS_STATE_KEY, listAlertsQuery, RULES_STATE_KEY } from '../alerts.js';
import type { MetaStorage } from '../meta.js';
import { ackRowValues, findOrdersQuery, fromBody, ORDER_COLUMNS, ORDERS_STATE_KEY, orderRowValues } from '../orders.js';
import { checkpointFromRow, tokenFromRow } from '../rows.js';
import { BinaryCopyWriter, byteaArray, copyBinary, int8Array, textArray } from './binary.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

/** Node ids below this are level 0: leaf hashes, derived from the leaves in ledger_leaves (see ledger/tree/node.ts). */
const LEVEL_ONE_NODE_ID = 2 ** 47;

/** A group with at least this many rows for one table writes that table with COPY (messages excepted). */
export const COPY_MIN_ROWS = 2000;
const MESSAGES_PER_STATEMENT = 5000;

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
  /** How long a write waits for another writer of the same log (SQLite's busy_timeout); default 15 s. */
  lockTimeoutMs?: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

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
 * Runs `fn` on a pooled connection; `fn` begins the transaction, this commits it, or rolls it back on any
 * failure. A connection whose rollback fails (after a failed COMMIT the transaction is already gone) is
 * dropped, not returned to the pool.
 */
async function transaction<T>(pool: pg.Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The advisory lock that orders one projection's writes across processes. */
function projectionLockKey(projection: 'orders' | 'activity' | 'alerts' | 'rules', schema: string): string {
  return sha256(Buffer.from(`steno:${projection}-projection:${schema}`, 'utf8'))
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
    await client.query(`SELECT pg_advisory_xact_lock('${lockKey}'::bigint)`);
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
  // Level 0: leaf hashes are derived from the stored leaves.
  const result = await q.query<{ id: string; leaf: Buffer | null; hash: Buffer | null }>(
    `SELECT leaf_index AS id, leaf, NULL::bytea AS hash FROM ledger_leaves WHERE leaf_index = ANY($1::bigint[])
     UNION ALL
     SELECT node_id, NULL, hash FROM ledger_nodes WHERE node_id = ANY($2::bigint[])`,
    [int8Array(leaves), int8Array(inner)],
  );
  for (const r of result.rows) out.set(num(r.id), r.leaf === null ? r.hash! : hashLeaf(r.leaf));
  return out;
}

/**
 * (handle, leaf_index) pairs with each message's repeats removed, which is all SQLite's INSERT OR IGNORE
 * ever drops: any other clash means the message row itself already exists, and that insert fails first.
 * Deduplicating here lets both paths be a plain insert (ON CONFLICT's speculative insertion costs more).
 */
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

// A precomposed Latin letter with a diacritic (Latin-1 Supplement, Extended-A/B, Extended Additional) or
// any combining mark: only then is there anything to fold.
const MAY_HAVE_LATIN_DIACRITIC = /[\u00c0-\u024f\u1e00-\u1eff]|\p{M}/u;
const LATIN_WITH_MARKS = /(\p{Script=Latin})\p{M}+/gu;

/**
 * What FTS5's `unicode61 remove_diacritics 2` does and PostgreSQL's `simple` configuration does not:
 * diacritics are dropped from Latin letters (café = cafe, việt = viet, q + U+0301 = q), and only from
 * them (й, ά, ø and ł stay). Applied to the indexed text and to the tsquery alike.
 */
export function foldLatinDiacritics(text: string): string {
  if (!MAY_HAVE_LATIN_DIACRITIC.test(text)) return text;
  return text.normalize('NFD').replace(LATIN_WITH_MARKS, '$1').normalize('NFC');
}

const MESSAGE_COLUMNS =
  'leaf_index, dedup_key, platform, conversation_id, sender, sent_at, kind, platform_message_id, refers_to';

/**
 * SELECT producing message rows from ten parallel arrays starting at parameter $first. searchText is
 * segmentForIndex output (lower-cased tokens separated by single spaces, diacritics folded by
 * messageValues), so the default parser yields exactly the tokens the query parser produces.
 */
const MESSAGES_FROM_UNNEST = (first: number): string => {
  const types = ['bigint', 'bytea', 'text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text'];
  const arrays = types.map((t, i) => `$${first + i}::${t}[]`).join(', ');
  return `SELECT i, d, p, c, s, t, k, pm, r, to_tsvector('simple', x)
          FROM unnest(${arrays}) AS u(i, d, p, c, s, t, k, pm, r, x)`;
};

function messageValues(rows: readonly MessageRow[]): Buffer[] {
  return [
    int8Array(rows.map((r) => r.leafIndex)),
    byteaArray(rows.map((r) => r.dedupKey)),
    textArray(rows.map((r) => r.platform)),
    textArray(rows.map((r) => r.conversationId)),
    textArray(rows.map((r) => r.sender)),
    int8Array(rows.map((r) => r.sentAtMs)),
    textArray(rows.map((r) => r.kind)),
    textArray(rows.map((r) => r.platformMessageId)),
    textArray(rows.map((r) => r.refersTo)),
    textArray(rows.map((r) => foldLatinDiacritics(r.searchText))),
  ];
}

/** A whole group in one statement: data-modifying CTEs all run, in one round trip. */
const WRITE_GROUP_SQL = `
  WITH leaves AS (
    INSERT INTO ledger_leaves (leaf_index, record_id, record_type, leaf)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[])
  ), nodes AS (
    INSERT INTO ledger_nodes (node_id, hash) SELECT * FROM unnest($5::bigint[], $6::bytea[])
  ), contents AS (
    INSERT INTO record_contents (leaf_index, salt, content) SELECT * FROM unnest($7::bigint[], $8::bytea[], $9::bytea[])
  ), messages AS (
    INSERT INTO messages (${MESSAGE_COLUMNS}, search_vector) ${MESSAGES_FROM_UNNEST(10)}
  ), participants AS (
    INSERT INTO message_participants (handle, leaf_index) SELECT * FROM unnest($20::text[], $21::bigint[])
  )
  SELECT 1`;

/**
 * A write transaction. Like the SQLite store's, it buffers the rows and writes them just before COMMIT:
 * all the jobs of a group then share one statement per table (and reach the COPY threshold together),
 * and dedup lookups see the messages buffered earlier in the transaction, whose leaves are not yet
 * written. treeSize is the size when the lock was taken; readNodes reads committed nodes only.
 */
class PostgresWriteTx implements MessageWriteTx {
  private readonly leaves: LeafRow[] = [];
  private readonly nodes: NodeRow[] = [];
  private readonly contents: ContentRow[] = [];
  private readonly messages: MessageRow[] = [];
  private readonly buffered = new Map<string, ExistingMessage>();

  constructor(
    private readonly client: PoolClient,
    private readonly size: number,
  ) {}

  async treeSize(): Promise<number> {
    return this.size;
  }

  readNodes(ids: readonly number[]): Promise<Map<number, Buffer>> {
    return readNodesOf(this.client, ids);
  }

  async insertLeaves(rows: readonly LeafRow[]): Promise<void> {
    append(this.leaves, rows);
  }

  async insertNodes(rows: readonly NodeRow[]): Promise<void> {
    append(this.nodes, rows);
  }

  async putContents(rows: readonly ContentRow[]): Promise<void> {
    append(this.contents, rows);
  }

  async findByDedupKeys(keys: readonly Buffer[]): Promise<Map<string, ExistingMessage>> {
    const found = new Map<string, ExistingMessage>();
    const unseen: Buffer[] = [];
    for (const key of keys) {
      const hex = key.toString('hex');
      const hit = this.buffered.get(hex);
      if (hit === undefined) unseen.push(key);
      else found.set(hex, hit);
    }
    if (unseen.length === 0) return found;
    // Not a named statement: a generic plan cannot see how many keys there are and joins badly.
    const result = await this.client.query<{ dedup_key: Buffer; leaf_index: string; record_id: string }>(
      `SELECT m.dedup_key, m.leaf_index, l.record_id
       FROM messages m JOIN ledger_leaves l USING (leaf_index)
       WHERE m.dedup_key = ANY($1::bytea[])`,
      [byteaArray(unseen)],
    );
    for (const r of result.rows) {
      found.set(r.dedup_key.toString('hex'), { leafIndex: num(r.leaf_index), recordId: r.record_id });
    }
    return found;
  }

  async insertMessages(rows: readonly MessageRow[]): Promise<void> {
    for (const row of rows) {
      this.messages.push(row);
      this.buffered.set(row.dedupKey.toString('hex'), { leafIndex: row.leafIndex, recordId: row.recordId });
    }
  }

  /**
   * Writes the buffered rows. An ordinary group is one statement for all five tables (one round trip);
   * a group with thousands of rows in any table goes table by table, with COPY where it is large.
   */
  async flush(): Promise<void> {
    const participants = participantPairs(this.messages);
    const sizes = [this.leaves, this.nodes, this.contents, this.messages, participants.handles].map((r) => r.length);
    if (sizes.every((n) => n === 0)) return;
    if (sizes.every((n) => n < COPY_MIN_ROWS)) {
      await this.client.query({
        name: 'steno_write_group',
        text: WRITE_GROUP_SQL,
        values: this.groupValues(participants),
      });
      return;
    }
    await this.writeLeaves(this.leaves);
    await this.writeNodes(this.nodes);
    await this.writeContents(this.contents);
    await this.writeMessages(this.messages, participants);
  }

  private groupValues(participants: { handles: string[]; indexes: number[] }): unknown[] {
    const { leaves, nodes, contents, messages } = this;
    return [
      int8Array(leaves.map((r) => r.index)),
      textArray(leaves.map((r) => r.id)),
      textArray(leaves.map((r) => r.type)),
      byteaArray(leaves.map((r) => r.bytes)),
      int8Array(nodes.map((r) => r.id)),
      byteaArray(nodes.map((r) => r.hash)),
      int8Array(contents.map((r) => r.index)),
      byteaArray(contents.map((r) => r.salt)),
      byteaArray(contents.map((r) => r.content)),
      ...messageValues(messages),
      textArray(participants.handles),
      int8Array(participants.indexes),
    ];
  }

  private async writeLeaves(rows: readonly LeafRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (rows.length >= COPY_MIN_ROWS) {
      const w = new BinaryCopyWriter();
      for (const r of rows) {
        w.tuple(4);
        w.int8(r.index);
        w.text(r.id);
        w.text(r.type);
        w.bytea(r.bytes);
      }
      await copyBinary(this.client, 'ledger_leaves (leaf_index, record_id, record_type, leaf)', w);
      return;
    }
    await this.client.query({
      name: 'steno_insert_leaves',
      text: `INSERT INTO ledger_leaves (leaf_index, record_id, record_type, leaf)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[])`,
      values: [
        int8Array(rows.map((r) => r.index)),
        textArray(rows.map((r) => r.id)),
        textArray(rows.map((r) => r.type)),
        byteaArray(rows.map((r) => r.bytes)),
      ],
    });
  }

  private async writeNodes(rows: readonly NodeRow[]): Promise<void> {
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
    await this.client.query({
      name: 'steno_insert_nodes',
      text: 'INSERT INTO ledger_nodes (node_id, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])',
      values: [int8Array(rows.map((r) => r.id)), byteaArray(rows.map((r) => r.hash))],
    });
  }

  private async writeContents(rows: readonly ContentRow[]): Promise<void> {
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
    await this.client.query({
      name: 'steno_insert_contents',
      text: `INSERT INTO record_contents (leaf_index, salt, content)
             SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])`,
      values: [
        int8Array(rows.map((r) => r.index)),
        byteaArray(rows.map((r) => r.salt)),
        byteaArray(rows.map((r) => r.content)),
      ],
    });
  }

  private async writeMessages(
    rows: readonly MessageRow[],
    participants: { handles: string[]; indexes: number[] },
  ): Promise<void> {
    // Not COPY: it cannot compute the tsvector, and staging rows in a temporary table for an INSERT … SELECT
    // measured no faster than binary arrays. Chunks keep unnest's tuplestore within work_mem.
    for (let i = 0; i < rows.length; i += MESSAGES_PER_STATEMENT) {
      await this.client.query({
        name: 'steno_insert_messages',
        text: `INSERT INTO messages (${MESSAGE_COLUMNS}, search_vector) ${MESSAGES_FROM_UNNEST(1)}`,
        values: messageValues(rows.slice(i, i + MESSAGES_PER_STATEMENT)),
      });
    }
    const { handles, indexes } = participants;
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
    await this.client.query({
      name: 'steno_insert_participants',
      text: 'INSERT INTO message_participants (handle, leaf_index) SELECT * FROM unnest($1::text[], $2::bigint[])',
      values: [textArray(handles), int8Array(indexes)],
    });
  }
}

/** Appends without spreading, which overflows the stack for very large arrays. */
function append<T>(target: T[], rows: readonly T[]): void {
  for (const row of rows) target.push(row);
}

/** How many of the newest messages a full-text search checks before it asks the index for older matches. */
export function searchWindow(limit: number): number {
  return Math.max(5000, 50 * limit);
}

const HIT_COLUMNS = 'm.leaf_index, m.platform, m.conversation_id, m.sender, m.sent_at, m.kind';

/** The filters of one search as SQL, and the statements searchMessages runs with them. */
class MessageSearch {
  private readonly where: string[] = [];
  private readonly params: unknown[] = [];
  private readonly before: number | undefined;

  constructor(c: SearchCriteria) {
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
      this.where.push(`m.search_vector @@ to_tsquery('simple', ${this.param(foldLatinDiacritics(tsquery), 'text')})`);
    }
    if (c.platform !== undefined) this.where.push(`m.platform = ${this.param(c.platform, 'text')}`);
    if (c.conversationIds !== undefined) {
      this.where.push(`m.conversation_id = ANY(${this.param(c.conversationIds, 'text[]')})`);
    }
    if (c.hasOrder === true) this.where.push('m.leaf_index IN (SELECT message_index FROM orders)');
    if (c.hasAlert === true) {
      this.where.push('m.conversation_id IN (SELECT conversation_id FROM alerts WHERE conversation_id IS NOT NULL)');
    }
    if (c.conversationId !== undefined) {
      this.where.push(`m.conversation_id = ${this.param(c.conversationId, 'text')}`);
    }
    if (c.participant !== undefined) {
      this.where.push(
        `m.leaf_index IN (SELECT leaf_index FROM message_participants WHERE handle = ${this.param(c.participant, 'text')})`,
      );
    }
    if (c.participants !== undefined) {
      this.where.push(
        `m.leaf_index IN (SELECT leaf_index FROM message_participants WHERE handle = ANY(${this.param(c.participants, 'text[]')}))`,
      );
    }
    // Compared as bigint so the indexes apply; against an integer column, >= x and < x mean the same as
    // >= ceil(x) and < ceil(x), so a fractional bound behaves as in SQLite.
    if (c.fromMs !== undefined) this.where.push(`m.sent_at >= ${this.param(Math.ceil(c.fromMs), 'bigint')}`);
    if (c.toMs !== undefined) this.where.push(`m.sent_at < ${this.param(Math.ceil(c.toMs), 'bigint')}`);
    if (c.beforeIndex !== undefined) {
      this.before = Math.ceil(c.beforeIndex);
      this.where.push(`m.leaf_index < ${this.param(this.before, 'bigint')}`);
    }
  }

  private param(value: unknown, cast: string): string {
    this.params.push(value);
    return `$${this.params.length}::${cast}`;
  }

  /**
   * Up to `limit` hits, newest first.
   * - plain: one ORDER BY … LIMIT, the planner's choice;
   * - window: only among the `size` newest messages in range, walked backwards through the primary key
   *   (a subquery with its own LIMIT cannot be flattened, so no index can be chosen instead);
   * - collect: every match (below `below`, if given) gathered first, MATERIALIZED so PostgreSQL picks the
   *   cheapest way to find them all (for a rare term, the GIN index), then the newest kept.
   */
  async run(
    q: Queryable,
    limit: number,
    mode: { kind: 'plain' } | { kind: 'window'; size: number } | { kind: 'collect'; below: number | undefined },
  ): Promise<MessageHit[]> {
    const where = [...this.where];
    const params = [...this.params];
    const add = (value: unknown) => {
      params.push(value);
      return `$${params.length}::bigint`;
    };
    let source = 'messages m';
    if (mode.kind === 'window') {
      const before = this.before === undefined ? '' : `WHERE leaf_index < ${add(this.before)}`;
      source = `(SELECT * FROM messages ${before} ORDER BY leaf_index DESC LIMIT ${add(mode.size)}) m`;
    } else if (mode.kind === 'collect' && mode.below !== undefined) {
      where.push(`m.leaf_index < ${add(mode.below)}`);
    }
    const filtered = `SELECT ${HIT_COLUMNS} FROM ${source} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}`;
    const limitParam = add(limit);
    const hits =
      mode.kind === 'collect'
        ? `WITH matches AS MATERIALIZED (${filtered})
           SELECT * FROM matches m ORDER BY m.leaf_index DESC LIMIT ${limitParam}`
        : `${filtered} ORDER BY m.leaf_index DESC LIMIT ${limitParam}`;
    // Record ids are joined after the limit, so only the hits returned are looked up.
    const result = await q.query(
      `SELECT h.*, l.record_id FROM (${hits}) h JOIN ledger_leaves l ON l.leaf_index = h.leaf_index
       ORDER BY h.leaf_index DESC`,
      params,
    );
    return (result.rows as Row[]).map((r) => ({
      leafIndex: num(r.leaf_index),
      recordId: r.record_id as string,
      platform: r.platform as string,
      conversationId: r.conversation_id as string,
      sender: r.sender as string,
      sentAtMs: num(r.sent_at),
      kind: r.kind as string,
    }));
  }
}

export class PostgresStore
  implements
    LedgerStorage<PostgresWriteTx>,
    SearchStorage,
    ContentReader,
    RecordsByType,
    TokenStorage,
    AccountStorage,
    ConversationsByHandle,
    MessageCounts,
    MetaStorage,
    AuditStorage,
    EvidenceStorage,
    OrderStorage,
    ActivityStorage,
    AlertStorage
{
  readonly kind = 'postgres';

  /** The pool replaces broken connections itself; a database that is down shows up as failing requests. */
  healthy(): boolean {
    return true;
  }
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly lockKey: string;
  private readonly lockTimeoutMs: number;
  private closing: Promise<void> | null = null;

  private constructor(pool: pg.Pool, schema: string, lockKey: string, lockTimeoutMs: number) {
    this.pool = pool;
    this.schema = schema;
    this.lockKey = lockKey;
    this.lockTimeoutMs = lockTimeoutMs;
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const { schema } = options;
    if (!SCHEMA_NAME.test(schema)) {
      throw new StenoError('config', `PostgreSQL schema "${schema.slice(0, 80)}" must be a lower-case SQL identifier`);
    }
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    if (!Number.isSafeInteger(lockTimeoutMs) || lockTimeoutMs < 1) {
      throw new StenoError('config', 'the PostgreSQL write-lock timeout must be a positive number of milliseconds');
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
    return new PostgresStore(pool, schema, lockKey, lockTimeoutMs);
  }

  async writeTransaction<T>(fn: (tx: PostgresWriteTx) => Promise<T>): Promise<T> {
    return transaction(this.pool, async (client) => {
      // One round trip: begin; take the log's write lock, waiting for any other writer in any process up
      // to lockTimeoutMs (as SQLite's busy_timeout); make sure COMMIT waits for the WAL flush even where
      // the server default says otherwise; read the tree size now that the lock is held (each statement
      // takes a fresh snapshot).
      let begun: QueryResult<{ m: string | null }>[];
      try {
        begun = (await client.query(
          `BEGIN;
           SET LOCAL lock_timeout = ${this.lockTimeoutMs};
           SELECT pg_advisory_xact_lock('${this.lockKey}'::bigint);
           SET LOCAL lock_timeout TO DEFAULT;
           SELECT set_config('synchronous_commit', 'on', true) WHERE current_setting('synchronous_commit') = 'off';
           SELECT max(leaf_index) AS m FROM ledger_leaves`,
        )) as unknown as QueryResult<{ m: string | null }>[];
      } catch (error) {
        if (sqlState(error) !== '55P03') throw error;
        throw new StenoError(
          'io',
          `another writer held the write lock of the log in PostgreSQL schema "${this.schema}" for over ${this.lockTimeoutMs} ms`,
          { cause: error },
        );
      }
      const max = begun.at(-1)?.rows[0]?.m ?? null;
      const tx = new PostgresWriteTx(client, max === null ? 0 : num(max) + 1);
      const result = await fn(tx);
      await tx.flush();
      return result;
    });
  }

  treeSize(): Promise<number> {
    return treeSizeOf(this.pool);
  }

  readNodes(ids: readonly number[]): Promise<Map<number, Buffer>> {
    return readNodesOf(this.pool, ids);
  }

  /** See HashSpanReader (ledger/audit.ts): one aggregated row for a whole level of a chunk. */
  async readHashSpan(level: number, first: number, count: number): Promise<Buffer | null> {
    if (count === 0) return Buffer.alloc(0);
    if (level < 1) throw new StenoError('invalid_input', 'only subtree hashes (level 1 and up) are stored');
    const low = level * LEVEL_ONE_NODE_ID + first;
    const result = await this.pool.query<{
      n: string;
      shortest: number | null;
      longest: number | null;
      hashes: Buffer | null;
    }>(
      `SELECT count(*) AS n, min(length(hash)) AS shortest, max(length(hash)) AS longest,
              string_agg(hash, ''::bytea ORDER BY node_id) AS hashes
       FROM ledger_nodes WHERE node_id BETWEEN $1::bigint AND $2::bigint`,
      [low, low + count - 1],
    );
    const r = result.rows[0]!;
    return num(r.n) === count && r.shortest === HASH_SIZE && r.longest === HASH_SIZE ? r.hashes : null;
  }

  async messageCountsByDay(fromMs: number, conversationIds?: readonly string[]): Promise<DayCount[]> {
    const scoped = conversationIds !== undefined;
    const result = await this.pool.query<{ day: string; platform: string; count: string }>(
      `SELECT sent_at / 86400000 AS day, platform, count(*) AS count FROM messages WHERE sent_at >= $1
       ${scoped ? 'AND conversation_id = ANY($2::text[])' : ''}
       GROUP BY 1, 2 ORDER BY 1, 2`,
      scoped ? [Math.ceil(fromMs), conversationIds] : [Math.ceil(fromMs)],
    );
    return result.rows.map((r) => ({
      day: dayOf(Number(r.day) * 86_400_000),
      platform: r.platform,
      count: Number(r.count),
    }));
  }

  async latestMessageIndex(): Promise<number> {
    const result = await this.pool.query<{ max: string | null }>('SELECT max(leaf_index) AS max FROM messages');
    return result.rows[0]?.max == null ? -1 : Number(result.rows[0].max);
  }

  async conversationsWith(platform: string, handle: string, afterIndex: number): Promise<HandleConversation[]> {
    const result = await this.pool.query<{ conversation_id: string; first: string; last: string }>(
      `SELECT m.conversation_id, min(m.sent_at) AS first, max(m.sent_at) AS last
       FROM message_participants p JOIN messages m USING (leaf_index)
       WHERE p.handle = $1 AND p.leaf_index > $3 AND m.platform = $2 GROUP BY m.conversation_id`,
      [handle, platform, afterIndex],
    );
    return result.rows.map((r) => ({
      conversationId: r.conversation_id,
      firstMs: Number(r.first),
      lastMs: Number(r.last),
    }));
  }

  async recordsOfTypeBefore(type: string, beforeIndex: number | null, limit: number): Promise<StoredRecord[]> {
    const result = await this.pool.query<{
      leaf_index: string;
      record_id: string;
      leaf: Buffer;
      content: Buffer | null;
    }>(
      `SELECT l.leaf_index, l.record_id, l.leaf, c.content FROM (
         SELECT leaf_index, record_id, leaf FROM ledger_leaves
         WHERE record_type = $1 AND record_type <> 'message' AND leaf_index < $2
         ORDER BY record_type DESC, leaf_index DESC LIMIT $3
       ) l LEFT JOIN record_contents c USING (leaf_index) ORDER BY l.leaf_index DESC`,
      [type, beforeIndex ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return result.rows.map((r) => ({ index: Number(r.leaf_index), id: r.record_id, leaf: r.leaf, content: r.content }));
  }

  async recordsOfType(type: string, afterIndex = -1, limit?: number): Promise<StoredRecord[]> {
    const result = await this.pool.query<{
      leaf_index: string;
      record_id: string;
      leaf: Buffer;
      content: Buffer | null;
    }>(
      // The page is taken from the type index alone (its order is the index's), then joined to its
      // content: joined first, the planner may sort every remaining record of the type for each page.
      `SELECT l.leaf_index, l.record_id, l.leaf, c.content FROM (
         SELECT leaf_index, record_id, leaf FROM ledger_leaves
         WHERE record_type = $1 AND record_type <> 'message' AND leaf_index > $2
         ORDER BY record_type, leaf_index LIMIT $3
       ) l LEFT JOIN record_contents c USING (leaf_index) ORDER BY l.leaf_index`,
      [type, afterIndex, limit ?? null],
    );
    return result.rows.map((r) => ({ index: Number(r.leaf_index), id: r.record_id, leaf: r.leaf, content: r.content }));
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
      [int8Array(wanted)],
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
      [int8Array(wanted)],
    );
    for (const r of result.rows) {
      const index = num(r.leaf_index);
      out.set(index, { index, id: r.record_id, bytes: r.leaf });
    }
    return out;
  }

  /**
   * Newest first, like FTS5's rowid-ordered scan. GIN returns matches in no order, so for a full-text term
   * (and likewise a conversation, participant or platform) there are two plans, and the planner cannot
   * tell which is cheap (it has no useful estimate for a lexeme outside its most-common list, nor for a
   * value before the table is analysed): walking back through the newest messages until `limit` match
   * (fast for common terms, a full scan for rare ones), or collecting every match through an index and
   * keeping the newest (fast for rare terms, slow for common ones). So: walk back through at most
   * searchWindow(limit) messages; if that finds fewer than `limit`, it saw every match in that window, and
   * the rest are the newest matches older than the oldest hit (or than beforeIndex), collected through the
   * indexes. The answer is the same as one ORDER BY … LIMIT: the data is append-only, so rows committed in
   * between are newer than anything the second statement looks at. Time bounds alone are left to the
   * planner, which estimates ranges well.
   */
  async searchMessages(c: SearchCriteria): Promise<MessageHit[]> {
    if (c.participants !== undefined && c.participants.length === 0) return [];
    try {
      const search = new MessageSearch(c);
      const selective =
        c.query !== undefined ||
        c.conversationId !== undefined ||
        c.participant !== undefined ||
        c.participants !== undefined ||
        c.platform !== undefined;
      // One conversation, no words: its index finds every message of it at once, and the planner's
      // own plan (those rows, sorted) beats walking the newest messages of the whole archive.
      const oneConversation = c.conversationId !== undefined && c.query === undefined;
      if (!selective || oneConversation) return await search.run(this.pool, c.limit, { kind: 'plain' });
      const recent = await search.run(this.pool, c.limit, { kind: 'window', size: searchWindow(c.limit) });
      if (recent.length >= c.limit) return recent;
      const oldest = recent.at(-1)?.leafIndex;
      const older = await search.run(this.pool, c.limit - recent.length, { kind: 'collect', below: oldest });
      return [...recent, ...older];
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
  }

  /**
   * Three ordered range scans merge-joined. The lower bound is repeated for contents and messages because
   * PostgreSQL does not carry it across an outer join: without it each batch reads both tables from index 0.
   */
  async scanRecords(fromIndex: number, limit: number): Promise<AuditRow[]> {
    const result = await this.pool.query(
      `SELECT l.leaf_index, l.record_id, l.record_type, l.leaf, c.salt, c.content,
              m.leaf_index AS m_index, m.platform, m.conversation_id, m.sender, m.sent_at, m.kind,
              m.platform_message_id, m.refers_to
       FROM ledger_leaves l
       LEFT JOIN record_contents c ON c.leaf_index = l.leaf_index AND c.leaf_index >= $1::bigint
       LEFT JOIN messages m ON m.leaf_index = l.leaf_index AND m.leaf_index >= $1::bigint
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

  async setMetaIfEquals(key: string, expected: string | null, value: string): Promise<void> {
    const result =
      expected === null
        ? await this.pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING', [key, value])
        : await this.pool.query('UPDATE meta SET value = $3 WHERE key = $1 AND value = $2', [key, expected, value]);
    if (result.rowCount !== 1) throw new StenoError('conflict', `${key} was changed by another process`);
  }

  async metaWithPrefix(prefix: string): Promise<{ key: string; value: string }[]> {
    const result = await this.pool.query<{ key: string; value: string }>(
      'SELECT key, value FROM meta WHERE starts_with(key, $1) ORDER BY key',
      [prefix],
    );
    return result.rows;
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

  async findUser(username: string): Promise<{ user: UserRecord; version: number } | null> {
    const result = await this.pool.query('SELECT version, body FROM console_users WHERE username = $1', [username]);
    const row = result.rows[0] as { version: string; body: string } | undefined;
    return row === undefined ? null : { user: userFromBody(row.body), version: Number(row.version) };
  }

  async listUsers(): Promise<UserRecord[]> {
    const result = await this.pool.query('SELECT body FROM console_users ORDER BY username');
    return (result.rows as { body: string }[]).map((r) => userFromBody(r.body));
  }

  async insertUser(user: UserRecord): Promise<boolean> {
    const result = await this.pool.query(
      'INSERT INTO console_users (username, version, body) VALUES ($1, 1, $2) ON CONFLICT DO NOTHING',
      [user.username, userBody(user)],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async updateUser(user: UserRecord, version: number): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE console_users SET body = $1, version = version + 1 WHERE username = $2 AND version = $3',
      [userBody(user), user.username, version],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async insertSession(idHash: Buffer, session: SessionRecord, expiresAtMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO console_sessions (id_hash, username, expires_at, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id_hash) DO UPDATE SET expires_at = excluded.expires_at, body = excluded.body`,
      [idHash, session.username, expiresAtMs, sessionBody(session)],
    );
  }

  async findSession(idHash: Buffer): Promise<SessionRecord | null> {
    const result = await this.pool.query('SELECT body FROM console_sessions WHERE id_hash = $1', [idHash]);
    const row = result.rows[0] as { body: string } | undefined;
    return row === undefined ? null : sessionFromBody(row.body);
  }

  /** Only a session that still exists: one ended meanwhile (signed out, reset) must stay ended. */
  async updateSession(idHash: Buffer, session: SessionRecord, expiresAtMs: number): Promise<void> {
    await this.pool.query('UPDATE console_sessions SET expires_at = $1, body = $2 WHERE id_hash = $3', [
      expiresAtMs,
      sessionBody(session),
      idHash,
    ]);
  }

  async deleteSession(idHash: Buffer): Promise<void> {
    await this.pool.query('DELETE FROM console_sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteSessions(which: { username: string } | { expiredBefore: number }): Promise<void> {
    if ('username' in which)
      await this.pool.query('DELETE FROM console_sessions WHERE username = $1', [which.username]);
    else await this.pool.query('DELETE FROM console_sessions WHERE expires_at <= $1', [which.expiredBefore]);
  }

  ordersState(): Promise<string | null> {
    return this.getMeta(ORDERS_STATE_KEY);
  }

  async messagesAfter(
    afterIndex: number,
    limit: number,
    options: { containing?: readonly Buffer[] } = {},
  ): Promise<ArchivedMessage[]> {
    const containing = options.containing ?? [];
    // With `containing`, only the contents holding one of those byte strings are read out.
    const content =
      containing.length === 0
        ? 'c.content'
        : `CASE WHEN ${containing.map((_, i) => `position($${i + 3}::bytea IN c.content) > 0`).join(' OR ')} THEN c.content END`;
    const result = await this.pool.query<{ leaf_index: string; record_id: string; content: Buffer | null }>(
      `SELECT m.leaf_index, l.record_id, ${content} AS content FROM messages m JOIN ledger_leaves l USING (leaf_index)
       LEFT JOIN record_contents c USING (leaf_index) WHERE m.leaf_index > $1 ORDER BY m.leaf_index LIMIT $2`,
      [afterIndex, limit, ...containing],
    );
    return result.rows.map((r) => ({ index: num(r.leaf_index), recordId: r.record_id, content: r.content }));
  }

  async conversationOrders(
    conversationIds: readonly string[],
    fromMs: number,
  ): Promise<{ orders: StoredOrder[]; acks: StoredAck[] }> {
    const select = async (table: string) =>
      (
        await this.pool.query<{ body: string }>(
          `SELECT body FROM ${table} WHERE conversation_id = ANY($1::text[]) AND sent_at >= $2`,
          [textArray(conversationIds), fromMs],
        )
      ).rows;
    return {
      orders: (await select('orders')).map(fromBody<StoredOrder>),
      acks: (await select('order_acks')).map(fromBody<StoredAck>),
    };
  }

  async allOrders(): Promise<StoredOrder[]> {
    return (await this.pool.query<{ body: string }>('SELECT body FROM orders')).rows.map(fromBody<StoredOrder>);
  }

  async findOrders(criteria: OrderCriteria): Promise<StoredOrder[]> {
    const { sql, params } = findOrdersQuery(criteria, (n) => `$${n}`);
    return (await this.pool.query<{ body: string }>(sql, params)).rows.map(fromBody<StoredOrder>);
  }

  async messageIndexOf(recordId: string): Promise<number | null> {
    const result = await this.pool.query<{ leaf_index: string }>(
      "SELECT leaf_index FROM ledger_leaves WHERE record_id = $1 AND record_type = 'message'",
      [recordId],
    );
    const row = result.rows[0];
    return row === undefined ? null : num(row.leaf_index);
  }

  /**
   * One step of the order projection, committed only if its state is still the one the step started
   * from. A lock of its own (not the ledger's) orders these steps across processes.
   */
  async writeOrders(write: OrdersWrite): Promise<void> {
    await transaction(this.pool, async (client) => {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock('${projectionLockKey('orders', this.schema)}'::bigint)`);
      const current = await client.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [
        ORDERS_STATE_KEY,
      ]);
      if ((current.rows[0]?.value ?? null) !== write.expectedState) {
        throw new StenoError('conflict', 'the order projection was moved on by another process');
      }
      if (write.reset) await client.query('DELETE FROM orders; DELETE FROM order_acks');
      const orders = write.orders.map(orderRowValues);
      for (let i = 0; i < orders.length; i += 5000) {
        const part = orders.slice(i, i + 5000);
        const column = <T>(n: number) => part.map((r) => r[n] as T);
        await client.query(
          `INSERT INTO orders (${ORDER_COLUMNS})
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::text[],
                                $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
           ON CONFLICT (order_id) DO UPDATE SET client_id = excluded.client_id, staff_id = excluded.staff_id,
             body = excluded.body`,
          [
            textArray(column<string>(0)),
            int8Array(column<number>(1)),
            int8Array(column<number>(2)),
            textArray(column<string>(3)),
            int8Array(column<number>(4)),
            textArray(column<string>(5)),
            textArray(column<string | null>(6)),
            textArray(column<string>(7)),
            textArray(column<string | null>(8)),
            textArray(column<string | null>(9)),
            textArray(column<string>(10)),
          ],
        );
      }
      const acks = write.acks.map(ackRowValues);
      if (acks.length > 0) {
        await client.query(
          `INSERT INTO order_acks (message_index, conversation_id, sent_at, body)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[])
           ON CONFLICT (message_index) DO UPDATE SET body = excluded.body`,
          [
            int8Array(acks.map((a) => a[0])),
            textArray(acks.map((a) => a[1])),
            int8Array(acks.map((a) => a[2])),
            textArray(acks.map((a) => a[3])),
          ],
        );
      }
      await client.query(
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [ORDERS_STATE_KEY, write.state],
      );
    });
  }

  activityState(): Promise<string | null> {
    return this.getMeta(ACTIVITY_STATE_KEY);
  }

  async knownActivityKeys(keys: readonly string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (let i = 0; i < keys.length; i += 50_000) {
      const result = await this.pool.query<{ event_key: string }>(
        'SELECT event_key FROM activity WHERE event_key = ANY($1::text[])',
        [textArray(keys.slice(i, i + 50_000))],
      );
      for (const r of result.rows) known.add(r.event_key);
    }
    return known;
  }

  async rootOrderIds(orderIds: readonly string[]): Promise<Map<string, string>> {
    const result = await this.pool.query<{ order_id: string; root_order_id: string }>(
      'SELECT order_id, root_order_id FROM activity WHERE order_id = ANY($1::text[]) ORDER BY leaf_index DESC',
      [textArray(orderIds)],
    );
    const roots = new Map<string, string>();
    for (const r of result.rows) roots.set(r.order_id, r.root_order_id);
    return roots;
  }

  /** One step of the activity projection, compared and set like writeOrders, under a lock of its own. */
  async writeActivity(write: ActivityWrite): Promise<void> {
    await transaction(this.pool, async (client) => {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock('${projectionLockKey('activity', this.schema)}'::bigint)`);
      const current = await client.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [
        ACTIVITY_STATE_KEY,
      ]);
      if ((current.rows[0]?.value ?? null) !== write.expectedState) {
        throw new StenoError('conflict', 'the activity projection was moved on by another process');
      }
      if (write.reset) await client.query('DELETE FROM activity');
      for (let i = 0; i < write.rows.length; i += 5000) {
        const part = write.rows.slice(i, i + 5000);
        const column = <T>(n: number) => part.map((r) => r[n] as T);
        await client.query(
          `INSERT INTO activity (${ACTIVITY_COLUMNS})
           SELECT k, i, kind, o, r, a, t::bigint, b
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
             AS u(k, i, kind, o, r, a, t, b)
           ON CONFLICT (event_key) DO NOTHING`,
          [
            textArray(column<string>(0)),
            int8Array(column<number>(1)),
            textArray(column<string>(2)),
            textArray(column<string>(3)),
            textArray(column<string>(4)),
            textArray(column<string | null>(5)),
            textArray(column<number | null>(6).map((v) => (v === null ? null : String(v)))),
            textArray(column<string>(7)),
          ],
        );
      }
      await client.query(
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [ACTIVITY_STATE_KEY, write.state],
      );
    });
  }

  async activitySpan(afterIndex: number, throughIndex: number): Promise<ActivitySpan> {
    const result = await this.pool.query(
      activitySpanQuery((n) => `$${n}`),
      [afterIndex, throughIndex],
    );
    return activitySpanFromRow(result.rows[0]);
  }

  async activityForPeriod(fromMs: number, toMs: number): Promise<StoredActivity[]> {
    const result = await this.pool.query<{ body: string }>(
      activityForPeriodQuery((n) => `$${n}`),
      [fromMs, toMs],
    );
    return result.rows.map(fromBody<StoredActivity>);
  }

  alertsState(): Promise<string | null> {
    return this.getMeta(ALERTS_STATE_KEY);
  }

  /**
   * One step of the alert projection, compared and set like writeOrders, under a lock of its own. An
   * alert already stored is replaced whole; a new alert whose dedup key another alert holds fails the step.
   */
  async writeAlerts(write: AlertsWrite): Promise<void> {
    await transaction(this.pool, async (client) => {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock('${projectionLockKey('alerts', this.schema)}'::bigint)`);
      const current = await client.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [
        ALERTS_STATE_KEY,
      ]);
      if ((current.rows[0]?.value ?? null) !== write.expectedState) {
        throw new StenoError('conflict', 'the alert projection was moved on by another process');
      }
      if (write.reset) await client.query('DELETE FROM alerts');
      // One statement cannot update a row twice: where the write holds an alert more than once, the last
      // one is kept, as the SQLite store's row-by-row upserts would leave it.
      const latest = new Map<string, StoredAlert>();
      for (const a of write.alerts) latest.set(a.id, a);
      const rows = [...latest.values()].map(alertRowValues);
      for (let i = 0; i < rows.length; i += 5000) {
        const part = rows.slice(i, i + 5000);
        const column = <T>(n: number) => part.map((r) => r[n] as T);
        await client.query(
          `INSERT INTO alerts (${ALERT_COLUMNS})
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
                                $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
           ON CONFLICT (alert_id) DO UPDATE SET ${ALERT_COLUMNS.split(', ')
             .filter((c) => c !== 'alert_id')
             .map((c) => `${c} = excluded.${c}`)
             .join(', ')}`,
          [
            textArray(column<string>(0)),
            textArray(column<string>(1)),
            int8Array(column<number>(2)),
            int8Array(column<number>(3)),
            textArray(column<string>(4)),
            textArray(column<string>(5)),
            textArray(column<string>(6)),
            textArray(column<string>(7)),
            textArray(column<string | null>(8)),
            textArray(column<string | null>(9)),
            textArray(column<string | null>(10)),
            textArray(column<string>(11)),
          ],
        );
      }
      await client.query(
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [ALERTS_STATE_KEY, write.state],
      );
    });
  }

  async alertsByIds(ids: readonly string[]): Promise<StoredAlert[]> {
    const alerts: StoredAlert[] = [];
    for (let i = 0; i < ids.length; i += 50_000) {
      const result = await this.pool.query<{ body: string }>(
        'SELECT body FROM alerts WHERE alert_id = ANY($1::text[])',
        [textArray(ids.slice(i, i + 50_000))],
      );
      for (const r of result.rows) alerts.push(fromBody<StoredAlert>(r));
    }
    return alerts;
  }

  async alertIdsByDedupKey(keys: readonly string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (let i = 0; i < keys.length; i += 50_000) {
      const result = await this.pool.query<{ dedup_key: string; alert_id: string }>(
        'SELECT dedup_key, alert_id FROM alerts WHERE dedup_key = ANY($1::text[])',
        [textArray(keys.slice(i, i + 50_000))],
      );
      for (const r of result.rows) ids.set(r.dedup_key, r.alert_id);
    }
    return ids;
  }

  async listAlerts(criteria: AlertCriteria): Promise<StoredAlert[]> {
    const { sql, params } = listAlertsQuery(criteria, (n) => `$${n}`);
    return (await this.pool.query<{ body: string }>(sql, params)).rows.map(fromBody<StoredAlert>);
  }

  async countAlerts(): Promise<{ type: string; state: AlertState; severity: Severity; count: number }[]> {
    const result = await this.pool.query<{ type: string; state: AlertState; severity: Severity; count: string }>(
      'SELECT type, state, severity, COUNT(*) AS count FROM alerts GROUP BY type, state, severity',
    );
    return result.rows.map((r) => ({ type: r.type, state: r.state, severity: r.severity, count: num(r.count) }));
  }

  rulesState(): Promise<string | null> {
    return this.getMeta(RULES_STATE_KEY);
  }

  /** How far the rules have read, compared and set under a lock of its own (the row may not exist yet). */
  async setRulesState(expectedState: string | null, state: string): Promise<void> {
    await transaction(this.pool, async (client) => {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock('${projectionLockKey('rules', this.schema)}'::bigint)`);
      const current = await client.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [RULES_STATE_KEY]);
      if ((current.rows[0]?.value ?? null) !== expectedState) {
        throw new StenoError('conflict', 'the rules were moved on by another process');
      }
      await client.query(
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [RULES_STATE_KEY, state],
      );
    });
  }

  async ordersBetween(afterIndex: number, throughIndex: number, limit: number): Promise<StoredOrder[]> {
    const result = await this.pool.query<{ body: string }>(
      `SELECT body FROM orders WHERE message_index > $1 AND message_index <= $2
       ORDER BY message_index, ordinal LIMIT $3`,
      [afterIndex, throughIndex, limit],
    );
    return result.rows.map(fromBody<StoredOrder>);
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

function auditRowFrom(r: Row): AuditRow {
  return {
    index: num(r.leaf_index),
    id: r.record_id as string,
    type: r.record_type as string,
    bytes: r.leaf as Buffer,
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
