/** Opening SQLite connections, migrations, and subtree-hash reads shared by the reader and the writer. */
import Database from 'better-sqlite3';
import { StenoError } from '../../core/errors.js';
import { HASH_SIZE, hashLeaf } from '../../ledger/tree/index.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** Level-0 node ids (below 2^47) are leaf hashes, derived from ledger_leaves; higher levels live in ledger_nodes. */
const LEVEL_STRIDE = 2 ** 47;

export function openDb(path: string, options: { readonly: boolean }): Db {
  const db = new Database(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
  db.pragma('busy_timeout = 15000');
  db.pragma('cache_size = -65536');
  // Readers map the file instead of copying each page out of the OS cache: a full audit reads every
  // page, and its worker threads then share one copy.
  if (options.readonly) db.pragma(`mmap_size = ${2 ** 30}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk when COMMIT returns, so an acknowledged message survives power loss.
    db.pragma('synchronous = FULL');
    // The checkpoint thread (checkpoint-worker.ts) keeps the WAL short; checkpointing inside a commit
    // is only the backstop, at ~200 MB of WAL.
    db.pragma('wal_autocheckpoint = 50000');
  }
  return db;
}

export function migrate(db: Db): void {
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

/** Subtree hashes as stored, and leaf hashes (level 0) derived from the stored leaves. */
export class NodeReader {
  private readonly maxLeaf;
  private readonly leaf;
  private readonly nodeHash;
  private readonly leafRange;
  private readonly nodeHashRange;
  private readonly nodeHashSpan;

  constructor(db: Db) {
    this.maxLeaf = db.prepare('SELECT max(leaf_index) FROM ledger_leaves').pluck();
    this.leaf = db.prepare('SELECT leaf FROM ledger_leaves WHERE leaf_index = ?').pluck();
    this.nodeHash = db.prepare('SELECT hash FROM ledger_nodes WHERE node_id = ?').pluck();
    this.leafRange = db
      .prepare('SELECT leaf_index, leaf FROM ledger_leaves WHERE leaf_index BETWEEN ? AND ?')
      .raw(true);
    this.nodeHashRange = db.prepare('SELECT node_id, hash FROM ledger_nodes WHERE node_id BETWEEN ? AND ?').raw(true);
    // Concatenated in SQLite (as text, byte for byte, then cast back): one value for a whole level.
    this.nodeHashSpan = db
      .prepare(
        `SELECT count(*), min(length(hash)), max(length(hash)),
           CAST(group_concat(CAST(hash AS TEXT), '' ORDER BY node_id) AS BLOB)
         FROM ledger_nodes WHERE node_id BETWEEN ? AND ?`,
      )
      .raw(true);
  }

  /** See HashSpanReader (ledger/audit.ts). */
  readHashSpan(level: number, first: number, count: number): Buffer | null {
    if (level < 1) throw new StenoError('invalid_input', 'only subtree hashes (level 1 and up) are stored');
    if (count === 0) return Buffer.alloc(0);
    const low = level * LEVEL_STRIDE + first;
    const [n, shortest, longest, hashes] = this.nodeHashSpan.get(low, low + count - 1) as [
      number,
      number | null,
      number | null,
      Buffer | null,
    ];
    return n === count && shortest === HASH_SIZE && longest === HASH_SIZE ? hashes : null;
  }

  treeSize(): number {
    const max = this.maxLeaf.get() as number | null;
    return max === null ? 0 : max + 1;
  }

  readNodes(ids: readonly number[]): Map<number, Buffer> {
    if (ids.length > 64) return this.readNodeRanges(ids);
    const out = new Map<number, Buffer>();
    for (const id of ids) {
      if (out.has(id)) continue;
      if (id < LEVEL_STRIDE) {
        const leaf = this.leaf.get(id) as Buffer | undefined;
        if (leaf !== undefined) out.set(id, hashLeaf(leaf));
      } else {
        const hash = this.nodeHash.get(id) as Buffer | undefined;
        if (hash !== undefined) out.set(id, hash);
      }
    }
    return out;
  }

  /** Many ids (the audit asks for every node a batch of leaves completed): one range scan per level. */
  private readNodeRanges(ids: readonly number[]): Map<number, Buffer> {
    const byLevel = new Map<number, { min: number; max: number }>();
    for (const id of ids) {
      const level = Math.floor(id / LEVEL_STRIDE);
      const span = byLevel.get(level);
      if (span === undefined) byLevel.set(level, { min: id, max: id });
      else {
        span.min = Math.min(span.min, id);
        span.max = Math.max(span.max, id);
      }
    }
    const wanted = new Set(ids);
    const out = new Map<number, Buffer>();
    for (const [level, { min, max }] of byLevel) {
      const rows = (level === 0 ? this.leafRange : this.nodeHashRange).all(min, max) as [number, Buffer][];
      for (const [id, bytes] of rows) if (wanted.has(id)) out.set(id, level === 0 ? hashLeaf(bytes) : bytes);
    }
    return out;
  }
}
