/**
 * Proof plans and verification against the RFC 6962 known answers, and against a naive recursive
 * reference transcribed from RFC 9162 §2.1 (MTH §2.1.1, PATH §2.1.3.1, SUBPROOF §2.1.4.1).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStenoError } from '../../core/errors.js';
import {
  CompactRange,
  consistencyProofPlan,
  EMPTY_TREE_ROOT,
  hashLeaf,
  hashPlan,
  hashRefs,
  inclusionProofPlan,
  MAX_PROOF_LENGTH,
  MAX_TREE_SIZE,
  type NodeLookup,
  type NodeRef,
  nodeId,
  refsOfPlan,
  rootFromInclusionProof,
  rootPlan,
  verifyConsistency,
  verifyInclusion,
} from './index.js';
import vectors from './vectors/rfc6962.json' with { type: 'json' };

const hex = (s: string) => Buffer.from(s, 'hex');
const toHex = (hashes: Uint8Array[]) => hashes.map((h) => Buffer.from(h).toString('hex'));

// ---------------------------------------------------------------------------------------------------
// Reference implementation: the RFC 9162 §2.1 definitions, literally, with its own SHA-256 calls.

function refHash(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The largest power of two smaller than n (n > 1). */
function refSplit(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** §2.1.1 MTH(D_n). */
function refMTH(d: readonly Uint8Array[]): Buffer {
  const n = d.length;
  if (n === 0) return refHash();
  if (n === 1) return refHash(Uint8Array.of(0x00), d[0]!);
  const k = refSplit(n);
  return refHash(Uint8Array.of(0x01), refMTH(d.slice(0, k)), refMTH(d.slice(k)));
}

/** §2.1.3.1 PATH(m, D_n). */
function refPATH(m: number, d: readonly Uint8Array[]): Buffer[] {
  const n = d.length;
  if (n === 1) return [];
  const k = refSplit(n);
  if (m < k) return [...refPATH(m, d.slice(0, k)), refMTH(d.slice(k))];
  return [...refPATH(m - k, d.slice(k)), refMTH(d.slice(0, k))];
}

/** §2.1.4.1 PROOF(m, D_n) = SUBPROOF(m, D_n, true). */
function refPROOF(m: number, d: readonly Uint8Array[]): Buffer[] {
  return refSUBPROOF(m, d, true);
}

function refSUBPROOF(m: number, d: readonly Uint8Array[], b: boolean): Buffer[] {
  const n = d.length;
  if (m === n) return b ? [] : [refMTH(d)];
  const k = refSplit(n);
  if (m <= k) return [...refSUBPROOF(m, d.slice(0, k), b), refMTH(d.slice(k))];
  return [...refSUBPROOF(m - k, d.slice(k), false), refMTH(d.slice(0, k))];
}

// ---------------------------------------------------------------------------------------------------
// A test log: entries, the node store a writer would fill from CompactRange, and the root at each size.

const MAX_TEST_SIZE = 2048;
const entries = Array.from({ length: MAX_TEST_SIZE }, (_, i) => Buffer.from(`entry ${i}`));
const store = new Map<number, Buffer>();
const rootsBySize: Buffer[] = [];
{
  const range = CompactRange.empty();
  rootsBySize.push(range.root());
  entries.forEach((entry, index) => {
    const leafHash = hashLeaf(entry);
    store.set(nodeId({ level: 0, index }), leafHash);
    for (const node of range.append(leafHash)) store.set(nodeId(node.ref), node.hash);
    rootsBySize.push(range.root());
  });
}

/** Looks nodes up in the store, failing if a plan for a tree of `size` reaches outside that tree. */
function storeLookup(size: number): NodeLookup {
  return (ref: NodeRef) => {
    expect((ref.index + 1) * 2 ** ref.level).toBeLessThanOrEqual(size);
    const hash = store.get(nodeId(ref));
    if (hash === undefined) throw new Error(`node ${ref.level}/${ref.index} missing`);
    return hash;
  };
}

/** Lookup over the published RFC 6962 node hashes. */
const vectorLookup: NodeLookup = (ref) => hex(vectors.nodesByLevel[ref.level]![ref.index]!);

function inclusionProof(leafIndex: number, treeSize: number): Buffer[] {
  return hashPlan(inclusionProofPlan(leafIndex, treeSize), storeLookup(treeSize));
}

function consistencyProof(oldSize: number, newSize: number): Buffer[] {
  return hashPlan(consistencyProofPlan(oldSize, newSize), storeLookup(newSize));
}

function expectStenoError(fn: () => unknown, pattern?: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(isStenoError(error)).toBe(true);
    if (pattern) expect((error as Error).message).toMatch(pattern);
    return;
  }
  expect.unreachable('expected a StenoError');
}

