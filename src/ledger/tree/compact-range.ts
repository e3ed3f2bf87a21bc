/**
 * The right edge ("frontier") of a growing tree: the hashes of the complete subtrees that
 * decomposeRange(0, size) names, highest first. It is all the single ledger writer needs to append
 * leaves and compute roots (RFC 9162 §2.1.1 MTH), and it hands back every complete node an append
 * finishes so the writer can store it for later proofs.
 */
import { StenoError } from '../../core/errors.js';
import { EMPTY_TREE_ROOT, HASH_SIZE, hashChildren, isHash } from './hash.js';
import { checkTreeSize, decomposeRange, frontierLength, MAX_TREE_SIZE, type NodeRef } from './node.js';

/** A complete subtree and its hash. */
export interface TreeNode {
  ref: NodeRef;
  hash: Buffer;
}

export class CompactRange {
  private treeSize: number;
  /** One hash per set bit of treeSize, from the highest bit (leftmost subtree) down. */
  private readonly hashes: Buffer[];

  private constructor(treeSize: number, hashes: Buffer[]) {
    this.treeSize = treeSize;
    this.hashes = hashes;
  }

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** A range from stored hashes of decomposeRange(0, size), in that order. */
  static fromFrontier(size: number, hashes: readonly Uint8Array[]): CompactRange {
    checkTreeSize(size, 'tree size');
    const expected = frontierLength(size);
    if (!Array.isArray(hashes) || hashes.length !== expected) {
      const got = Array.isArray(hashes) ? `${hashes.length}` : 'no list';
      throw new StenoError('invalid_input', `a tree of ${size} leaves has ${expected} frontier hashes, got ${got}`);
    }
    const copies: Buffer[] = [];
    for (const hash of hashes) {
      if (!isHash(hash)) throw new StenoError('invalid_input', `frontier hashes must be ${HASH_SIZE} bytes`);
      copies.push(Buffer.from(hash));
    }
    return new CompactRange(size, copies);
  }

  get size(): number {
    return this.treeSize;
  }

  /** The frontier's refs (decomposeRange(0, size)) with copies of their hashes. */
  frontier(): TreeNode[] {
    return decomposeRange(0, this.treeSize).map((ref, i) => ({ ref, hash: Buffer.from(this.hashes[i]!) }));
  }

  /**
   * Appends one leaf hash. Returns every complete node of level >= 1 that this leaf completes, lowest
   * first (the leaf itself, level 0, is the caller's to store). The returned buffers are the caller's.
   */
  append(leafHash: Uint8Array): TreeNode[] {
    if (!isHash(leafHash)) throw new StenoError('invalid_input', `a leaf hash must be ${HASH_SIZE} bytes`);
    const oldSize = this.treeSize;
    if (oldSize >= MAX_TREE_SIZE) throw new StenoError('too_large', `the tree is full at ${MAX_TREE_SIZE} leaves`);
    const newSize = oldSize + 1;
    const completed: TreeNode[] = [];
    let hash: Buffer = Buffer.from(leafHash);
    let level = 0;
    let width = 1;
    // Each trailing set bit of oldSize is a complete subtree on the frontier that the new leaf's
    // subtree now pairs with (RFC 9162 §2.1.1 splits at powers of two, so these merges are exactly
    // the complete subtrees that end at the new leaf).
    for (let bits = oldSize; bits % 2 === 1; bits = (bits - 1) / 2) {
      hash = hashChildren(this.hashes.pop()!, hash);
      level++;
      width *= 2;
      completed.push({ ref: { level, index: newSize / width - 1 }, hash });
    }
    if (completed.length > 0) {
      // The top node is also kept on the frontier; the caller gets its own copy.
      const top = completed[completed.length - 1]!;
      top.hash = Buffer.from(hash);
    }
    this.hashes.push(hash);
    this.treeSize = newSize;
    return completed;
  }

  /**
   * Appends a complete subtree of 2^level leaves whose hash was computed elsewhere (the audit's workers
   * hash whole chunks). The tree size must be a multiple of 2^level, so the subtree is aligned.
   * Returns the complete nodes above `level` that it finishes, lowest first.
   */
  appendSubtree(level: number, subtreeHash: Uint8Array): TreeNode[] {
    if (!isHash(subtreeHash)) throw new StenoError('invalid_input', `a subtree hash must be ${HASH_SIZE} bytes`);
    const width0 = 2 ** level;
    if (!Number.isInteger(level) || level < 0 || this.treeSize % width0 !== 0) {
      throw new StenoError('invalid_input', `a subtree of level ${level} cannot follow ${this.treeSize} leaves`);
    }
    if (this.treeSize + width0 > MAX_TREE_SIZE)
      throw new StenoError('too_large', `the tree is full at ${MAX_TREE_SIZE} leaves`);
    const newSize = this.treeSize + width0;
    const completed: TreeNode[] = [];
    let hash: Buffer = Buffer.from(subtreeHash);
    let width = width0;
    let at = level;
    for (let bits = this.treeSize / width0; bits % 2 === 1; bits = (bits - 1) / 2) {
      hash = hashChildren(this.hashes.pop()!, hash);
      at++;
      width *= 2;
      completed.push({ ref: { level: at, index: newSize / width - 1 }, hash });
    }
    if (completed.length > 0) completed[completed.length - 1]!.hash = Buffer.from(hash);
    this.hashes.push(hash);
    this.treeSize = newSize;
    return completed;
  }

  /** RFC 9162 §2.1.1 MTH of the whole tree: the frontier folded right to left; EMPTY_TREE_ROOT when empty. */
  root(): Buffer {
    const hashes = this.hashes;
    const last = hashes.length - 1;
    if (last < 0) return Buffer.from(EMPTY_TREE_ROOT);
    if (last === 0) return Buffer.from(hashes[0]!);
    let hash = hashChildren(hashes[last - 1]!, hashes[last]!);
    for (let i = last - 2; i >= 0; i--) hash = hashChildren(hashes[i]!, hash);
    return hash;
  }

  clone(): CompactRange {
    return new CompactRange(this.treeSize, this.hashes.slice());
  }
}
