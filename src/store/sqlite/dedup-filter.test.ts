import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupFilter } from './dedup-filter.js';

describe('dedup Bloom filter', () => {
  it('never forgets a key it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 200 }), (keys) => {
        const filter = new DedupFilter(1024);
        for (const key of keys) filter.add(key);
        for (const key of keys) expect(filter.mightContain(key)).toBe(true);
      }),
    );
  });

  it('says "maybe" for few keys it was not given, and "no" for most', () => {
    const filter = new DedupFilter(1 << 16);
    for (let i = 0; i < 1 << 16; i++) filter.add(randomBytes(32));
    let maybe = 0;
    for (let i = 0; i < 20_000; i++) if (filter.mightContain(randomBytes(32))) maybe++;
    // About 0.3% at capacity; a broken filter says maybe to everything (or nothing was added).
    expect(maybe / 20_000).toBeLessThan(0.01);
    expect(filter.full).toBe(false);
    filter.add(randomBytes(32));
    expect(filter.full).toBe(true);
  });
});
