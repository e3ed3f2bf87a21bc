/**
 * Merkle tree hashing, RFC 9162 §2.1.1: SHA-256 with a one-byte prefix that separates leaf hashes
 * from interior node hashes (so no leaf can be passed off as a node, and vice versa).
 */
import { hash as oneShotHash } from 'node:crypto';
import { StenoError } from '../../core/errors.js';
import { sha256 } from '../../core/hash.js';

/** Every hash in the tree is one SHA-256 digest. */
export const HASH_SIZE = 32;
/** RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)). */
export const LEAF_HASH_PREFIX = 0x00;
/** RFC 9162 §2.1.1: MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])). */
export const NODE_HASH_PREFIX = 0x01;

/**
 * RFC 9162 §2.1.1: the hash of an empty list is the hash of an empty string, MTH({}) = HASH().
 * Shared by every caller: never mutate it (functions here hand out copies).
 */
export const EMPTY_TREE_ROOT: Buffer = sha256();

/** Leaves up to this size are hashed with one copy and a one-shot digest (faster); larger ones are streamed. */
const ONE_SHOT_LEAF_LIMIT = 4096;

/** Scratch input for hashChildren: prefix, left, right. Safe to share because hashing is synchronous. */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_HASH_PREFIX;
const LEFT_OFFSET = 1;
const RIGHT_OFFSET = 1 + HASH_SIZE;

/** True when value is a byte array of exactly HASH_SIZE bytes. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** RFC 9162 §2.1.1: the leaf hash HASH(0x00 || leaf). */
export function hashLeaf(leafBytes: Uint8Array): Buffer {
  if (!(leafBytes instanceof Uint8Array)) {
    throw new StenoError('invalid_input', 'a Merkle leaf must be a byte array');
  }
  if (leafBytes.length > ONE_SHOT_LEAF_LIMIT) {
    return sha256(Uint8Array.of(LEAF_HASH_PREFIX), leafBytes);
  }
  const input = Buffer.allocUnsafe(1 + leafBytes.length);
  input[0] = LEAF_HASH_PREFIX;
  input.set(leafBytes, 1);
  return oneShotHash('sha256', input, 'buffer');
}

/** RFC 9162 §2.1.1: the interior node hash HASH(0x01 || left || right). Both children must be 32-byte hashes. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (!isHash(left) || !isHash(right)) {
    throw new StenoError('invalid_input', `Merkle node children must be ${HASH_SIZE}-byte hashes`);
  }
  nodeInput.set(left, LEFT_OFFSET);
  nodeInput.set(right, RIGHT_OFFSET);
  return oneShotHash('sha256', nodeInput, 'buffer');
}

/**
 * The same two hashes for bulk work such as the full audit, with each hash as a HashString: 32
 * characters, one per byte (latin1). A digest returned as a string costs a third of one returned as a
 * Buffer, and a whole level of a tree compares as one string.
 */
export type HashString = string;

/** Scratch input for hashLeafString: the prefix, then the leaf. Synchronous use only, as nodeInput. */
const leafInput = Buffer.alloc(1 + ONE_SHOT_LEAF_LIMIT);
leafInput[0] = LEAF_HASH_PREFIX;

/** hashLeaf, as a HashString. */
export function hashLeafString(leafBytes: Uint8Array): HashString {
  if (!(leafBytes instanceof Uint8Array)) {
    throw new StenoError('invalid_input', 'a Merkle leaf must be a byte array');
  }
  if (leafBytes.length > ONE_SHOT_LEAF_LIMIT) return hashLeaf(leafBytes).toString('latin1');
  leafInput.set(leafBytes, 1);
  return oneShotHash('sha256', leafInput.subarray(0, 1 + leafBytes.length), 'binary');
}

/** hashChildren, on HashStrings. */
export function hashChildrenString(left: HashString, right: HashString): HashString {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new StenoError('invalid_input', `Merkle node children must be ${HASH_SIZE}-byte hashes`);
  }
  nodeInput.write(left, LEFT_OFFSET, 'latin1');
  nodeInput.write(right, RIGHT_OFFSET, 'latin1');
  return oneShotHash('sha256', nodeInput, 'binary');
}

/** Byte-wise equality. The hashes compared here are public, so a constant-time compare is not needed. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
