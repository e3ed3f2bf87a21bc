/**
 * The ledger writer: one sequencer per log. It assigns leaf indexes, keeps the tree's right edge in
 * memory, stores every new complete subtree hash (so proofs are O(log n) reads), and group-commits:
 * jobs that arrive while a transaction is in flight share the next transaction and its fsync.
 *
 * Storage is declared here, by its user; store/sqlite and store/postgres implement it.
 */
import { StenoError } from '../core/errors.js';
import { newSalt } from '../core/hash.js';
import { signCheckpoint } from './note/checkpoint.js';
import type { NoteSigner } from './note/signed-note.js';
import { contentCommitment, LEAF_VERSION, leafBytes, type RecordType } from './records.js';
import {
  CompactRange,
  consistencyProofPlan,
  decomposeRange,
  hashLeaf,
  hashPlan,
  hashRefs,
  inclusionProofPlan,
  type NodeRef,
  nodeId,
  refsOfPlan,
  rootPlan,
} from './tree/index.js';

/** A leaf as stored. Its hash is not: it is derived from the bytes wherever it is needed. */
export interface LeafRow {
  index: number;
  id: string;
  type: RecordType;
  bytes: Buffer;
}

export interface ContentRow {
  index: number;
  salt: Buffer;
  content: Buffer;
}

export interface NodeRow {
  id: number;
  hash: Buffer;
}

export interface StoredCheckpoint {
  size: number;
  root: Buffer;
  note: string;
  createdAt: string;
}

/** What the ledger needs inside a write transaction. */
export interface LedgerWriteTx {
  /** The committed tree size as this transaction sees it (another process may have appended). */
  treeSize(): Promise<number>;
  /** Hashes of complete subtrees by nodeId; level 0 ids are leaf hashes (hashed from the stored leaf). */
  readNodes(ids: readonly number[]): Promise<Map<number, Buffer>>;
  insertLeaves(rows: readonly LeafRow[]): Promise<void>;
  insertNodes(rows: readonly NodeRow[]): Promise<void>;
  putContents(rows: readonly ContentRow[]): Promise<void>;
}

/** What the ledger needs of storage outside transactions. */
export interface LedgerStorage<Tx extends LedgerWriteTx> {
  /** Runs fn in one transaction that holds the log's write lock, and commits durably (fsync) before resolving. */
  writeTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** How many groups may be in flight (prepared, not yet committed) at once; 2 unless the store says. */
  readonly groupsInFlight?: number;
  treeSize(): Promise<number>;
  readNodes(ids: readonly number[]): Promise<Map<number, Buffer>>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  /** Stores a checkpoint unless one of the same size exists; returns the stored one. */
  putCheckpoint(checkpoint: StoredCheckpoint): Promise<StoredCheckpoint>;
}

/**
 * A record with its leaf built and hashed: everything but its place in the tree, so it is built outside
 * the lock, or on another thread.
 */
export interface PreparedRecord {
  type: RecordType;
  id: string;
  bytes: Buffer;
  hash: Buffer;
  salt: Buffer;
  contentBytes: Buffer;
}

export interface AppendedRecord {
  index: number;
}

export interface Appender {
  append(record: PreparedRecord): AppendedRecord;
}

/** Salts the content, builds the leaf and hashes it (architecture.md, "Ledger"). Pure apart from the salt. */
export function prepareRecord(
  type: RecordType,
  id: string,
  contentBytes: Buffer,
  capturedAt: string = new Date().toISOString(),
): PreparedRecord {
  const salt = newSalt();
  const bytes = leafBytes({ v: LEAF_VERSION, type, id, capturedAt, commitment: contentCommitment(salt, contentBytes) });
  return { type, id, bytes, hash: hashLeaf(bytes), salt, contentBytes };
}

const DEFAULT_GROUPS_IN_FLIGHT = 2;

