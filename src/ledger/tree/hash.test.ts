import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStenoError } from '../../core/errors.js';
import {
  bytesEqual,
  EMPTY_TREE_ROOT,
  HASH_SIZE,
  hashChildren,
  hashChildrenString,
  hashLeaf,
  hashLeafString,
  isHash,
  LEAF_HASH_PREFIX,
  NODE_HASH_PREFIX,
} from './index.js';
import vectors from './vectors/rfc6962.json' with { type: 'json' };

const hex = (s: string) => Buffer.from(s, 'hex');
const independentSha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('RFC 9162 §2.1.1 hashing', () => {
  it('has the RFC constants', () => {
    expect(HASH_SIZE).toBe(32);
    expect(LEAF_HASH_PREFIX).toBe(0x00);
    expect(NODE_HASH_PREFIX).toBe(0x01);
    expect(EMPTY_TREE_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(EMPTY_TREE_ROOT.toString('hex')).toBe(vectors.rootsBySize[0]);
  });

  it('hashes the RFC 6962 test leaves to the published leaf hashes', () => {
    vectors.leaves.forEach((leaf, i) => {
      expect(hashLeaf(hex(leaf)).toString('hex')).toBe(vectors.nodesByLevel[0]![i]);
    });
  });

  it('hashes the published level-1 nodes from their children', () => {
    const [leaves, level1] = vectors.nodesByLevel as [string[], string[]];
    level1.forEach((node, i) => {
      expect(hashChildren(hex(leaves[2 * i]!), hex(leaves[2 * i + 1]!)).toString('hex')).toBe(node);
    });
  });

  it('matches an independent SHA-256 for any leaf, small or large', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10_000 }), (leaf) => {
        expect(hashLeaf(leaf).equals(independentSha256(Uint8Array.of(0), leaf))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('matches an independent SHA-256 for any pair of children, and does not alias its inputs', () => {
    const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(hash32, hash32, (left, right) => {
        const a = hashChildren(left, right);
        const b = hashChildren(right, left);
        expect(a.equals(independentSha256(Uint8Array.of(1), left, right))).toBe(true);
        expect(b.equals(independentSha256(Uint8Array.of(1), right, left))).toBe(true);
      }),
    );
  });

  it('rejects children that are not 32-byte hashes with a StenoError', () => {
    const good = Buffer.alloc(32);
    for (const bad of [Buffer.alloc(31), Buffer.alloc(33), Buffer.alloc(0), 'x'.repeat(32), null, undefined, [1, 2]]) {
      expect(() => hashChildren(bad as Uint8Array, good)).toThrow(/32-byte/);
      expect(() => hashChildren(good, bad as Uint8Array)).toThrow(/32-byte/);
    }
    try {
      hashLeaf('text' as unknown as Uint8Array);
      expect.unreachable();
    } catch (error) {
      expect(isStenoError(error)).toBe(true);
    }
  });

  it('isHash and bytesEqual', () => {
    expect(isHash(Buffer.alloc(32))).toBe(true);
    expect(isHash(new Uint8Array(32))).toBe(true);
    expect(isHash(Buffer.alloc(31))).toBe(false);
    expect(isHash(new Array(32).fill(0))).toBe(false);
    expect(bytesEqual(Buffer.from([1, 2]), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Buffer.from([1, 2]), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Buffer.from([1, 2]), Uint8Array.of(1))).toBe(false);
  });

  it('gives the same hashes as latin1 strings as it does as bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.uint8Array({ minLength: 1, maxLength: 300 }), (a, b) => {
        const leafA = hashLeafString(a);
        const leafB = hashLeafString(b);
        expect(Buffer.from(leafA, 'latin1')).toEqual(hashLeaf(a));
        expect(leafA).toHaveLength(HASH_SIZE);
        expect(Buffer.from(hashChildrenString(leafA, leafB), 'latin1')).toEqual(hashChildren(hashLeaf(a), hashLeaf(b)));
      }),
    );
    expect(() => hashChildrenString('short', 'x'.repeat(HASH_SIZE))).toThrow(/32-byte hashes/);
  });
});
