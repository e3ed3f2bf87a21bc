/**
 * Proof plans: which stored complete-subtree hashes make up a root or a proof. Every proof element of
 * RFC 9162 is the MTH of a range of leaves; a plan lists, for each element in proof order, the
 * decomposition of that range (decomposeRange), so storage can fetch all refs in one query
 * (refsOfPlan) and hashPlan folds them into the proof.
 */
import { StenoError } from '../../core/errors.js';
import { EMPTY_TREE_ROOT, HASH_SIZE, hashChildren, isHash } from './hash.js';
import { checkTreeSize, decomposeRange, type NodeRef, nodeId } from './node.js';

/** One entry per proof element, in proof order; each entry is the decomposition of that element's range. */
export type ProofPlan = NodeRef[][];

/** Returns the stored hash of a complete subtree. */
export type NodeLookup = (ref: NodeRef) => Uint8Array;

/** RFC 9162 §2.1.1: k is the largest power of two smaller than n (n >= 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The refs whose fold is the root of a tree of `size` leaves (RFC 9162 §2.1.1); empty for the empty tree. */
export function rootPlan(size: number): NodeRef[] {
  checkTreeSize(size, 'tree size');
  return decomposeRange(0, size);
}

/**
 * RFC 9162 §2.1.3.1, PATH(m, D_n): walking down from the root, each split at k contributes the MTH of
 * the half that does not hold leaf m; PATH lists those siblings from the leaf upwards.
 */
export function inclusionProofPlan(leafIndex: number, treeSize: number): ProofPlan {
  checkTreeSize(treeSize, 'tree size', 1);
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
    throw new StenoError(
      'invalid_input',
      `leaf index must be an integer below the tree size ${treeSize}, got ${String(leafIndex)}`,
    );
  }
  const topDown: ProofPlan = [];
  let low = 0;
  let high = treeSize;
  while (high - low > 1) {
    const split = low + largestPowerOfTwoBelow(high - low);
    if (leafIndex < split) {
      // PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n])
      topDown.push(decomposeRange(split, high));
      high = split;
    } else {
      // PATH(m, D_n) = PATH(m - k, D[k:n]) : MTH(D[0:k])
      topDown.push(decomposeRange(low, split));
      low = split;
    }
  }
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.4.1, PROOF(m, D_n) = SUBPROOF(m, D_n, true). The proof between equal sizes is empty.
 * The RFC defines proofs only from a non-empty tree (0 < m), so oldSize 0 is rejected.
 */
export function consistencyProofPlan(oldSize: number, newSize: number): ProofPlan {
  checkTreeSize(newSize, 'new tree size', 1);
  if (!Number.isSafeInteger(oldSize) || oldSize < 1 || oldSize > newSize) {
    throw new StenoError(
      'invalid_input',
      `a consistency proof needs an old tree size from 1 to the new size ${newSize}, got ${String(oldSize)}`,
    );
  }
  const topDown: ProofPlan = [];
  let low = 0;
  let high = newSize;
  // SUBPROOF's flag b: true while the old tree is a prefix of the subtree that the verifier already knows.
  let knownPrefix = true;
  while (oldSize !== high) {
    const split = low + largestPowerOfTwoBelow(high - low);
    if (oldSize <= split) {
      // m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      topDown.push(decomposeRange(split, high));
      high = split;
    } else {
      // m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      topDown.push(decomposeRange(low, split));
      low = split;
      knownPrefix = false;
    }
  }
  // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}.
  const base: ProofPlan = knownPrefix ? [] : [decomposeRange(low, high)];
  return base.concat(topDown.reverse());
}

/** Every ref a plan needs, each once, in first-use order (for one storage query). */
export function refsOfPlan(plan: readonly (readonly NodeRef[])[]): NodeRef[] {
  const seen = new Set<number>();
  const refs: NodeRef[] = [];
  for (const element of plan) {
    for (const ref of element) {
      const id = nodeId(ref);
      if (!seen.has(id)) {
        seen.add(id);
        refs.push(ref);
      }
    }
  }
  return refs;
}

function lookupHash(lookup: NodeLookup, ref: NodeRef): Uint8Array {
  const hash = lookup(ref);
  if (!isHash(hash)) {
    throw new StenoError(
      'integrity',
      `stored hash of node level ${ref.level} index ${ref.index} is not a ${HASH_SIZE}-byte hash`,
    );
  }
  return hash;
}

/**
 * RFC 9162 §2.1.1 MTH of a range given the decomposition of that range: fold right to left,
 * MTH = hashChildren(h0, hashChildren(h1, ... hashChildren(h(n-2), h(n-1)))). No refs is the empty tree.
 * Always returns a fresh buffer.
 */
export function hashRefs(refs: readonly NodeRef[], lookup: NodeLookup): Buffer {
  const last = refs.length - 1;
  if (last < 0) return Buffer.from(EMPTY_TREE_ROOT);
  const rightmost = lookupHash(lookup, refs[last]!);
  if (last === 0) return Buffer.from(rightmost);
  let hash = hashChildren(lookupHash(lookup, refs[last - 1]!), rightmost);
  for (let i = last - 2; i >= 0; i--) hash = hashChildren(lookupHash(lookup, refs[i]!), hash);
  return hash;
}

/** The proof hashes a plan describes, in proof order. */
export function hashPlan(plan: readonly (readonly NodeRef[])[], lookup: NodeLookup): Buffer[] {
  return plan.map((element) => {
    if (element.length === 0) throw new StenoError('invalid_input', 'a proof plan element has no nodes');
    return hashRefs(element, lookup);
  });
}
