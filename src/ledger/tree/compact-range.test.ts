import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStenoError } from '../../core/errors.js';
import {
  CompactRange,
  decomposeRange,
  EMPTY_TREE_ROOT,
  frontierLength,
  hashChildren,
  hashLeaf,
  hashRefs,
  MAX_TREE_SIZE,
  type NodeRef,
  nodeId,
  rootPlan,
  type TreeNode,
} from './index.js';
import vectors from './vectors/rfc6962.json' with { type: 'json' };

const hex = (s: string) => Buffer.from(s, 'hex');
const vectorHash = (ref: NodeRef) => vectors.nodesByLevel[ref.level]![ref.index]!;

function expectStenoError(fn: () => unknown, code?: string): void {
  try {
    fn();
  } catch (error) {
    expect(isStenoError(error)).toBe(true);
    if (code) expect((error as { code: string }).code).toBe(code);
    return;
  }
  expect.unreachable('expected a StenoError');
}

function leafHashes(count: number, salt = ''): Buffer[] {
  return Array.from({ length: count }, (_, i) => hashLeaf(Buffer.from(`${salt}leaf ${i}`)));
}

describe('CompactRange on the RFC 6962 test tree', () => {
  it('tracks the published roots, frontiers and complete nodes leaf by leaf', () => {
    const range = CompactRange.empty();
    expect(range.size).toBe(0);
    expect(range.root().equals(EMPTY_TREE_ROOT)).toBe(true);
    expect(range.frontier()).toEqual([]);
    const emitted: TreeNode[] = [];
    vectors.nodesByLevel[0]!.forEach((leaf, i) => {
      const completed = range.append(hex(leaf));
      for (const node of completed) {
        expect(node.ref.level).toBeGreaterThanOrEqual(1);
        expect(node.hash.toString('hex')).toBe(vectorHash(node.ref));
      }
      emitted.push(...completed);
      expect(range.size).toBe(i + 1);
      expect(range.root().toString('hex')).toBe(vectors.rootsBySize[i + 1]);
      const frontier = range.frontier();
      expect(frontier.map((n) => n.ref)).toEqual(decomposeRange(0, i + 1));
      for (const node of frontier) expect(node.hash.toString('hex')).toBe(vectorHash(node.ref));
    });
    // Every complete node above the leaves of the 8-leaf tree, each once, lowest first per append.
    expect(emitted.map((n) => n.ref)).toEqual([
      { level: 1, index: 0 },
      { level: 1, index: 1 },
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 1, index: 3 },
      { level: 2, index: 1 },
      { level: 3, index: 0 },
    ]);
  });
});

