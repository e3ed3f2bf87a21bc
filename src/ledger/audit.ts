/**
 * The full audit behind `steno verify`: recompute every leaf from its stored content and salt, rebuild
 * the tree, compare every stored subtree hash (what proofs are built from), check every checkpoint's
 * signature and root, and the consistency between consecutive checkpoints. Each finding names the
 * record (ledger index and id) or checkpoint that does not hold.
 */

import type { StoredCheckpoint } from './log.js';
import { verifyCheckpoint } from './note/checkpoint.js';
import { contentCommitment, parseLeaf } from './records.js';
import {
  CompactRange,
  consistencyProofPlan,
  decomposeRange,
  type HashString,
  hashChildrenString,
  hashLeafString,
  hashPlan,
  type NodeRef,
  nodeId,
  refsOfPlan,
  verifyConsistency,
} from './tree/index.js';

export interface MessageProjection {
  platform: string;
  conversationId: string;
  sender: string;
  sentAtMs: number;
  kind: string;
  platformMessageId: string | null;
  refersTo: string | null;
}

export interface AuditRow {
  index: number;
  id: string;
  type: string;
  bytes: Buffer;
  salt: Buffer | null;
  content: Buffer | null;
  /**
   * The message row, or PROJECTION_MATCHES where the store compared every field with the content
   * itself (so the content need not be parsed here). A store that finds a difference, or cannot tell,
   * gives the row, for the detailed finding.
   */
  message: MessageProjection | typeof PROJECTION_MATCHES | null;
  /** Whether the message has its search index entries, where the store can tell. */
  indexed?: { text: boolean; keys: boolean };
}

/** A store's word that the message row equals the committed content in every field. */
export const PROJECTION_MATCHES = Object.freeze({ matches: true as const });

/**
 * Stored subtree hashes of one level of the tree (level 1 and up: leaf hashes are not stored). Hashes
 * are compared a level at a time, so an audit reads one value per level and chunk instead of one per node.
 */
export interface HashSpanReader {
  /**
   * The stored hashes of nodes first .. first+count-1 of the level, concatenated in order, or null when
   * any is missing or not HASH_SIZE bytes long.
   */
  readHashSpan(level: number, first: number, count: number): Promise<Buffer | null>;
}

/** What the audit needs of storage: read-only. */
export interface AuditStorage extends HashSpanReader {
  treeSize(): Promise<number>;
  scanRecords(fromIndex: number, limit: number): Promise<AuditRow[]>;
  readNodes(ids: readonly number[]): Promise<Map<number, Buffer>>;
  listCheckpoints(): Promise<StoredCheckpoint[]>;
}

export interface AuditFinding {
  subject: 'record' | 'checkpoint' | 'tree';
  /** Ledger index for records, tree size for checkpoints. */
  at: number;
  id?: string;
  problem: string;
}

export interface AuditReport {
  ok: boolean;
  treeSize: number;
  records: number;
  checkpoints: number;
  findings: AuditFinding[];
  seconds: number;
}

/** Past this many findings the database is plainly compromised; more lines help nobody. */
const MAX_FINDINGS = 1000;

/**
 * The audit works in chunks of 2^CHUNK_LEVEL records, aligned so that each chunk is one complete subtree.
 * A chunk can then be checked anywhere (in parallel worker threads): every record, every stored subtree
 * hash inside it, and any missing rows. Only the chunk's subtree hash (and, where a checkpoint falls
 * inside the chunk, the hashes of that prefix) goes back to be folded into the tree in order.
 */
export const CHUNK_LEVEL = 14;
export const AUDIT_CHUNK = 2 ** CHUNK_LEVEL;

export interface ChunkResult {
  records: number;
  findings: AuditFinding[];
  /** False when rows are missing: the tree cannot be rebuilt from here on. */
  complete: boolean;
  /** For each requested size in (from, to]: the hashes of decomposeRange(from, size), in order. */
  prefixes: { size: number; hashes: Uint8Array[] }[];
}

/** What a chunk check reads: records in ledger order, and stored subtree hashes. */
export type ChunkSource = Pick<AuditStorage, 'scanRecords' | 'readNodes' | 'readHashSpan'>;

/** Checks chunks of records; in-process by default, or spread over worker threads by the caller. */
export interface ChunkChecker {
  check(from: number, to: number, sizes: readonly number[]): Promise<ChunkResult>;
  /** How many chunks may be in flight at once. */
  readonly parallelism: number;
}

