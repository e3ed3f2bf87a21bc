/**
 * Addresses of complete subtrees. RFC 9162 §2.1.1 splits every list at the largest power of two
 * below its length, so every MTH the RFC computes folds hashes of complete, aligned subtrees; those
 * are what storage keeps, one row per NodeRef.
 */
import { StenoError } from '../../core/errors.js';

/**
 * The complete subtree of 2^level leaves covering leaves [index * 2^level, (index + 1) * 2^level).
 * Level 0 is a leaf hash.
 */
export interface NodeRef {
  level: number;
  index: number;
}

/** The highest level a node may have: nodeId packs the level above 47 bits of index into one safe integer. */
export const MAX_NODE_LEVEL = 47;
/** nodeId = level * NODE_ID_LEVEL_STRIDE + index. */
export const NODE_ID_LEVEL_STRIDE = 2 ** 47;
/** The largest tree Steno addresses: every node of such a tree has an index below NODE_ID_LEVEL_STRIDE. */
export const MAX_TREE_SIZE = 2 ** MAX_NODE_LEVEL;

function invalid(message: string): StenoError {
  return new StenoError('invalid_input', message);
}

function isNodeInRange(level: number, index: number): boolean {
  return (
    Number.isInteger(level) &&
    level >= 0 &&
    level <= MAX_NODE_LEVEL &&
    Number.isInteger(index) &&
    index >= 0 &&
    index < NODE_ID_LEVEL_STRIDE &&
    // The subtree must lie inside the largest addressable tree.
    (index + 1) * 2 ** level <= MAX_TREE_SIZE
  );
}

/** Encodes a ref as one safe integer for storage: level * 2^47 + index. */
export function nodeId(ref: NodeRef): number {
  if (typeof ref !== 'object' || ref === null || !isNodeInRange(ref.level, ref.index)) {
    throw invalid(`not a node of a tree of at most 2^${MAX_NODE_LEVEL} leaves: ${describeRef(ref)}`);
  }
  return ref.level * NODE_ID_LEVEL_STRIDE + ref.index;
}

/** The inverse of nodeId. */
export function nodeRefFromId(id: number): NodeRef {
  if (!Number.isSafeInteger(id) || id < 0) throw invalid(`node id ${String(id)} is not a non-negative safe integer`);
  const level = Math.floor(id / NODE_ID_LEVEL_STRIDE);
  const index = id - level * NODE_ID_LEVEL_STRIDE;
  if (!isNodeInRange(level, index)) throw invalid(`node id ${id} does not name a node of an addressable tree`);
  return { level, index };
}

function describeRef(ref: unknown): string {
  if (typeof ref !== 'object' || ref === null) return String(ref);
  const { level, index } = ref as { level?: unknown; index?: unknown };
  return `level ${String(level)} index ${String(index)}`;
}

/** Throws unless size is an integer tree size in [min, MAX_TREE_SIZE]. */
export function checkTreeSize(size: number, what: string, min = 0): void {
  if (!Number.isSafeInteger(size) || size < min || size > MAX_TREE_SIZE) {
    throw invalid(`${what} must be an integer from ${min} to 2^${MAX_NODE_LEVEL}, got ${String(size)}`);
  }
}

/**
 * The aligned complete subtrees covering leaves [start, end), left to right: at each step the largest
 * subtree that starts at the current leaf (is aligned to it) and ends no later than `end`.
 *
 * For the ranges RFC 9162 hashes (§2.1.1: a range [a, b) whose start is a multiple of the smallest
 * power of two >= b - a, which includes every proof element of §2.1.3.1 and §2.1.4.1, and the whole
 * tree [0, size)) this yields subtrees of strictly decreasing size, and MTH(D[a:b]) is their fold
 * from right to left with hashChildren (see hashRefs).
 */
export function decomposeRange(start: number, end: number): NodeRef[] {
  checkTreeSize(end, 'range end');
  if (!Number.isSafeInteger(start) || start < 0 || start > end) {
    throw invalid(`range start must be an integer from 0 to the range end ${end}, got ${String(start)}`);
  }
  const refs: NodeRef[] = [];
  let position = start;
  while (position < end) {
    let level = 0;
    let width = 1;
    while (level < MAX_NODE_LEVEL && position % (width * 2) === 0 && position + width * 2 <= end) {
      level++;
      width *= 2;
    }
    refs.push({ level, index: position / width });
    position += width;
  }
  return refs;
}

/** The number of complete subtrees on the right edge of a tree of `size` leaves (one per set bit of size). */
export function frontierLength(size: number): number {
  let count = 0;
  for (let rest = size; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