describe('CompactRange', () => {
  it('emits every complete node of level >= 1 exactly once, with the hash of its two children', () => {
    const count = 1000;
    const leaves = leafHashes(count);
    const nodes = new Map<number, Buffer>();
    for (const [index, hash] of leaves.entries()) nodes.set(nodeId({ level: 0, index }), hash);
    const range = CompactRange.empty();
    let emitted = 0;
    for (const leaf of leaves) {
      for (const node of range.append(leaf)) {
        const id = nodeId(node.ref);
        expect(nodes.has(id)).toBe(false);
        const left = nodes.get(nodeId({ level: node.ref.level - 1, index: 2 * node.ref.index }))!;
        const right = nodes.get(nodeId({ level: node.ref.level - 1, index: 2 * node.ref.index + 1 }))!;
        expect(node.hash.equals(hashChildren(left, right))).toBe(true);
        nodes.set(id, node.hash);
        emitted++;
      }
    }
    // A tree of n leaves has n - popcount(n) complete subtrees above the leaves.
    expect(emitted).toBe(count - frontierLength(count));
    expect(hashRefs(rootPlan(count), (ref) => nodes.get(nodeId(ref))!).equals(range.root())).toBe(true);
  });

  it('round-trips through its frontier and keeps growing identically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 70 }), (size, more) => {
        const leaves = leafHashes(size + more, `${size}/`);
        const original = CompactRange.empty();
        for (const leaf of leaves.slice(0, size)) original.append(leaf);
        const frontier = original.frontier();
        const restored = CompactRange.fromFrontier(
          size,
          frontier.map((node) => node.hash),
        );
        expect(restored.size).toBe(size);
        expect(restored.root().equals(original.root())).toBe(true);
        expect(restored.frontier()).toEqual(frontier);
        for (const leaf of leaves.slice(size)) expect(restored.append(leaf)).toEqual(original.append(leaf));
        expect(restored.root().equals(original.root())).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('clones are independent', () => {
    const range = CompactRange.empty();
    for (const leaf of leafHashes(5)) range.append(leaf);
    const root = range.root();
    const copy = range.clone();
    copy.append(hashLeaf(Buffer.from('more')));
    copy.append(hashLeaf(Buffer.from('and more')));
    expect(range.size).toBe(5);
    expect(range.root().equals(root)).toBe(true);
    expect(copy.size).toBe(7);
  });

  it('does not share buffers with its callers', () => {
    const range = CompactRange.empty();
    const leaves = leafHashes(4);
    const returned: Buffer[] = [];
    for (const leaf of leaves) for (const node of range.append(leaf)) returned.push(node.hash);
    const root = range.root();
    for (const leaf of leaves) leaf.fill(0xaa);
    for (const hash of returned) hash.fill(0xbb);
    for (const node of range.frontier()) node.hash.fill(0xcc);
    range.root().fill(0xdd);
    expect(range.root().equals(root)).toBe(true);
    const stored = [Buffer.alloc(32, 1)];
    const restored = CompactRange.fromFrontier(1, stored);
    stored[0]!.fill(2);
    expect(restored.root().equals(Buffer.alloc(32, 1))).toBe(true);
  });

  it('rejects malformed frontiers and leaf hashes with StenoErrors', () => {
    const hash = Buffer.alloc(32);
    expectStenoError(() => CompactRange.fromFrontier(3, [hash]), 'invalid_input');
    expectStenoError(() => CompactRange.fromFrontier(3, [hash, hash, hash]), 'invalid_input');
    expectStenoError(() => CompactRange.fromFrontier(0, [hash]), 'invalid_input');
    expectStenoError(() => CompactRange.fromFrontier(1, [Buffer.alloc(31)]), 'invalid_input');
    expectStenoError(() => CompactRange.fromFrontier(1, [null as unknown as Buffer]), 'invalid_input');
    expectStenoError(() => CompactRange.fromFrontier(1, null as unknown as Buffer[]), 'invalid_input');
    expectStenoError(() => CompactRange.fromFrontier(-1, []), 'invalid_input');
    expectStenoError(() => CompactRange.fromFrontier(1.5, [hash]), 'invalid_input');
    expectStenoError(() => CompactRange.fromFrontier(MAX_TREE_SIZE + 1, []), 'invalid_input');
    const range = CompactRange.empty();
    expectStenoError(() => range.append(Buffer.alloc(33)), 'invalid_input');
    expectStenoError(() => range.append('x'.repeat(32) as unknown as Buffer), 'invalid_input');
    expect(range.size).toBe(0);
  });

  it('fills up to the largest addressable tree and then refuses more leaves', () => {
    const hashes = Array.from({ length: 47 }, (_, i) => hashLeaf(Buffer.from(`subtree ${i}`)));
    const range = CompactRange.fromFrontier(MAX_TREE_SIZE - 1, hashes);
    const completed = range.append(hashLeaf(Buffer.from('last')));
    expect(range.size).toBe(MAX_TREE_SIZE);
    expect(completed.map((n) => n.ref.level)).toEqual(Array.from({ length: 47 }, (_, i) => i + 1));
    expect(completed.at(-1)!.ref).toEqual({ level: 47, index: 0 });
    for (const node of completed) expect(() => nodeId(node.ref)).not.toThrow();
    expect(range.root().equals(completed.at(-1)!.hash)).toBe(true);
    expectStenoError(() => range.append(hashLeaf(Buffer.from('one too many'))), 'too_large');
  });

  it('appends quickly (hot path of the writer and the audit)', () => {
    const leaves = leafHashes(50_000);
    const range = CompactRange.empty();
    const started = performance.now();
    for (const leaf of leaves) range.append(leaf);
    range.root();
    const microsPerLeaf = ((performance.now() - started) * 1000) / leaves.length;
    // About one hash per append; generous bound so slow CI machines do not flake.
    expect(microsPerLeaf).toBeLessThan(25);
  });
});

describe('CompactRange.appendSubtree', () => {
  it('gives the same tree as appending the subtree leaf by leaf', () => {
    const leaves = Array.from({ length: 1000 }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));
    const byLeaf = CompactRange.empty();
    for (const leaf of leaves) byLeaf.append(leaf);
    // 1000 = 512 + 256 + 128 + 64 + 32 + 8: build each aligned subtree separately, then append it whole.
    const bySubtree = CompactRange.empty();
    for (const ref of decomposeRange(0, 1000)) {
      const sub = CompactRange.empty();
      const first = ref.index * 2 ** ref.level;
      for (let i = first; i < first + 2 ** ref.level; i++) sub.append(leaves[i]!);
      bySubtree.appendSubtree(ref.level, sub.root());
    }
    expect(bySubtree.size).toBe(1000);
    expect(bySubtree.root().equals(byLeaf.root())).toBe(true);
  });

  it('refuses a subtree that would not be aligned', () => {
    const range = CompactRange.empty();
    range.append(hashLeaf(Buffer.from('x')));
    expect(() => range.appendSubtree(1, hashLeaf(Buffer.from('y')))).toThrow(/cannot follow 1 leaves/);
  });
});