export async function checkChunk(
  source: ChunkSource,
  from: number,
  to: number,
  sizes: readonly number[],
): Promise<ChunkResult> {
  const findings: AuditFinding[] = [];
  const report = (f: AuditFinding) => {
    if (findings.length < MAX_FINDINGS) findings.push(f);
  };
  const rows = (await source.scanRecords(from, to - from)).filter((r) => r.index < to);
  // Level 0 of the chunk's subtree, then each level above it, as far as it is complete.
  const levels: HashString[][] = [[]];
  let expected = from;
  for (const row of rows) {
    if (row.index !== expected) {
      report({
        subject: 'record',
        at: expected,
        problem:
          row.index - expected === 1
            ? 'leaf row is missing (deleted)'
            : `leaf rows ${expected} to ${row.index - 1} are missing (deleted)`,
      });
    }
    expected = row.index + 1;
    checkRecord(row, report);
    levels[0]!.push(hashLeafString(row.bytes));
  }
  if (expected < to) {
    report({
      subject: 'record',
      at: expected,
      problem:
        to - expected === 1
          ? 'leaf row is missing (deleted)'
          : `leaf rows ${expected} to ${to - 1} are missing (deleted)`,
    });
  }
  const complete = rows.length === to - from;
  // The tree cannot be rebuilt past a gap.
  if (!complete) return { records: rows.length, findings, complete, prefixes: [] };

  for (let level = 1; levels[level - 1]!.length >= 2; level++) {
    const below = levels[level - 1]!;
    const here: HashString[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) here.push(hashChildrenString(below[i]!, below[i + 1]!));
    levels.push(here);
  }
  // Every stored subtree hash inside the chunk must equal the recomputed one: proofs are built from
  // them. A level at a time; only a level that differs is read node by node, to name each wrong one.
  for (let level = 1; level < levels.length; level++) {
    const computed = levels[level]!;
    const first = from / 2 ** level;
    const stored = await source.readHashSpan(level, first, computed.length);
    if (stored !== null && stored.toString('latin1') === computed.join('')) continue;
    const nodes = computed.map((hash, i) => ({ ref: { level, index: first + i }, hash: hashBytes(hash) }));
    await compareStoredNodes(source, nodes, report);
  }

  const hashOf = (ref: NodeRef) => levels[ref.level]![ref.index - from / 2 ** ref.level]!;
  const prefixes = [...new Set([...sizes.filter((s) => s > from && s < to), to])]
    .sort((a, b) => a - b)
    .map((size) => ({ size, hashes: decomposeRange(from, size).map((ref) => hashBytes(hashOf(ref))) }));
  return { records: rows.length, findings, complete, prefixes };
}

function hashBytes(hash: HashString): Buffer {
  return Buffer.from(hash, 'latin1');
}

export function inProcessChecker(storage: ChunkSource): ChunkChecker {
  return { parallelism: 1, check: (from, to, sizes) => checkChunk(storage, from, to, sizes) };
}

