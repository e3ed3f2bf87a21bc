import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256, sha256Base64, sha256Hex } from './hash.js';

const reference = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('sha256', () => {
  it('hashes the concatenation of its chunks, whether or not they lie back to back in memory', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(600), fc.nat(600), (bytes, i, j) => {
        const [cut1, cut2] = [Math.min(i, j, bytes.length), Math.min(Math.max(i, j), bytes.length)];
        const buffer = Buffer.from(bytes);
        // Adjacent views of one buffer (hashed without a copy), then separate copies of the same bytes.
        const adjacent = [buffer.subarray(0, cut1), buffer.subarray(cut1, cut2)];
        const apart = [Buffer.from(buffer.subarray(cut2)), Buffer.from(buffer.subarray(0, cut1))];
        expect(sha256(...adjacent)).toEqual(reference(...adjacent));
        expect(sha256(...apart)).toEqual(reference(...apart));
        expect(sha256Hex(...adjacent)).toBe(reference(...adjacent).toString('hex'));
        expect(sha256Base64(...apart)).toBe(reference(...apart).toString('base64'));
      }),
    );
    // Views of one buffer in the wrong order are not adjacent: they must be copied, not joined.
    const b = Buffer.from('abcdef');
    expect(sha256(b.subarray(3), b.subarray(0, 3))).toEqual(reference(Buffer.from('defabc')));
    expect(sha256()).toEqual(reference());
  });
});