const treeSize = fc.integer({ min: 1, max: 2000 });
const leafInTree = treeSize.chain((size) => fc.tuple(fc.integer({ min: 0, max: size - 1 }), fc.constant(size)));
const sizePair = treeSize.chain((newSize) => fc.tuple(fc.integer({ min: 1, max: newSize }), fc.constant(newSize)));
const growingSizePair = fc
  .integer({ min: 2, max: 2000 })
  .chain((newSize) => fc.tuple(fc.integer({ min: 1, max: newSize - 1 }), fc.constant(newSize)));

// ---------------------------------------------------------------------------------------------------

describe('RFC 6962 known answers', () => {
  const leaves = vectors.leaves.map(hex);

  it('the reference implementation reproduces the published roots', () => {
    vectors.rootsBySize.forEach((root, size) => {
      expect(refMTH(leaves.slice(0, size)).toString('hex')).toBe(root);
    });
    expect(vectors.rootsBySize[8]).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
  });

  it('root plans over the published node hashes give the published roots', () => {
    vectors.rootsBySize.forEach((root, size) => {
      expect(hashRefs(rootPlan(size), vectorLookup).toString('hex')).toBe(root);
    });
  });

  for (const c of vectors.inclusion) {
    it(`inclusion ${c.valid ? 'verifies' : 'fails'}: ${c.description}`, () => {
      const input = {
        leafHash: hex(c.leafHash),
        leafIndex: c.leafIndex,
        treeSize: c.treeSize,
        proof: c.proof.map(hex),
        root: hex(c.root),
      };
      expect(verifyInclusion(input)).toBe(c.valid);
      if (c.valid) {
        expect(rootFromInclusionProof(input).toString('hex')).toBe(c.root);
        expect(toHex(hashPlan(inclusionProofPlan(c.leafIndex, c.treeSize), vectorLookup))).toEqual(c.proof);
        expect(toHex(refPATH(c.leafIndex, leaves.slice(0, c.treeSize)))).toEqual(c.proof);
      }
    });
  }

  for (const c of vectors.consistency) {
    it(`consistency ${c.valid ? 'verifies' : 'fails'}: ${c.description}`, () => {
      const input = {
        oldSize: c.oldSize,
        newSize: c.newSize,
        oldRoot: hex(c.oldRoot),
        newRoot: hex(c.newRoot),
        proof: c.proof.map(hex),
      };
      expect(verifyConsistency(input)).toBe(c.valid);
      if (c.valid) {
        expect(toHex(hashPlan(consistencyProofPlan(c.oldSize, c.newSize), vectorLookup))).toEqual(c.proof);
        expect(toHex(refPROOF(c.oldSize, leaves.slice(0, c.newSize)))).toEqual(c.proof);
      }
    });
  }

  it('every inclusion and consistency proof within the 8-leaf tree matches the reference and verifies', () => {
    for (let size = 1; size <= 8; size++) {
      const root = hex(vectors.rootsBySize[size]!);
      for (let index = 0; index < size; index++) {
        const proof = hashPlan(inclusionProofPlan(index, size), vectorLookup);
        expect(proof).toEqual(refPATH(index, leaves.slice(0, size)));
        const leafHash = hex(vectors.nodesByLevel[0]![index]!);
        expect(verifyInclusion({ leafHash, leafIndex: index, treeSize: size, proof, root })).toBe(true);
      }
      for (let oldSize = 1; oldSize <= size; oldSize++) {
        const proof = hashPlan(consistencyProofPlan(oldSize, size), vectorLookup);
        expect(proof).toEqual(refPROOF(oldSize, leaves.slice(0, size)));
        const oldRoot = hex(vectors.rootsBySize[oldSize]!);
        expect(verifyConsistency({ oldSize, newSize: size, oldRoot, newRoot: root, proof })).toBe(true);
      }
    }
  });
});