export async function auditLedger(options: {
  storage: AuditStorage;
  verifierKey: string;
  origin: string;
  onProgress?: (done: number, total: number) => void;
  checker?: ChunkChecker;
}): Promise<AuditReport> {
  const started = performance.now();
  const { storage } = options;
  const findings: AuditFinding[] = [];
  const report = (f: AuditFinding) => {
    if (findings.length < MAX_FINDINGS) findings.push(f);
  };

  const checkpoints = await storage.listCheckpoints();
  const signedRoots = new Map<number, Buffer>();
  for (const cp of checkpoints) {
    try {
      const signed = verifyCheckpoint(cp.note, options.verifierKey);
      if (signed.origin !== options.origin) {
        report({ subject: 'checkpoint', at: cp.size, problem: `signed for origin "${signed.origin}", not this log` });
      } else if (signed.size !== cp.size || !Buffer.from(signed.root).equals(cp.root)) {
        report({ subject: 'checkpoint', at: cp.size, problem: 'stored size or root differs from the signed note' });
      } else {
        signedRoots.set(cp.size, Buffer.from(signed.root));
      }
    } catch (error) {
      report({ subject: 'checkpoint', at: cp.size, problem: `signature does not verify: ${(error as Error).message}` });
    }
  }

  const treeSize = await storage.treeSize();
  for (const cp of checkpoints) {
    if (cp.size > treeSize) {
      report({
        subject: 'checkpoint',
        at: cp.size,
        problem: `commits to ${cp.size} records but the ledger holds ${treeSize}: records were deleted from the end`,
      });
    }
  }
  const range = CompactRange.empty();
  let treeBroken = false;
  let records = 0;
  if (signedRoots.has(0) && !signedRoots.get(0)!.equals(range.root())) {
    report({ subject: 'checkpoint', at: 0, problem: 'root of the empty tree is wrong' });
  }

  // Chunks are checked ahead (in parallel when the checker allows) and folded into the tree in order.
  const checker = options.checker ?? inProcessChecker(storage);
  const ahead = Math.max(2, checker.parallelism * 2);
  const signedSizes = [...signedRoots.keys()];
  const inFlight: { from: number; to: number; result: Promise<ChunkResult> }[] = [];
  let requested = 0;
  const requestMore = () => {
    while (inFlight.length < ahead && requested < treeSize) {
      const from = requested;
      const to = Math.min(treeSize, from + AUDIT_CHUNK);
      requested = to;
      inFlight.push({
        from,
        to,
        result: checker.check(
          from,
          to,
          signedSizes.filter((s) => s > from && s <= to),
        ),
      });
    }
  };
  requestMore();
  while (inFlight.length > 0) {
    const { from, to, result } = inFlight.shift()!;
    const chunk = await result;
    if (chunk.records === 0) {
      // An empty chunk: skip the whole gap in one step, so that a row planted at a huge index cannot
      // make the audit walk billions of empty chunks.
      const next = (await storage.scanRecords(to, 1))[0]?.index ?? treeSize;
      const resume = Math.max(to, Math.floor(next / AUDIT_CHUNK) * AUDIT_CHUNK);
      if (resume > to) {
        report({ subject: 'record', at: from, problem: `leaf rows ${from} to ${resume - 1} are missing (deleted)` });
        treeBroken = true;
        // Chunks already asked for inside the gap are empty too: their answers are not needed.
        for (const skipped of inFlight.splice(0)) skipped.result.catch(() => {});
        requested = resume;
        requestMore();
        options.onProgress?.(resume, treeSize);
        continue;
      }
    }
    requestMore();
    for (const f of chunk.findings) report(f);
    records += chunk.records;
    if (!chunk.complete) treeBroken = true;
    if (!treeBroken) {
      for (const prefix of chunk.prefixes) {
        const refs = decomposeRange(from, prefix.size);
        const grown = prefix.size === to ? range : range.clone();
        const newNodes: { ref: NodeRef; hash: Buffer }[] = [];
        refs.forEach((ref, i) => {
          for (const node of grown.appendSubtree(ref.level, prefix.hashes[i]!)) newNodes.push(node);
        });
        if (prefix.size === to && newNodes.length > 0) await compareStoredNodes(storage, newNodes, report);
        if (signedRoots.has(prefix.size)) {
          const expectedRoot = signedRoots.get(prefix.size)!;
          if (!grown.root().equals(expectedRoot)) {
            report({
              subject: 'checkpoint',
              at: prefix.size,
              problem: 'root does not match the records as stored: history was rewritten',
            });
          }
        }
      }
    }
    options.onProgress?.(to, treeSize);
  }

  // Consecutive checkpoints must be consistent using the stored subtree hashes that serve proofs.
  const signed = [...signedRoots.entries()].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < signed.length; i++) {
    const [oldSize, oldRoot] = signed[i - 1]!;
    const [newSize, newRoot] = signed[i]!;
    if (oldSize === 0 || newSize > treeSize) continue;
    try {
      const plan = consistencyProofPlan(oldSize, newSize);
      const nodes = await storage.readNodes(refsOfPlan(plan).map(nodeId));
      const proof = hashPlan(plan, (ref) => {
        const h = nodes.get(nodeId(ref));
        if (h === undefined) throw new Error(`subtree hash level ${ref.level} index ${ref.index} is missing`);
        return h;
      });
      if (!verifyConsistency({ oldSize, newSize, oldRoot, newRoot, proof })) {
        report({
          subject: 'checkpoint',
          at: newSize,
          problem: `not consistent with the checkpoint at size ${oldSize}`,
        });
      }
    } catch (error) {
      report({
        subject: 'checkpoint',
        at: newSize,
        problem: `consistency with size ${oldSize} cannot be proved: ${(error as Error).message}`,
      });
    }
  }

  return {
    ok: findings.length === 0,
    treeSize,
    records,
    checkpoints: checkpoints.length,
    findings,
    seconds: (performance.now() - started) / 1000,
  };
}

const LEAF_PREFIX = '{"capturedAt":"';

