/**
 * The embedded backend: one SQLite file in WAL mode with synchronous=FULL, so a commit is on disk when
 * it returns. Writes use their own connection and are serialised in-process (the ledger writer already
 * groups them); BEGIN IMMEDIATE also serialises against other processes (a CLI import beside the server).
 */
/**
 * The embedded backend: one SQLite file in WAL mode with synchronous=FULL, so a commit is on disk when
 * it returns. Reads run on the main thread; every write goes to one connection in a worker thread
 * (writer.ts), serialised in-process and, through BEGIN IMMEDIATE, against other processes (a CLI import
 * beside the server).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AccountStorage, SessionRecord, UserRecord } from '../../auth/accounts.js';
import type { TokenRow, TokenStorage } from '../../auth/tokens.js';
import type { ActivitySpan, ActivityStorage, ActivityWrite, StoredActivity } from '../../capture/activity/archive.js';
import type { ExistingMessage, MessageRow, MessageWriteTx } from '../../capture/ingest.js';
import { StenoError } from '../../core/errors.js';
import { toFts5Match } from '../../index/query.js';
import type { AuditRow, AuditStorage } from '../../ledger/audit.js';
import type { ContentReader, RecordsByType, StoredContent, StoredRecord } from '../../ledger/content.js';
import type { ContentRow, LeafRow, LedgerStorage, NodeRow, StoredCheckpoint } from '../../ledger/log.js';
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
import { ACTIVITY_STATE_KEY, activityForPeriodQuery, activitySpanFromRow, activitySpanQuery } from '../activity.js';
import { ALERTS_STATE_KEY, listAlertsQuery, RULES_STATE_KEY } from '../alerts.js';
import type { MetaStorage } from '../meta.js';
import { ackRowValues, findOrdersQuery, fromBody, ORDERS_STATE_KEY, orderRowValues } from '../orders.js';
import { checkpointFromRow, tokenFromRow } from '../rows.js';
import { AuditScanner } from './audit-scan.js';
import { transferList } from './batch.js';
import { type Db, NodeReader, openDb } from './connection.js';
import { DedupFilter } from './dedup-filter.js';
import { allOf, anyOf, conversationToken, dedupToken, participantToken } from './keys.js';
import { asBuffer, packBatch, STALE_TREE, type WriteBatch } from './writer.js';
import { WriterClient } from './writer-client.js';

type Row = Record<string, unknown>;

/** SQLite allows 32766 bound parameters; stay well inside it. */
const MAX_PARAMS = 4096;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A write transaction, prepared on the main thread and committed by the writer worker in one message.
 * Reads (tree size, subtree hashes, dedup keys) use the main thread's connection, which sees every
 * committed write; rows inserted earlier in the same transaction are answered from the buffer. The tree
 * size is the version: the worker re-checks it under the write lock and refuses a batch prepared against
 * an older tree (every commit, by any process, grows the tree), so the dedup lookups were complete.
 */
class SqliteWriteTx implements MessageWriteTx {
  readonly batch: WriteBatch = { leaves: [], nodes: [], contents: [], messages: [] };
  /** Dedup keys this transaction inserts. */
  readonly own = new Map<string, ExistingMessage>();

  constructor(
    private readonly reads: SqliteReads,
    private readonly size: number,
    /** Keys of the predecessors still committing, whose rows the reader cannot see yet. */
    private readonly inherited: readonly ReadonlyMap<string, ExistingMessage>[] = [],
  ) {}

