/**
 * Proof verification, RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), written for hostile
 * input: every size, index, hash and proof length is checked before any hashing, so malformed input
 * yields false (or, from rootFromInclusionProof, a StenoError) and never an exception from deep inside.
 *
 * Sizes and indexes are JavaScript numbers; the bit operations of the RFC (LSB, right shift) are done
 * with arithmetic so they stay exact up to 2^53.
 */
import { StenoError } from '../../core/errors.js';
import { bytesEqual, HASH_SIZE, hashChildren, isHash } from './hash.js';

/**
 * Longest proof accepted before any other check: a tree of at most 2^53 leaves has inclusion proofs of
 * at most 53 hashes and consistency proofs of at most 2 * 53.
 */
export const MAX_PROOF_LENGTH = 2 * 53;

export interface InclusionProofInput {
  leafHash: Uint8Array;
  leafIndex: number;
  treeSize: number;
  proof: readonly Uint8Array[];
}

export interface InclusionCheck extends InclusionProofInput {
  root: Uint8Array;
}

export interface ConsistencyCheck {
  oldSize: number;
  newSize: number;
  oldRoot: Uint8Array;
  newRoot: Uint8Array;
  proof: readonly Uint8Array[];
}

const isLsbSet = (n: number): boolean => n % 2 === 1;
const shiftRight = (n: number): number => Math.floor(n / 2);

/** A private copy of a proof, or null unless it is an array of at most MAX_PROOF_LENGTH 32-byte hashes. */
function readProof(proof: unknown): Uint8Array[] | null {
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_LENGTH) return null;
  const copy: unknown[] = Array.from(proof);
  return copy.every(isHash) ? copy : null;
}

/** The checked fields of an inclusion proof input, or a description of what is wrong with it. */
function readInclusionInput(input: unknown): InclusionProofInput | string {
  if (typeof input !== 'object' || input === null) return 'inclusion proof input must be an object';
  const { leafHash, leafIndex, treeSize, proof } = input as Record<keyof InclusionProofInput, unknown>;
  if (!isHash(leafHash)) return `leaf hash must be ${HASH_SIZE} bytes`;
  if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 1) {
    return 'tree size must be a positive integer';
  }
  // RFC 9162 §2.1.3.2 step 1: if leaf_index is greater than or equal to tree_size, fail.
  if (typeof leafIndex !== 'number' || !Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
    return 'leaf index must be an integer below the tree size';
  }
  const hashes = readProof(proof);
  if (hashes === null) return `proof must be at most ${MAX_PROOF_LENGTH} hashes of ${HASH_SIZE} bytes`;
  return { leafHash, leafIndex, treeSize, proof: hashes };
}

/** RFC 9162 §2.1.3.2 steps 2-4; returns null when the proof length does not fit the tree. Input is pre-checked. */
function walkInclusionProof(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Uint8Array | null {
  // 2. Set fn to leaf_index and sn to tree_size - 1.  3. Set r to hash.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = leafHash;
  // 4. For each value p in the inclusion_path array:
  for (const p of proof) {
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0) return null;
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if (isLsbSet(fn) || fn === sn) {
      // i. Set r to HASH(0x01 || p || r).
      r = hashChildren(p, r);
      // ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set or fn is 0.
      while (!isLsbSet(fn) && fn !== 0) {
        fn = shiftRight(fn);
        sn = shiftRight(sn);
      }
    } else {
      // Otherwise: i. Set r to HASH(0x01 || r || p).
      r = hashChildren(r, p);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn = shiftRight(fn);
    sn = shiftRight(sn);
  }
  // 5. (first half) sn must be 0, or the proof is too short for the tree.
  return sn === 0 ? r : null;
}

/**
 * The root an inclusion proof implies (RFC 9162 §2.1.3.2 without the final comparison). Throws a
 * StenoError ('invalid_input') when the input is malformed or the proof length does not fit the tree.
 */
export function rootFromInclusionProof(input: InclusionProofInput): Buffer {
  const checked = readInclusionInput(input);
  if (typeof checked === 'string') throw new StenoError('invalid_input', checked);
  const root = walkInclusionProof(checked.leafHash, checked.leafIndex, checked.treeSize, checked.proof);
  if (root === null) {
    throw new StenoError('invalid_input', 'inclusion proof has the wrong number of hashes for its tree size');
  }
  return Buffer.from(root);
}

/** RFC 9162 §2.1.3.2: true only if the proof shows leafHash at leafIndex in the tree of treeSize with this root. */
export function verifyInclusion(input: InclusionCheck): boolean {
  const checked = readInclusionInput(input);
  if (typeof checked === 'string') return false;
  const expected: unknown = input.root;
  if (!isHash(expected)) return false;
  const root = walkInclusionProof(checked.leafHash, checked.leafIndex, checked.treeSize, checked.proof);
  // 5. Compare r against the root_hash.
  return root !== null && bytesEqual(root, expected);
}

/**
 * RFC 9162 §2.1.4.2: true only if the proof shows the tree of oldSize with oldRoot is a prefix of the
 * tree of newSize with newRoot. Between equal sizes the proof must be empty and the roots equal.
 * oldSize 0 returns false: the RFC defines consistency proofs only from a non-empty tree.
 */
export function verifyConsistency(input: ConsistencyCheck): boolean {
  if (typeof input !== 'object' || input === null) return false;
  const { oldSize, newSize, oldRoot, newRoot } = input as Record<keyof ConsistencyCheck, unknown>;
  if (typeof oldSize !== 'number' || typeof newSize !== 'number') return false;
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 1 || oldSize > newSize) {
    return false;
  }
  const proof = readProof(input.proof);
  if (!isHash(oldRoot) || !isHash(newRoot) || proof === null) return false;
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  // 1. If consistency_path is an empty array, stop and fail the proof verification.
  if (proof.length === 0) return false;
  // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  // 3. Set fn to first - 1 and sn to second - 1.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
  while (isLsbSet(fn)) {
    fn = shiftRight(fn);
    sn = shiftRight(sn);
  }
  // 5. Set both fr and sr to the first value in the consistency_path array.
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  // 6. For each subsequent value c in the consistency_path array:
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0) return false;
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if (isLsbSet(fn) || fn === sn) {
      // i. Set fr to HASH(0x01 || c || fr).  ii. Set sr to HASH(0x01 || c || sr).
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      // iii. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set or fn is 0.
      while (!isLsbSet(fn) && fn !== 0) {
        fn = shiftRight(fn);
        sn = shiftRight(sn);
      }
    } else {
      // Otherwise: i. Set sr to HASH(0x01 || sr || c).
      sr = hashChildren(sr, c);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn = shiftRight(fn);
    sn = shiftRight(sn);
  }
  // 7. Verify that fr equals first_hash, sr equals second_hash, and sn is 0.
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

function isPowerOfTwo(n: number): boolean {
  let rest = n;
  while (rest > 1 && rest % 2 === 0) rest /= 2;
  return rest === 1;
}