/**
 * Fast path: a leaf is exactly {"capturedAt":"…","commitment":C,"id":I,"type":T,"v":1} in canonical
 * form, with C recomputed from the stored content. Comparing text avoids parsing a million leaves (read
 * as latin1, a leaf with other than ASCII in it never matches); anything else takes the slow path,
 * which parses and says what is wrong.
 */
function leafCommitsTo(row: AuditRow, commitment: string): boolean {
  const text = row.bytes.toString('latin1');
  const suffix = `","commitment":"${commitment}","id":${JSON.stringify(row.id)},"type":${JSON.stringify(row.type)},"v":1}`;
  const end = text.length - suffix.length;
  return (
    end > LEAF_PREFIX.length &&
    text.startsWith(LEAF_PREFIX) &&
    text.indexOf('"', LEAF_PREFIX.length) === end &&
    text.endsWith(suffix)
  );
}

function checkRecord(row: AuditRow, report: (f: AuditFinding) => void): void {
  if (row.content !== null && row.salt !== null && leafCommitsTo(row, contentCommitment(row.salt, row.content))) {
    if (row.type === 'message') checkProjection(row, report);
    return;
  }
  const at = row.index;
  const id = row.id;
  let commitment: string;
  try {
    const leaf = parseLeaf(row.bytes);
    if (leaf.id !== row.id) report({ subject: 'record', at, id, problem: `leaf names id ${leaf.id}` });
    if (leaf.type !== row.type) report({ subject: 'record', at, id, problem: `leaf names type ${leaf.type}` });
    commitment = leaf.commitment;
  } catch (error) {
    report({ subject: 'record', at, id, problem: `leaf bytes are not a valid leaf: ${(error as Error).message}` });
    return;
  }
  if (row.content === null || row.salt === null) {
    report({ subject: 'record', at, id, problem: 'content is missing (deleted) and was not shredded' });
    return;
  }
  if (contentCommitment(row.salt, row.content) !== commitment) {
    report({ subject: 'record', at, id, problem: 'content does not match its commitment: it was changed' });
    return;
  }
  if (row.type === 'message') checkProjection(row, report);
}

function checkProjection(row: AuditRow, report: (f: AuditFinding) => void): void {
  const at = row.index;
  const id = row.id;
  if (row.message === null) {
    report({ subject: 'record', at, id, problem: 'message row is missing: search and export cannot see it' });
    return;
  }
  if (row.indexed !== undefined && !row.indexed.text) {
    report({ subject: 'record', at, id, problem: 'full-text index entry is missing: search cannot find it' });
  }
  if (row.indexed !== undefined && !row.indexed.keys) {
    report({
      subject: 'record',
      at,
      id,
      problem: 'key index entry is missing: selections by conversation or participant cannot find it',
    });
  }
  if ('matches' in row.message) return;
  const c = JSON.parse(row.content!.toString('utf8')) as Record<string, unknown>;
  const m = row.message;
  const differs: string[] = [];
  if (c.platform !== m.platform) differs.push('platform');
  if (c.conversationId !== m.conversationId) differs.push('conversationId');
  if (c.sender !== m.sender) differs.push('sender');
  if (Date.parse(String(c.sentAt)) !== m.sentAtMs) differs.push('sentAt');
  if (c.kind !== m.kind) differs.push('kind');
  if ((c.platformMessageId ?? null) !== m.platformMessageId) differs.push('platformMessageId');
  if ((c.refersTo ?? null) !== m.refersTo) differs.push('refersTo');
  if (differs.length > 0) {
    report({
      subject: 'record',
      at,
      id,
      problem: `message row differs from the committed content in ${differs.join(', ')}`,
    });
  }
}

async function compareStoredNodes(
  storage: Pick<AuditStorage, 'readNodes'>,
  computed: { ref: NodeRef; hash: Buffer }[],
  report: (f: AuditFinding) => void,
): Promise<void> {
  const stored = await storage.readNodes(computed.map((n) => nodeId(n.ref)));
  for (const node of computed) {
    const hash = stored.get(nodeId(node.ref));
    const first = node.ref.index * 2 ** node.ref.level;
    const span = `records ${first} to ${first + 2 ** node.ref.level - 1}`;
    if (hash === undefined) {
      report({ subject: 'tree', at: first, problem: `subtree hash over ${span} is missing: proofs cannot be built` });
    } else if (!hash.equals(node.hash)) {
      report({ subject: 'tree', at: first, problem: `subtree hash over ${span} is wrong: proofs would not verify` });
    }
  }
}