  private buffered(hex: string): ExistingMessage | undefined {
    const own = this.own.get(hex);
    if (own !== undefined) return own;
    for (const keys of this.inherited) {
      const found = keys.get(hex);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  async treeSize(): Promise<number> {
    return this.size;
  }
  async readNodes(ids: readonly number[]): Promise<Map<number, Buffer>> {
    return this.reads.nodes.readNodes(ids);
  }
  async insertLeaves(rows: readonly LeafRow[]): Promise<void> {
    this.batch.leaves.push(...rows);
  }
  async insertNodes(rows: readonly NodeRow[]): Promise<void> {
    this.batch.nodes.push(...rows);
  }
  async putContents(rows: readonly ContentRow[]): Promise<void> {
    this.batch.contents.push(...rows);
  }
  async findByDedupKeys(keys: readonly Buffer[]): Promise<Map<string, ExistingMessage>> {
    const found = this.reads.findDedup(keys.filter((k) => this.buffered(k.toString('hex')) === undefined));
    for (const key of keys) {
      const hit = this.buffered(key.toString('hex'));
      if (hit !== undefined) found.set(key.toString('hex'), hit);
    }
    return found;
  }
  async insertMessages(rows: readonly MessageRow[]): Promise<void> {
    for (const row of rows) {
      this.batch.messages.push(row);
      this.own.set(row.dedupKey.toString('hex'), { leafIndex: row.leafIndex, recordId: row.recordId });
    }
  }
}

class SqliteReads {
  readonly nodes: NodeReader;
  private readonly db: Db;
  private filter = new DedupFilter();
  private readonly keysSince;
  private readonly countMessages;

  constructor(db: Db) {
    this.db = db;
    this.nodes = new NodeReader(db);
    this.keysSince = db.prepare('SELECT leaf_index, dedup_key FROM messages WHERE leaf_index >= ?').raw(true);
    this.countMessages = db.prepare('SELECT count(*) FROM messages').pluck();
  }

  /** Brings the filter up to every committed message, including other processes' (a CLI import). */
  private syncFilter(): void {
    if (this.filter.full) {
      this.filter = DedupFilter.forCount(this.countMessages.get() as number);
    }
    let covered = this.filter.coveredSize;
    for (const [index, key] of this.keysSince.iterate(covered) as IterableIterator<[number, Buffer]>) {
      this.filter.add(key);
      covered = Math.max(covered, index + 1);
    }
    this.filter.coveredSize = covered;
  }

  /** Our own commit: its keys go straight into the filter instead of being read back. */
  committed(sizeBefore: number, sizeAfter: number, messages: readonly MessageRow[]): void {
    if (this.filter.coveredSize !== sizeBefore) return;
    for (const m of messages) this.filter.add(m.dedupKey);
    this.filter.coveredSize = sizeAfter;
  }

  findDedup(keys: readonly Buffer[]): Map<string, ExistingMessage> {
    this.syncFilter();
    const found = new Map<string, ExistingMessage>();
    const maybe = keys.filter((k) => this.filter.mightContain(k));
    for (const part of chunks(maybe, 200)) {
      const rows = this.db
        .prepare(
          `SELECT m.leaf_index, m.dedup_key, l.record_id FROM message_keys k
           JOIN messages m ON m.leaf_index = k.rowid JOIN ledger_leaves l ON l.leaf_index = m.leaf_index
           WHERE message_keys MATCH ?`,
        )
        .raw(true)
        .all(anyOf(part.map(dedupToken))) as [number, Buffer, string][];
      const wanted = new Set(part.map((k) => k.toString('hex')));
      for (const [leafIndex, key, recordId] of rows) {
        const hex = key.toString('hex');
        if (wanted.has(hex)) found.set(hex, { leafIndex, recordId });
      }
    }
    return found;
  }
}

/** How often a batch is prepared again when other processes keep appending under it. */
const MAX_STALE_RETRIES = 20;

export interface SqliteStoreOptions {
  path: string;
}

export class SqliteStore
  implements
    LedgerStorage<SqliteWriteTx>,
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
  readonly kind = 'sqlite';
  /** Groups waiting for the writer are committed together (writer-worker.ts), so let several queue. */
  readonly groupsInFlight = 4;

  /** Whether writes can succeed: false when the writer thread has died. */
  healthy(): boolean {
    return this.writer.healthy;
  }
  private readonly writer: WriterClient;
  private readonly reader: Db;
  private readonly reads: SqliteReads;
  private auditScanner: AuditScanner | undefined;
  private writeChain: Promise<unknown> = Promise.resolve();
  /** Batches sent to the writer and not yet answered, oldest first: the next batch builds on the last. */
  private uncommitted: { sizeAfter: number; keys: ReadonlyMap<string, ExistingMessage> }[] = [];

  private constructor(writer: WriterClient, reader: Db) {
    this.writer = writer;
    this.reader = reader;
    this.reads = new SqliteReads(reader);
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    let writer: WriterClient | null = null;
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      writer = await WriterClient.start(options.path);
      return new SqliteStore(writer, openDb(options.path, { readonly: true }));
    } catch (error) {
      await writer?.close();
      if (error instanceof StenoError && error.code !== 'io') throw error;
      throw new StenoError('io', `cannot open the SQLite database at ${options.path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Serialises use of the writer within this process: a transaction's calls are never interleaved. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(fn, fn);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Prepares under the in-process lock, then commits outside it: while the writer commits, the next
   * batches are prepared against the tree size and keys the batches before them will leave (the writer
   * commits the batches waiting for it together). The writer takes batches in order and refuses one
   * whose expected tree size does not hold (a predecessor failed, or another process appended); that one
   * is prepared again. A failure drops every unanswered batch from the chain, so nothing is prepared
   * again on a batch that will not commit, or told that its message is a duplicate of one in it.
   */
  async writeTransaction<T>(fn: (tx: SqliteWriteTx) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { result, outcome } = await this.exclusive(async () => {
        const base = this.uncommitted.at(-1);
        const size = base?.sizeAfter ?? this.reads.nodes.treeSize();
        const tx = new SqliteWriteTx(
          this.reads,
          size,
          this.uncommitted.map((u) => u.keys),
        );
        const result = await fn(tx);
        const packed = packBatch(size, tx.batch);
        const pending = { sizeAfter: size + tx.batch.leaves.length, keys: tx.own };
        this.uncommitted.push(pending);
        // Settles after the bookkeeping, so a caller that retries never sees this batch as pending.
        const outcome = this.writer.callTransferring(transferList(packed), 'writeAndCommit', packed).then(
          () => {
            this.uncommitted = this.uncommitted.filter((u) => u !== pending);
            this.reads.committed(size, pending.sizeAfter, tx.batch.messages);
          },
          (error: unknown) => {
            this.uncommitted = [];
            throw error;
          },
        );
        outcome.catch(() => undefined);
        return { result, outcome };
      });
      try {
        await outcome;
        return result;
      } catch (error) {
        const stale = error instanceof StenoError && error.message.includes(STALE_TREE);
        if (!stale || attempt >= MAX_STALE_RETRIES) throw error;
      }
    }
  }

  async treeSize(): Promise<number> {
    return this.reads.nodes.treeSize();
  }

  async readNodes(ids: readonly number[]): Promise<Map<number, Buffer>> {
    return this.reads.nodes.readNodes(ids);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const row = this.reader.prepare('SELECT * FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1').get() as
      | Row
      | undefined;
    return row === undefined ? null : checkpointFromRow(row);
  }

  async checkpointAtLeast(size: number): Promise<StoredCheckpoint | null> {
    const row = this.reader
      .prepare('SELECT * FROM ledger_checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT 1')
      .get(size) as Row | undefined;
    return row === undefined ? null : checkpointFromRow(row);
  }

  async listCheckpoints(): Promise<StoredCheckpoint[]> {
    return (this.reader.prepare('SELECT * FROM ledger_checkpoints ORDER BY tree_size').all() as Row[]).map(
      checkpointFromRow,
    );
  }

  putCheckpoint(cp: StoredCheckpoint): Promise<StoredCheckpoint> {
    return this.exclusive(async () => {
      const row = await this.writer.call('putCheckpoint', cp);
      return checkpointFromRow({ ...row, root: asBuffer(row.root) });
    });
  }

  async readContents(indexes: readonly number[]): Promise<Map<number, StoredContent>> {
    const out = new Map<number, StoredContent>();
    for (const part of chunks(indexes, MAX_PARAMS)) {
      const rows = this.reader
        .prepare(
          `SELECT leaf_index, salt, content FROM record_contents WHERE leaf_index IN (${part.map(() => '?').join(',')})`,
        )
        .all(...part) as { leaf_index: number; salt: Buffer; content: Buffer }[];
      for (const r of rows) out.set(r.leaf_index, { index: r.leaf_index, salt: r.salt, content: r.content });
    }
    return out;
  }

  async readLeaves(indexes: readonly number[]): Promise<Map<number, StoredLeaf>> {
    const out = new Map<number, StoredLeaf>();
    for (const part of chunks(indexes, MAX_PARAMS)) {
      const rows = this.reader
        .prepare(
          `SELECT leaf_index, record_id, leaf FROM ledger_leaves WHERE leaf_index IN (${part.map(() => '?').join(',')})`,
        )
        .all(...part) as { leaf_index: number; record_id: string; leaf: Buffer }[];
      for (const r of rows) out.set(r.leaf_index, { index: r.leaf_index, id: r.record_id, bytes: r.leaf });
    }
    return out;
  }

  async messageCountsByDay(fromMs: number, conversationIds?: readonly string[]): Promise<DayCount[]> {
    const scoped = conversationIds !== undefined;
    if (scoped && conversationIds.length === 0) return [];
    const rows = this.reader
      .prepare(
        `SELECT sent_at / 86400000 AS day, platform, count(*) FROM messages WHERE sent_at >= ?
         ${scoped ? 'AND conversation_id IN (SELECT value FROM json_each(?))' : ''}
         GROUP BY day, platform ORDER BY day, platform`,
      )
      .raw(true)
      .all(...(scoped ? [fromMs, JSON.stringify(conversationIds)] : [fromMs])) as [number, string, number][];
    return rows.map(([day, platform, count]) => ({ day: dayOf(day * 86_400_000), platform, count }));
  }

  async latestMessageIndex(): Promise<number> {
    return (this.reader.prepare('SELECT max(leaf_index) FROM messages').pluck().get() as number | null) ?? -1;
  }

  async conversationsWith(platform: string, handle: string, afterIndex: number): Promise<HandleConversation[]> {
    // The rowid bound is given to the full-text index itself, which then reads only the newer rows.
    const rows = this.reader
      .prepare(
        `SELECT m.conversation_id, min(m.sent_at), max(m.sent_at) FROM message_keys k
         JOIN messages m ON m.leaf_index = k.rowid
         WHERE message_keys MATCH ? AND k.rowid > ? AND m.platform = ? GROUP BY m.conversation_id`,
      )
      .raw(true)
      .all(allOf([participantToken(handle)]), afterIndex, platform) as [string, number, number][];
    return rows.map(([conversationId, firstMs, lastMs]) => ({ conversationId, firstMs, lastMs }));
  }

  async recordsOfTypeBefore(type: string, beforeIndex: number | null, limit: number): Promise<StoredRecord[]> {
    const rows = this.reader
      .prepare(
        `SELECT l.leaf_index, l.record_id, l.leaf, c.content FROM ledger_leaves l
         LEFT JOIN record_contents c USING (leaf_index)
         WHERE l.record_type = ? AND l.record_type <> 'message' AND l.leaf_index < ? ORDER BY l.leaf_index DESC LIMIT ?`,
      )
      .all(type, beforeIndex ?? Number.MAX_SAFE_INTEGER, limit) as {
      leaf_index: number;
      record_id: string;
      leaf: Buffer;
      content: Buffer | null;
    }[];
    return rows.map((r) => ({ index: r.leaf_index, id: r.record_id, leaf: r.leaf, content: r.content }));
  }

  async recordsOfType(type: string, afterIndex = -1, limit = -1): Promise<StoredRecord[]> {
    const rows = this.reader
      .prepare(
        `SELECT l.leaf_index, l.record_id, l.leaf, c.content FROM ledger_leaves l
         LEFT JOIN record_contents c USING (leaf_index)
         WHERE l.record_type = ? AND l.record_type <> 'message' AND l.leaf_index > ? ORDER BY l.leaf_index LIMIT ?`,
      )
      .all(type, afterIndex, limit) as {
      leaf_index: number;
      record_id: string;
      leaf: Buffer;
      content: Buffer | null;
    }[];
    return rows.map((r) => ({ index: r.leaf_index, id: r.record_id, leaf: r.leaf, content: r.content }));
  }

  async searchMessages(c: SearchCriteria): Promise<MessageHit[]> {
    if (c.participants !== undefined && c.participants.length === 0) return [];
    const where: string[] = [];
    const params: unknown[] = [];
    const keyTokens: string[] = [];
    if (c.conversationId !== undefined) keyTokens.push(conversationToken(c.conversationId));
    if (c.participant !== undefined) keyTokens.push(participantToken(c.participant));
    const anyParticipant = c.participants === undefined ? [] : c.participants.map(participantToken);
    const keyMatch = [
      ...(keyTokens.length > 0 ? [allOf(keyTokens)] : []),
      ...(anyParticipant.length > 0 ? [`(${anyOf(anyParticipant)})`] : []),
    ].join(' AND ');
    // Drive from the full-text index when there is a query, else from the key tokens, else by ledger index.
    let from = 'messages m';
    let order = 'm.leaf_index DESC';
    if (c.query !== undefined) {
      from = 'message_fts f JOIN messages m ON m.leaf_index = f.rowid';
      order = 'f.rowid DESC';
      where.push('message_fts MATCH ?');
      params.push(toFts5Match(c.query));
      if (keyMatch !== '') {
        where.push('m.leaf_index IN (SELECT rowid FROM message_keys WHERE message_keys MATCH ?)');
        params.push(keyMatch);
      }
    } else if (keyMatch !== '') {
      from = 'message_keys k JOIN messages m ON m.leaf_index = k.rowid';
      order = 'k.rowid DESC';
      where.push('message_keys MATCH ?');
      params.push(keyMatch);
    }
    if (c.conversationId !== undefined) {
      where.push('m.conversation_id = ?');
      params.push(c.conversationId);
    }
    if (c.platform !== undefined) {
      where.push('m.platform = ?');
      params.push(c.platform);
    }
    if (c.conversationIds !== undefined) {
      if (c.conversationIds.length === 0) return [];
      where.push('m.conversation_id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(c.conversationIds));
    }
    if (c.hasOrder === true) where.push('m.leaf_index IN (SELECT message_index FROM orders)');
    if (c.hasAlert === true) {
      where.push('m.conversation_id IN (SELECT conversation_id FROM alerts WHERE conversation_id IS NOT NULL)');
    }
    if (c.fromMs !== undefined) {
      where.push('m.sent_at >= ?');
      params.push(c.fromMs);
    }
    if (c.toMs !== undefined) {
      where.push('m.sent_at < ?');
      params.push(c.toMs);
    }
    if (c.beforeIndex !== undefined) {
      where.push('m.leaf_index < ?');
      params.push(c.beforeIndex);
    }
    const sql = `SELECT m.leaf_index, l.record_id, m.platform, m.conversation_id, m.sender, m.sent_at, m.kind
      FROM ${from} JOIN ledger_leaves l ON l.leaf_index = m.leaf_index
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    params.push(c.limit);
    let rows: Row[];
    try {
      rows = this.reader.prepare(sql).all(...params) as Row[];
    } catch (error) {
      throw new StenoError('invalid_query', `the search engine rejected the query: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return rows.map((r) => ({
      leafIndex: r.leaf_index as number,
      recordId: r.record_id as string,
      platform: r.platform as string,
      conversationId: r.conversation_id as string,
      sender: r.sender as string,
      sentAtMs: r.sent_at as number,
      kind: r.kind as string,
    }));
  }

  async scanRecords(fromIndex: number, limit: number): Promise<AuditRow[]> {
    this.auditScanner ??= new AuditScanner(this.reader);
    return this.auditScanner.scanRecords(fromIndex, limit);
  }

  async readHashSpan(level: number, first: number, count: number): Promise<Buffer | null> {
    return this.reads.nodes.readHashSpan(level, first, count);
  }

  async countRecords(): Promise<{ leaves: number; contents: number; messages: number; nodes: number }> {
    const count = (table: string) => this.reader.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return {
      leaves: count('ledger_leaves'),
      contents: count('record_contents'),
      messages: count('messages'),
      nodes: count('ledger_nodes'),
    };
  }

  async getMeta(key: string): Promise<string | null> {
    const v = this.reader.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
    return v ?? null;
  }

  setMetaIfAbsent(key: string, value: string): Promise<string> {
    return this.exclusive(() => this.writer.call('setMetaIfAbsent', key, value));
  }

  setMetaIfEquals(key: string, expected: string | null, value: string): Promise<void> {
    return this.exclusive(() => this.writer.call('setMetaIfEquals', key, expected, value));
  }

  async metaWithPrefix(prefix: string): Promise<{ key: string; value: string }[]> {
    return this.reader
      .prepare('SELECT key, value FROM meta WHERE substr(key, 1, length(?)) = ? ORDER BY key')
      .all(prefix, prefix) as { key: string; value: string }[];
  }

  insertToken(row: TokenRow): Promise<void> {
    return this.exclusive(() => this.writer.call('insertToken', row));
  }

  async findTokenByHash(hash: Buffer): Promise<TokenRow | null> {
    const row = this.reader.prepare('SELECT * FROM api_tokens WHERE token_hash = ?').get(hash) as Row | undefined;
    return row === undefined ? null : tokenFromRow(row);
  }

  async listTokens(): Promise<TokenRow[]> {
    return (this.reader.prepare('SELECT * FROM api_tokens ORDER BY created_at').all() as Row[]).map(tokenFromRow);
  }

  revokeToken(name: string, at: string): Promise<boolean> {
    return this.exclusive(() => this.writer.call('revokeToken', name, at));
  }

  async findUser(username: string): Promise<{ user: UserRecord; version: number } | null> {
    const row = this.reader.prepare('SELECT version, body FROM console_users WHERE username = ?').get(username) as
      | { version: number; body: string }
      | undefined;
    return row === undefined ? null : { user: userFromBody(row.body), version: row.version };
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = this.reader.prepare('SELECT body FROM console_users ORDER BY username').pluck().all() as string[];
    return rows.map(userFromBody);
  }

  insertUser(user: UserRecord): Promise<boolean> {
    return this.exclusive(() => this.writer.call('insertUser', user.username, userBody(user)));
  }

  updateUser(user: UserRecord, version: number): Promise<boolean> {
    return this.exclusive(() => this.writer.call('updateUser', user.username, userBody(user), version));
  }

  insertSession(idHash: Buffer, session: SessionRecord, expiresAtMs: number): Promise<void> {
    return this.exclusive(() =>
      this.writer.call('putSession', idHash, session.username, expiresAtMs, sessionBody(session)),
    );
  }

  async findSession(idHash: Buffer): Promise<SessionRecord | null> {
    const body = this.reader.prepare('SELECT body FROM console_sessions WHERE id_hash = ?').pluck().get(idHash) as
      | string
      | undefined;
    return body === undefined ? null : sessionFromBody(body);
  }

  updateSession(idHash: Buffer, session: SessionRecord, expiresAtMs: number): Promise<void> {
    return this.exclusive(() => this.writer.call('updateSession', idHash, expiresAtMs, sessionBody(session)));
  }

  deleteSession(idHash: Buffer): Promise<void> {
    return this.exclusive(() => this.writer.call('deleteSession', idHash));
  }

  deleteSessions(which: { username: string } | { expiredBefore: number }): Promise<void> {
    return this.exclusive(() =>
      'username' in which
        ? this.writer.call('deleteSessionsOf', which.username)
        : this.writer.call('deleteSessionsExpiredBefore', which.expiredBefore),
    );
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
        : `CASE WHEN ${containing.map(() => 'instr(c.content, ?) > 0').join(' OR ')} THEN c.content END`;
    const rows = this.reader
      .prepare(
        `SELECT m.leaf_index, l.record_id, ${content} AS content FROM messages m JOIN ledger_leaves l USING (leaf_index)
         LEFT JOIN record_contents c USING (leaf_index) WHERE m.leaf_index > ? ORDER BY m.leaf_index LIMIT ?`,
      )
      .all(...containing, afterIndex, limit) as { leaf_index: number; record_id: string; content: Buffer | null }[];
    return rows.map((r) => ({ index: r.leaf_index, recordId: r.record_id, content: r.content }));
  }

  async conversationOrders(
    conversationIds: readonly string[],
    fromMs: number,
  ): Promise<{ orders: StoredOrder[]; acks: StoredAck[] }> {
    const orders: StoredOrder[] = [];
    const acks: StoredAck[] = [];
    for (const part of chunks(conversationIds, MAX_PARAMS)) {
      const ids = part.map(() => '?').join(',');
      const select = (table: string) =>
        this.reader
          .prepare(`SELECT body FROM ${table} WHERE conversation_id IN (${ids}) AND sent_at >= ?`)
          .all(...part, fromMs) as { body: string }[];
      for (const r of select('orders')) orders.push(fromBody<StoredOrder>(r));
      for (const r of select('order_acks')) acks.push(fromBody<StoredAck>(r));
    }
    return { orders, acks };
  }

  async allOrders(): Promise<StoredOrder[]> {
    return (this.reader.prepare('SELECT body FROM orders').all() as { body: string }[]).map(fromBody<StoredOrder>);
  }

  async findOrders(criteria: OrderCriteria): Promise<StoredOrder[]> {
    const { sql, params } = findOrdersQuery(criteria, () => '?');
    return (this.reader.prepare(sql).all(...params) as { body: string }[]).map(fromBody<StoredOrder>);
  }

  async messageIndexOf(recordId: string): Promise<number | null> {
    const index = this.reader
      .prepare("SELECT leaf_index FROM ledger_leaves WHERE record_id = ? AND record_type = 'message'")
      .pluck()
      .get(recordId) as number | undefined;
    return index ?? null;
  }

  writeOrders(write: OrdersWrite): Promise<void> {
    return this.exclusive(() =>
      this.writer.call('writeOrders', {
        expectedState: write.expectedState,
        state: write.state,
        reset: write.reset,
        orders: write.orders.map(orderRowValues),
        acks: write.acks.map(ackRowValues),
      }),
    );
  }

  activityState(): Promise<string | null> {
    return this.getMeta(ACTIVITY_STATE_KEY);
  }

  async knownActivityKeys(keys: readonly string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (const part of chunks(keys, MAX_PARAMS)) {
      const rows = this.reader
        .prepare(`SELECT event_key FROM activity WHERE event_key IN (${part.map(() => '?').join(',')})`)
        .pluck()
        .all(...part) as string[];
      for (const key of rows) known.add(key);
    }
    return known;
  }

  async rootOrderIds(orderIds: readonly string[]): Promise<Map<string, string>> {
    const roots = new Map<string, string>();
    for (const part of chunks(orderIds, MAX_PARAMS)) {
      const rows = this.reader
        .prepare(
          `SELECT order_id, root_order_id FROM activity WHERE order_id IN (${part.map(() => '?').join(',')})
           ORDER BY leaf_index DESC`,
        )
        .raw(true)
        .all(...part) as [string, string][];
      for (const [orderId, root] of rows) roots.set(orderId, root);
    }
    return roots;
  }

  writeActivity(write: ActivityWrite): Promise<void> {
    return this.exclusive(() => this.writer.call('writeActivity', write));
  }

  async activitySpan(afterIndex: number, throughIndex: number): Promise<ActivitySpan> {
    const row = this.reader.prepare(activitySpanQuery(() => '?')).get(afterIndex, throughIndex);
    return activitySpanFromRow(row as Parameters<typeof activitySpanFromRow>[0]);
  }

  async activityForPeriod(fromMs: number, toMs: number): Promise<StoredActivity[]> {
    return (this.reader.prepare(activityForPeriodQuery(() => '?')).all(fromMs, toMs) as { body: string }[]).map(
      fromBody<StoredActivity>,
    );
  }

  alertsState(): Promise<string | null> {
    return this.getMeta(ALERTS_STATE_KEY);
  }

  writeAlerts(write: AlertsWrite): Promise<void> {
    return this.exclusive(() =>
      this.writer.call('writeAlerts', {
        expectedState: write.expectedState,
        state: write.state,
        reset: write.reset,
        rows: write.alerts.map(alertRowValues),
      }),
    );
  }

  async alertsByIds(ids: readonly string[]): Promise<StoredAlert[]> {
    const alerts: StoredAlert[] = [];
    for (const part of chunks(ids, MAX_PARAMS)) {
      const rows = this.reader
        .prepare(`SELECT body FROM alerts WHERE alert_id IN (${part.map(() => '?').join(',')})`)
        .all(...part) as { body: string }[];
      for (const r of rows) alerts.push(fromBody<StoredAlert>(r));
    }
    return alerts;
  }

  async alertIdsByDedupKey(keys: readonly string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const part of chunks(keys, MAX_PARAMS)) {
      const rows = this.reader
        .prepare(`SELECT dedup_key, alert_id FROM alerts WHERE dedup_key IN (${part.map(() => '?').join(',')})`)
        .raw(true)
        .all(...part) as [string, string][];
      for (const [key, id] of rows) ids.set(key, id);
    }
    return ids;
  }

  async listAlerts(criteria: AlertCriteria): Promise<StoredAlert[]> {
    const { sql, params } = listAlertsQuery(criteria, () => '?');
    return (this.reader.prepare(sql).all(...params) as { body: string }[]).map(fromBody<StoredAlert>);
  }

  async countAlerts(): Promise<{ type: string; state: AlertState; severity: Severity; count: number }[]> {
    return this.reader
      .prepare('SELECT type, state, severity, COUNT(*) AS count FROM alerts GROUP BY type, state, severity')
      .all() as { type: string; state: AlertState; severity: Severity; count: number }[];
  }

  rulesState(): Promise<string | null> {
    return this.getMeta(RULES_STATE_KEY);
  }

  setRulesState(expectedState: string | null, state: string): Promise<void> {
    return this.exclusive(() => this.writer.call('setRulesState', expectedState, state));
  }

  async ordersBetween(afterIndex: number, throughIndex: number, limit: number): Promise<StoredOrder[]> {
    return (
      this.reader
        .prepare(
          `SELECT body FROM orders WHERE message_index > ? AND message_index <= ?
           ORDER BY message_index, ordinal LIMIT ?`,
        )
        .all(afterIndex, throughIndex, limit) as { body: string }[]
    ).map(fromBody<StoredOrder>);
  }

  async close(): Promise<void> {
    await this.writeChain;
    this.reader.close();
    await this.writer.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