type Job<Tx> = {
  work: (tx: Tx, appender: Appender) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

export class Ledger<Tx extends LedgerWriteTx> {
  readonly origin: string;
  private readonly storage: LedgerStorage<Tx>;
  private readonly signer: NoteSigner;
  private range: CompactRange | null = null;
  private queue: Job<Tx>[] = [];
  private draining: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** The tree as the last prepared group leaves it, before its commit is known to have succeeded. */
  private speculative: CompactRange | null = null;
  private checkpointing: Promise<StoredCheckpoint> | null = null;

  constructor(options: { storage: LedgerStorage<Tx>; signer: NoteSigner; origin: string }) {
    this.storage = options.storage;
    this.signer = options.signer;
    this.origin = options.origin;
  }

  /**
   * Runs `work` inside a group-committed write transaction. Records appended through the appender
   * get their leaf index at once; the promise resolves only after the commit is durable.
   */
  append<R>(work: (tx: Tx, appender: Appender) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.draining === null) this.draining = this.drain();
      else this.wake?.();
    });
  }

  /** Resolves once every job queued so far has committed or failed. */
  async flush(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  /**
   * Groups are pipelined: the next group is prepared (indexes assigned, tree extended, rows built) while
   * the previous one's commit is still on its way to disk. At most `groupsInFlight` are in flight;
   * commits complete in order, and a group prepared on a predecessor that then failed is refused by
   * storage as stale and prepared again on what was actually committed.
   */
  private async drain(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const limit = this.storage.groupsInFlight ?? DEFAULT_GROUPS_IN_FLIGHT;
    try {
      for (;;) {
        if (this.queue.length === 0 || inFlight.size >= limit) {
          if (inFlight.size === 0) break;
          // Wake on a finished commit, or on new work when there is room to prepare it.
          await new Promise<void>((wake) => {
            this.wake = wake;
            for (const done of inFlight) void done.then(wake);
          });
          this.wake = null;
          continue;
        }
        const group = this.queue;
        this.queue = [];
        let prepared!: () => void;
        const preparedOrDone = new Promise<void>((resolve) => {
          prepared = resolve;
        });
        const done: Promise<void> = this.commitGroup(group, prepared).finally(() => {
          inFlight.delete(done);
          prepared();
        });
        inFlight.add(done);
        await preparedOrDone;
      }
    } finally {
      this.draining = null;
    }
  }

  /** Commits a group; if it fails, retries each job alone so one job's failure does not fail its neighbours. */
  private async commitGroup(group: Job<Tx>[], prepared: () => void): Promise<void> {
    try {
      const results = await this.runGroup(group, prepared);
      for (const [i, job] of group.entries()) job.resolve(results[i]);
      return;
    } catch (groupError) {
      if (group.length === 1) {
        group[0]!.reject(groupError);
        return;
      }
    }
    for (const job of group) {
      try {
        const [result] = await this.runGroup([job], () => undefined);
        job.resolve(result);
      } catch (error) {
        job.reject(error);
      }
    }
  }

  private async runGroup(group: Job<Tx>[], prepared: () => void): Promise<unknown[]> {
    let committedRange: CompactRange | null = null;
    let results: unknown[];
    try {
      results = await this.storage.writeTransaction(async (tx) => {
        const range = (await this.currentRange(tx)).clone();
        const leaves: LeafRow[] = [];
        const nodes: NodeRow[] = [];
        const contents: ContentRow[] = [];
        const appender: Appender = {
          append: (record) => {
            const index = range.size;
            for (const node of range.append(record.hash)) nodes.push({ id: nodeId(node.ref), hash: node.hash });
            leaves.push({ index, id: record.id, type: record.type, bytes: record.bytes });
            contents.push({ index, salt: record.salt, content: record.contentBytes });
            return { index };
          },
        };
        const out: unknown[] = [];
        for (const job of group) out.push(await job.work(tx, appender));
        if (leaves.length > 0) {
          await tx.insertLeaves(leaves);
          await tx.insertNodes(nodes);
          await tx.putContents(contents);
        }
        committedRange = range;
        // The next group may build on this one while it commits.
        this.speculative = range;
        prepared();
        return out;
      });
    } catch (error) {
      this.speculative = null;
      throw error;
    }
    this.range = committedRange;
    return results;
  }

  private async currentRange(tx: Tx): Promise<CompactRange> {
    const size = await tx.treeSize();
    if (this.speculative !== null && this.speculative.size === size) return this.speculative;
    if (this.range !== null && this.range.size === size) return this.range;
    // First use, or another writer (a CLI import beside the server) appended: reload the right edge.
    // Appending to a ledger shorter than a signed checkpoint would reuse indexes and fork the history.
    const latest = await this.storage.latestCheckpoint();
    if (latest !== null && latest.size > size) {
      throw new StenoError(
        'integrity',
        `the ledger holds ${size} records but a checkpoint was signed at ${latest.size}: records were deleted; run steno verify`,
      );
    }
    const refs = decomposeRange(0, size);
    const hashes = await tx.readNodes(refs.map(nodeId));
    this.range = CompactRange.fromFrontier(
      size,
      refs.map((ref) => requireNode(hashes, ref)),
    );
    return this.range;
  }

  /** Signs and stores a checkpoint for the current tree unless the latest one already covers it. */
  checkpoint(): Promise<StoredCheckpoint> {
    if (this.checkpointing === null) {
      this.checkpointing = this.makeCheckpoint().finally(() => {
        this.checkpointing = null;
      });
    }
    return this.checkpointing;
  }

  private async makeCheckpoint(): Promise<StoredCheckpoint> {
    const size = await this.storage.treeSize();
    const latest = await this.storage.latestCheckpoint();
    if (latest !== null && latest.size >= size) return latest;
    // Never sign a tree that does not extend the last signed one (RFC 9162 §2.1.4: that would be a fork).
    if (latest !== null && latest.size > 0 && !(await this.rootAt(latest.size)).equals(latest.root)) {
      throw new StenoError(
        'integrity',
        `the records no longer hash to the checkpoint signed at size ${latest.size}: refusing to sign a fork; run steno verify`,
      );
    }
    const root = await this.rootAt(size);
    const note = signCheckpoint({ origin: this.origin, size, root }, this.signer);
    return this.storage.putCheckpoint({ size, root, note, createdAt: new Date().toISOString() });
  }

  async rootAt(size: number): Promise<Buffer> {
    const refs = rootPlan(size);
    const nodes = await this.storage.readNodes(refs.map(nodeId));
    return hashRefs(refs, (ref) => requireNode(nodes, ref));
  }

  async inclusionProof(leafIndex: number, treeSize: number): Promise<Buffer[]> {
    return this.prove(inclusionProofPlan(leafIndex, treeSize));
  }

  async consistencyProof(oldSize: number, newSize: number): Promise<Buffer[]> {
    return this.prove(consistencyProofPlan(oldSize, newSize));
  }

  private async prove(plan: NodeRef[][]): Promise<Buffer[]> {
    const nodes = await this.storage.readNodes(refsOfPlan(plan).map(nodeId));
    return hashPlan(plan, (ref) => requireNode(nodes, ref));
  }
}

function requireNode(nodes: Map<number, Buffer>, ref: NodeRef): Buffer {
  const hash = nodes.get(nodeId(ref));
  if (hash === undefined) {
    throw new StenoError(
      'integrity',
      `ledger node level ${ref.level} index ${ref.index} is missing from storage; run steno verify`,
    );
  }
  return hash;
}
