import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../core/canonical-json.js';
import { type Leaf, leafBytes, parseLeaf } from './records.js';

describe('leaf bytes', () => {
  it('are exactly the RFC 8785 canonical JSON of the leaf', () => {
    fc.assert(
      fc.property(
        fc.record({ capturedAt: fc.string(), commitment: fc.string(), id: fc.string() }),
        ({ capturedAt, commitment, id }) => {
          const leaf: Leaf = { v: 1, type: 'message', id, capturedAt, commitment };
          fc.pre([capturedAt, commitment, id].every((s) => (s as string & { isWellFormed(): boolean }).isWellFormed()));
          expect(leafBytes(leaf).toString('utf8')).toBe(canonicalize(leaf));
          expect(parseLeaf(leafBytes(leaf))).toEqual(leaf);
        },
      ),
    );
  });
});
