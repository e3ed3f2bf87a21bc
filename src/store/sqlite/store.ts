/**
 * The embedded backend: one SQLite file in WAL mode with synchronous=FULL, so a commit is on disk when
 * it returns. Writes use their own connection and are serialised in-process (the ledger writer already
 * groups them); BEGIN IMMEDIATE also serialises against other processes (a CLI import beside the server).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TokenRow, TokenScope, TokenStorage } from '../../auth/tokens.js';
import type { ExistingMessage, MessageRow, MessageWriteTx } from '../../capture/ingest.js';
import { StenoError } from '../../core/errors.js';
import { toFts5Match } from '../../index/query.js';
import type { AuditRow, AuditStorage } from '../../ledger/audit.js';
import type { ContentReader, StoredContent } from '../../ledger/content.js';
import type { ContentRow, LeafRow, LedgerStorage, NodeRow, StoredCheckpoint } from '../../ledger/log.js';
import type { EvidenceStorage, StoredLeaf } from '../../produce/evidence.js';
import type { MessageHit, SearchCriteria, SearchStorage } from '../../review/search.js';
import type { MetaStorage } from '../meta.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

type Db = Database.Database;
type Row = Record<string, unknown>;

/** SQLite allows 32766 bound parameters; stay well inside it. */
const MAX_PARAMS = 4096;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function openDb(path: string, readonly: boolean): Db {
  const db = new Database(path, readonly ? { readonly: true, fileMustExist: true } : {});
  db.pragma('busy_timeout = 15000');
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SQLITE_MIGRATIONS.length) {
    throw new StenoError(
      'config',
      `the database is at schema version ${current}, newer than this Steno (${SQLITE_MIGRATIONS.length}); upgrade Steno`,
    );
  }
  for (let v = current; v < SQLITE_MIGRATIONS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(SQLITE_MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

class SqliteWriteTx implements MessageWriteTx {
  constructor(private readonly s: SqliteStatements) {}

  async treeSize(): Promise<number> {
    return this.s.treeSize();
  }
  async readNodes(ids: readonly number[]): Promise<Map<number, Buffer>> {
    return this.s.readNodes(ids);
  }
  async insertLeaves(rows: readonly LeafRow[]): Promise<void> {
    for (const r of rows) this.s.insertLeaf.run(r.index, r.id, r.type, r.bytes, r.hash);
  }
  async insertNodes(rows: readonly NodeRow[]): Promise<void> {
    for (const r of rows) this.s.insertNode.run(r.id, r.hash);
  }
  async putContents(rows: readonly ContentRow[]): Promise<void> {
    for (const r of rows) this.s.insertContent.run(r.index, r.salt, r.content);
  }
  async findByDedupKeys(keys: readonly Buffer[]): Promise<Map<string, ExistingMessage>> {
    const found = new Map<string, ExistingMessage>();
    for (const key of keys) {
      const row = this.s.findDedup.get(key) as { leaf_index: number; record_id: string } | undefined;
      if (row !== undefined) found.set(key.toString('hex'), { leafIndex: row.leaf_index, recordId: row.record_id });
    }
    return found;
  }
  async insertMessages(rows: readonly MessageRow[]): Promise<void> {
    for (const r of rows) {
      this.s.insertMessage.run(
        r.leafIndex,
        r.dedupKey,
        r.platform,
        r.conversationId,
        r.sender,
        r.sentAtMs,
        r.kind,
        r.platformMessageId,
        r.refersTo,
      );
      for (const handle of r.participants) this.s.insertParticipant.run(handle, r.leafIndex);
      this.s.insertFts.run(r.leafIndex, r.searchText);
    }
  }
}

class SqliteStatements {
  readonly insertLeaf;
  readonly insertNode;
  readonly insertContent;
  readonly insertMessage;
  readonly insertParticipant;
  readonly insertFts;
  readonly findDedup;
  private readonly maxLeaf;
  private readonly leafHash;
  private readonly nodeHash;

  constructor(private readonly db: Db) {
    this.insertLeaf = db.prepare(
      'INSERT INTO ledger_leaves (leaf_index, record_id, record_type, leaf, leaf_hash) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertNode = db.prepare('INSERT INTO ledger_nodes (node_id, hash) VALUES (?, ?)');
    this.insertContent = db.prepare('INSERT INTO record_contents (leaf_index, salt, content) VALUES (?, ?, ?)');
    this.insertMessage = db.prepare(
      `INSERT INTO messages (leaf_index, dedup_key, platform, conversation_id, sender, sent_at, kind, platform_message_id, refers_to)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertParticipant = db.prepare(
      'INSERT OR IGNORE INTO message_participants (handle, leaf_index) VALUES (?, ?)',
    );
    this.insertFts = db.prepare('INSERT INTO message_fts (rowid, body) VALUES (?, ?)');
    this.findDedup = db.prepare(
      'SELECT m.leaf_index, l.record_id FROM messages m JOIN ledger_leaves l USING (leaf_index) WHERE m.dedup_key = ?',
    );
    this.maxLeaf = db.prepare('SELECT max(leaf_index) AS m FROM ledger_leaves').pluck();
    this.leafHash = db.prepare('SELECT leaf_hash FROM ledger_leaves WHERE leaf_index = ?').pluck();
    this.nodeHash = db.prepare('SELECT hash FROM ledger_nodes WHERE node_id = ?').pluck();
  }

  treeSize(): number {
    const max = this.maxLeaf.get() as number | null;
    return max === null ? 0 : max + 1;
  }

  readNodes(ids: readonly number[]): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    for (const id of ids) {
      if (out.has(id)) continue;
      // Level-0 ids are below 2^47: the leaf hash itself.
      const hash = (id < 2 ** 47 ? this.leafHash.get(id) : this.nodeHash.get(id)) as Buffer | undefined;
      if (hash !== undefined) out.set(id, hash);
    }
    return out;
  }

  get database(): Db {
    return this.db;
  }
}

export interface SqliteStoreOptions {
  path: string;
}

export class SqliteStore
  implements
    LedgerStorage<SqliteWriteTx>,
    SearchStorage,
    ContentReader,
    TokenStorage,
    MetaStorage,
    AuditStorage,
    EvidenceStorage
{
  readonly kind = 'sqlite';
  private readonly writer: Db;
  private readonly reader: Db;
  private readonly w: SqliteStatements;
  private readonly r: SqliteStatements;
  private writeChain: Promise<unknown> = Promise.resolve();

  private constructor(writer: Db, reader: Db) {
    this.writer = writer;
    this.reader = reader;
    this.w = new SqliteStatements(writer);
    this.r = new SqliteStatements(reader);
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    mkdirSync(join(options.path, '..'), { recursive: true });
    let writer: Db;
    try {
      writer = openDb(options.path, false);
      migrate(writer);
    } catch (error) {
      if (error instanceof StenoError) throw error;
      throw new StenoError('io', `cannot open the SQLite database at ${options.path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const reader = openDb(options.path, true);
    return new SqliteStore(writer, reader);
  }

  /** Serialises use of the write connection within this process. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(fn, fn);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  writeTransaction<T>(fn: (tx: SqliteWriteTx) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.writer.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(new SqliteWriteTx(this.w));
        this.writer.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async treeSize(): Promise<number> {
    return this.r.treeSize();
  }

  async readNodes(ids: readonly number[]): Promise<Map<number, Buffer>> {
    return this.r.readNodes(ids);
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
      this.writer
        .prepare(
          'INSERT INTO ledger_checkpoints (tree_size, root, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
        )
        .run(cp.size, cp.root, cp.note, cp.createdAt);
      const row = this.writer.prepare('SELECT * FROM ledger_checkpoints WHERE tree_size = ?').get(cp.size) as Row;
      return checkpointFromRow(row);
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

  async searchMessages(c: SearchCriteria): Promise<MessageHit[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    let from = 'messages m';
    if (c.query !== undefined) {
      from = 'message_fts f JOIN messages m ON m.leaf_index = f.rowid';
      where.push('message_fts MATCH ?');
      params.push(toFts5Match(c.query));
    }
    if (c.platform !== undefined) {
      where.push('m.platform = ?');
      params.push(c.platform);
    }
    if (c.conversationId !== undefined) {
      where.push('m.conversation_id = ?');
      params.push(c.conversationId);
    }
    if (c.participant !== undefined) {
      where.push('m.leaf_index IN (SELECT leaf_index FROM message_participants WHERE handle = ?)');
      params.push(c.participant);
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
    const order = c.query !== undefined ? 'f.rowid DESC' : 'm.leaf_index DESC';
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
    const rows = this.reader
      .prepare(
        `SELECT l.leaf_index, l.record_id, l.record_type, l.leaf, l.leaf_hash, c.salt, c.content,
                m.leaf_index AS m_index, m.platform, m.conversation_id, m.sender, m.sent_at, m.kind,
                m.platform_message_id, m.refers_to
         FROM ledger_leaves l
         LEFT JOIN record_contents c ON c.leaf_index = l.leaf_index
         LEFT JOIN messages m ON m.leaf_index = l.leaf_index
         WHERE l.leaf_index >= ? ORDER BY l.leaf_index LIMIT ?`,
      )
      .all(fromIndex, limit) as Row[];
    return rows.map(auditRowFrom);
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
    return this.exclusive(async () => {
      this.writer.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING').run(key, value);
      return this.writer.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string;
    });
  }

  insertToken(row: TokenRow): Promise<void> {
    return this.exclusive(async () => {
      this.writer
        .prepare(
          'INSERT INTO api_tokens (id, name, token_hash, scopes, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(row.id, row.name, row.tokenHash, row.scopes.join(','), row.createdAt, row.revokedAt);
    });
  }

  async findTokenByHash(hash: Buffer): Promise<TokenRow | null> {
    const row = this.reader.prepare('SELECT * FROM api_tokens WHERE token_hash = ?').get(hash) as Row | undefined;
    return row === undefined ? null : tokenFromRow(row);
  }

  async listTokens(): Promise<TokenRow[]> {
    return (this.reader.prepare('SELECT * FROM api_tokens ORDER BY created_at').all() as Row[]).map(tokenFromRow);
  }

  revokeToken(name: string, at: string): Promise<boolean> {
    return this.exclusive(async () => {
      const info = this.writer
        .prepare('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL')
        .run(at, name);
      return info.changes > 0;
    });
  }

  async close(): Promise<void> {
    await this.writeChain;
    this.reader.close();
    this.writer.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function checkpointFromRow(row: Row): StoredCheckpoint {
  return {
    size: row.tree_size as number,
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
    index: r.leaf_index as number,
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
            sentAtMs: Number(r.sent_at),
            kind: r.kind as string,
            platformMessageId: (r.platform_message_id as string | null) ?? null,
            refersTo: (r.refers_to as string | null) ?? null,
          },
  };
}