describe('plans', () => {
  it('rootPlan is the right edge of the tree', () => {
    expect(rootPlan(0)).toEqual([]);
    expect(rootPlan(6)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
    ]);
    expectStenoError(() => rootPlan(-1));
    expectStenoError(() => rootPlan(MAX_TREE_SIZE + 1));
  });

  it('inclusion plans list the sibling ranges from the leaf up', () => {
    expect(inclusionProofPlan(0, 1)).toEqual([]);
    expect(inclusionProofPlan(2, 7)).toEqual([
      [{ level: 0, index: 3 }],
      [{ level: 1, index: 0 }],
      [
        { level: 1, index: 2 },
        { level: 0, index: 6 },
      ],
    ]);
  });

  it('consistency plans follow SUBPROOF', () => {
    expect(consistencyProofPlan(4, 4)).toEqual([]);
    expect(consistencyProofPlan(4, 8)).toEqual([[{ level: 2, index: 1 }]]);
    expect(consistencyProofPlan(3, 7)).toEqual([
      [{ level: 0, index: 2 }],
      [{ level: 0, index: 3 }],
      [{ level: 1, index: 0 }],
      [
        { level: 1, index: 2 },
        { level: 0, index: 6 },
      ],
    ]);
  });

  it('reject impossible leaf indexes and sizes with clear errors', () => {
    expectStenoError(() => inclusionProofPlan(0, 0), /tree size/);
    expectStenoError(() => inclusionProofPlan(5, 5), /leaf index/);
    expectStenoError(() => inclusionProofPlan(-1, 5), /leaf index/);
    expectStenoError(() => inclusionProofPlan(1.5, 5), /leaf index/);
    expectStenoError(() => inclusionProofPlan(0, MAX_TREE_SIZE + 1), /tree size/);
    expectStenoError(() => consistencyProofPlan(0, 5), /old tree size/);
    expectStenoError(() => consistencyProofPlan(0, 0), /new tree size/);
    expectStenoError(() => consistencyProofPlan(6, 5), /old tree size/);
    expectStenoError(() => consistencyProofPlan(Number.NaN, 5), /old tree size/);
  });

  it('refsOfPlan lists each ref once, in first-use order', () => {
    const a = { level: 0, index: 1 };
    const b = { level: 1, index: 1 };
    const c = { level: 2, index: 1 };
    expect(refsOfPlan([[a, b], [{ ...b }, c], [a]])).toEqual([a, b, c]);
    expect(refsOfPlan([])).toEqual([]);
  });

  it('hashRefs folds right to left, is the empty root for no refs, and returns fresh buffers', () => {
    expect(hashRefs([], vectorLookup).equals(EMPTY_TREE_ROOT)).toBe(true);
    expect(hashRefs([], vectorLookup)).not.toBe(EMPTY_TREE_ROOT);
    const stored = hex(vectors.nodesByLevel[3]![0]!);
    const single = hashRefs([{ level: 3, index: 0 }], () => stored);
    expect(single.equals(stored)).toBe(true);
    expect(single).not.toBe(stored);
  });

  it('reports a stored hash of the wrong size as an integrity error', () => {
    try {
      hashRefs([{ level: 0, index: 0 }], () => Buffer.alloc(31));
      expect.unreachable();
    } catch (error) {
      expect(isStenoError(error) && error.code).toBe('integrity');
    }
  });

  it('plan-based inclusion proofs equal the reference and verify against the CompactRange root', () => {
    fc.assert(
      fc.property(leafInTree, ([leafIndex, size]) => {
        const proof = inclusionProof(leafIndex, size);
        const d = entries.slice(0, size);
        expect(proof).toEqual(refPATH(leafIndex, d));
        const root = rootsBySize[size]!;
        expect(root.equals(refMTH(d))).toBe(true);
        expect(hashRefs(rootPlan(size), storeLookup(size)).equals(root)).toBe(true);
        const leafHash = store.get(nodeId({ level: 0, index: leafIndex }))!;
        expect(verifyInclusion({ leafHash, leafIndex, treeSize: size, proof, root })).toBe(true);
        expect(rootFromInclusionProof({ leafHash, leafIndex, treeSize: size, proof }).equals(root)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('plan-based consistency proofs equal the reference and verify against the CompactRange roots', () => {
    fc.assert(
      fc.property(sizePair, ([oldSize, newSize]) => {
        const proof = consistencyProof(oldSize, newSize);
        expect(proof).toEqual(refPROOF(oldSize, entries.slice(0, newSize)));
        const oldRoot = rootsBySize[oldSize]!;
        const newRoot = rootsBySize[newSize]!;
        expect(verifyConsistency({ oldSize, newSize, oldRoot, newRoot, proof })).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('every proof between sizes up to 64 verifies', () => {
    for (let newSize = 1; newSize <= 64; newSize++) {
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const proof = consistencyProof(oldSize, newSize);
        const input = { oldSize, newSize, oldRoot: rootsBySize[oldSize]!, newRoot: rootsBySize[newSize]!, proof };
        expect(verifyConsistency(input)).toBe(true);
      }
      for (let leafIndex = 0; leafIndex < newSize; leafIndex++) {
        const leafHash = store.get(nodeId({ level: 0, index: leafIndex }))!;
        const proof = inclusionProof(leafIndex, newSize);
        expect(verifyInclusion({ leafHash, leafIndex, treeSize: newSize, proof, root: rootsBySize[newSize]! })).toBe(
          true,
        );
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------

type ProofMutation =
  | { kind: 'flip'; element: number; bit: number }
  | { kind: 'drop'; element: number }
  | { kind: 'add'; element: number; hash: Uint8Array };

const proofMutation: fc.Arbitrary<ProofMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), element: fc.nat(), bit: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('drop' as const), element: fc.nat() }),
  fc.record({
    kind: fc.constant('add' as const),
    element: fc.nat(),
    hash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  }),
);

/** The mutated proof, or null when the mutation does not apply (nothing to flip or drop). */
function mutateProof(proof: readonly Buffer[], mutation: ProofMutation): Buffer[] | null {
  const out = proof.map((h) => Buffer.from(h));
  if (mutation.kind === 'add') {
    out.splice(mutation.element % (out.length + 1), 0, Buffer.from(mutation.hash));
    return out;
  }
  if (out.length === 0) return null;
  const i = mutation.element % out.length;
  if (mutation.kind === 'drop') out.splice(i, 1);
  else out[i]![mutation.bit >> 3]! ^= 1 << (mutation.bit & 7);
  return out;
}

function flipBit(hash: Buffer, bit: number): Buffer {
  const copy = Buffer.from(hash);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

describe('mutated proofs fail', () => {
  it('inclusion: a flipped bit, a dropped or an added hash', () => {
    fc.assert(
      fc.property(leafInTree, proofMutation, ([leafIndex, size], mutation) => {
        const proof = mutateProof(inclusionProof(leafIndex, size), mutation);
        if (proof === null) return;
        const leafHash = store.get(nodeId({ level: 0, index: leafIndex }))!;
        expect(verifyInclusion({ leafHash, leafIndex, treeSize: size, proof, root: rootsBySize[size]! })).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('inclusion: a wrong leaf index, leaf hash or root', () => {
    fc.assert(
      fc.property(
        leafInTree,
        fc.integer({ min: 0, max: 4100 }),
        fc.integer({ min: 0, max: 255 }),
        ([leafIndex, size], otherIndex, bit) => {
          const proof = inclusionProof(leafIndex, size);
          const leafHash = store.get(nodeId({ level: 0, index: leafIndex }))!;
          const root = rootsBySize[size]!;
          if (otherIndex !== leafIndex) {
            expect(verifyInclusion({ leafHash, leafIndex: otherIndex, treeSize: size, proof, root })).toBe(false);
          }
          const wrongLeaf = flipBit(leafHash, bit);
          expect(verifyInclusion({ leafHash: wrongLeaf, leafIndex, treeSize: size, proof, root })).toBe(false);
          expect(verifyInclusion({ leafHash, leafIndex, treeSize: size, proof, root: flipBit(root, bit) })).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('inclusion: a wrong tree size that changes the shape of the proof', () => {
    fc.assert(
      fc.property(leafInTree, fc.integer({ min: 0, max: 4100 }), ([leafIndex, size], otherSize) => {
        // RFC 9162 §2.1.3.2 binds the tree size only through the proof's shape (its length and the side
        // each hash goes on): a size whose proof has the same shape reaches the same root. Only sizes
        // that change the shape can be expected to fail.
        if (otherSize === size) return;
        if (otherSize > leafIndex && otherSize <= MAX_TEST_SIZE && sameShape(leafIndex, size, otherSize)) return;
        const proof = inclusionProof(leafIndex, size);
        const leafHash = store.get(nodeId({ level: 0, index: leafIndex }))!;
        const root = rootsBySize[size]!;
        expect(verifyInclusion({ leafHash, leafIndex, treeSize: otherSize, proof, root })).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('consistency: a flipped bit, a dropped or an added hash', () => {
    fc.assert(
      fc.property(growingSizePair, proofMutation, ([oldSize, newSize], mutation) => {
        const proof = mutateProof(consistencyProof(oldSize, newSize), mutation);
        if (proof === null) return;
        const input = { oldSize, newSize, oldRoot: rootsBySize[oldSize]!, newRoot: rootsBySize[newSize]!, proof };
        expect(verifyConsistency(input)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('consistency: swapped or altered roots, and sizes that change the shape of the proof', () => {
    fc.assert(
      fc.property(
        growingSizePair,
        fc.integer({ min: 0, max: 4100 }),
        fc.integer({ min: 0, max: 4100 }),
        fc.integer({ min: 0, max: 255 }),
        ([oldSize, newSize], otherOld, otherNew, bit) => {
          const proof = consistencyProof(oldSize, newSize);
          const oldRoot = rootsBySize[oldSize]!;
          const newRoot = rootsBySize[newSize]!;
          const check = (o: number, n: number, a: Buffer, b: Buffer) =>
            verifyConsistency({ oldSize: o, newSize: n, oldRoot: a, newRoot: b, proof });
          expect(check(oldSize, newSize, newRoot, oldRoot)).toBe(false);
          expect(check(oldSize, newSize, flipBit(oldRoot, bit), newRoot)).toBe(false);
          expect(check(oldSize, newSize, oldRoot, flipBit(newRoot, bit))).toBe(false);
          for (const [o, n] of [
            [otherOld, newSize],
            [oldSize, otherNew],
          ] as const) {
            if (o === oldSize && n === newSize) continue;
            if (o >= 1 && o <= n && n <= MAX_TEST_SIZE && sameConsistencyShape(oldSize, newSize, o, n)) continue;
            expect(check(o, n, oldRoot, newRoot)).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Whether the inclusion proofs for leafIndex in trees of sizes a and b combine hashes the same way. */
function sameShape(leafIndex: number, a: number, b: number): boolean {
  return JSON.stringify(sides(leafIndex, a)) === JSON.stringify(sides(leafIndex, b));
}

/** For each proof hash from the leaf up, whether it goes on the left of the running hash. */
function sides(leafIndex: number, size: number): boolean[] {
  const out: boolean[] = [];
  let low = 0;
  let high = size;
  while (high - low > 1) {
    const split = low + refSplit(high - low);
    out.push(leafIndex >= split);
    if (leafIndex < split) high = split;
    else low = split;
  }
  return out.reverse();
}

/** Whether proving consistency between sizes (o1, n1) and (o2, n2) walks the same path through the verifier. */
function sameConsistencyShape(o1: number, n1: number, o2: number, n2: number): boolean {
  return (
    consistencyProofPlan(o1, n1).length === consistencyProofPlan(o2, n2).length &&
    isPowerOfTwo(o1) === isPowerOfTwo(o2) &&
    JSON.stringify(sides(o1 - 1, n1)) === JSON.stringify(sides(o2 - 1, n2))
  );
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

// ---------------------------------------------------------------------------------------------------

describe('hostile input', () => {
  const good = {
    leafHash: store.get(1)!,
    leafIndex: 1,
    treeSize: 3,
    proof: inclusionProof(1, 3),
    root: rootsBySize[3]!,
  };
  const goodConsistency = {
    oldSize: 3,
    newSize: 7,
    oldRoot: rootsBySize[3]!,
    newRoot: rootsBySize[7]!,
    proof: consistencyProof(3, 7),
  };

  it('the untouched inputs verify', () => {
    expect(verifyInclusion(good)).toBe(true);
    expect(verifyConsistency(goodConsistency)).toBe(true);
  });

  it('verification returns false, and rootFromInclusionProof throws a StenoError, for any malformed field', () => {
    const badValues: unknown[] = [
      undefined,
      null,
      0,
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
      '3',
      {},
      [],
      Buffer.alloc(31),
      Buffer.alloc(33),
      [Buffer.alloc(31)],
      [null],
      ['00'.repeat(32)],
      new Array(MAX_PROOF_LENGTH + 1).fill(Buffer.alloc(32)),
      new Array(1_000_000),
    ];
    for (const field of ['leafHash', 'leafIndex', 'treeSize', 'proof', 'root'] as const) {
      for (const value of badValues) {
        const input = { ...good, [field]: value } as typeof good;
        expect(verifyInclusion(input), `${field} = ${String(value)}`).toBe(false);
        if (field === 'root') continue;
        // A well-formed but wrong field gives another root; anything malformed is a StenoError.
        try {
          expect(rootFromInclusionProof(input).equals(good.root)).toBe(false);
        } catch (error) {
          expect(isStenoError(error)).toBe(true);
        }
      }
    }
    for (const field of ['oldSize', 'newSize', 'oldRoot', 'newRoot', 'proof'] as const) {
      for (const value of badValues) {
        const input = { ...goodConsistency, [field]: value } as typeof goodConsistency;
        expect(verifyConsistency(input), `${field} = ${String(value)}`).toBe(false);
      }
    }
  });

  it('verification never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(verifyInclusion(value as typeof good)).toBe(false);
        expect(verifyConsistency(value as typeof goodConsistency)).toBe(false);
        try {
          rootFromInclusionProof(value as typeof good);
          expect.unreachable();
        } catch (error) {
          expect(isStenoError(error)).toBe(true);
        }
      }),
    );
  });

  it('verification never throws on records of arbitrary fields', () => {
    const hashish = fc.oneof(fc.uint8Array({ minLength: 30, maxLength: 34 }), fc.anything());
    const sizeish = fc.oneof(fc.integer({ min: -2, max: 2 ** 20 }), fc.double(), fc.anything());
    const proofish = fc.oneof(
      fc.array(fc.uint8Array({ minLength: 31, maxLength: 33 }), { maxLength: 70 }),
      fc.anything(),
    );
    fc.assert(
      fc.property(
        fc.record({ leafHash: hashish, leafIndex: sizeish, treeSize: sizeish, proof: proofish, root: hashish }),
        fc.record({ oldSize: sizeish, newSize: sizeish, oldRoot: hashish, newRoot: hashish, proof: proofish }),
        (inclusion, consistency) => {
          expect(typeof verifyInclusion(inclusion as typeof good)).toBe('boolean');
          expect(typeof verifyConsistency(consistency as typeof goodConsistency)).toBe('boolean');
          try {
            rootFromInclusionProof(inclusion as typeof good);
          } catch (error) {
            expect(isStenoError(error)).toBe(true);
          }
        },
      ),
    );
  });

  it('works with tree sizes beyond 2^32 (no 32-bit bit operations)', () => {
    // A tree of 2^40 + 5 leaves: leaf 2^40 + 4 is the last; its proof is the left sibling chain.
    // Build it from a CompactRange whose frontier is two arbitrary subtrees.
    const size = 2 ** 40 + 5;
    const big = hashLeaf(Buffer.from('big'));
    const four = hashLeaf(Buffer.from('four'));
    const range = CompactRange.fromFrontier(2 ** 40 + 4, [big, four]);
    const last = hashLeaf(Buffer.from('last'));
    range.append(last);
    const root = range.root();
    expect(root.equals(refHash(Uint8Array.of(1), big, refHash(Uint8Array.of(1), four, last)))).toBe(true);
    const proof = [four, big];
    expect(verifyInclusion({ leafHash: last, leafIndex: size - 1, treeSize: size, proof, root })).toBe(true);
    expect(verifyInclusion({ leafHash: last, leafIndex: size - 2, treeSize: size, proof, root })).toBe(false);
    expect(verifyInclusion({ leafHash: last, leafIndex: 2 ** 32 + 4, treeSize: size, proof, root })).toBe(false);
    const oldRoot = refHash(Uint8Array.of(1), big, four);
    const consistency = hashPlan(consistencyProofPlan(2 ** 40 + 4, size), (ref) => {
      if (ref.level === 40) return big;
      if (ref.level === 2) return four;
      return last;
    });
    expect(consistency).toEqual([four, last, big]);
    expect(verifyConsistency({ oldSize: 2 ** 40 + 4, newSize: size, oldRoot, newRoot: root, proof: consistency })).toBe(
      true,
    );
  });
});
