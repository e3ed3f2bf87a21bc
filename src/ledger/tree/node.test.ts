import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStenoError } from '../../core/errors.js';
import {
  decomposeRange,
  frontierLength,
  MAX_NODE_LEVEL,
  MAX_TREE_SIZE,
  NODE_ID_LEVEL_STRIDE,
  type NodeRef,
  nodeId,
  nodeRefFromId,
} from './index.js';

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

/** Any node of a tree of at most MAX_TREE_SIZE leaves. */
const anyNode = fc
  .integer({ min: 0, max: MAX_NODE_LEVEL })
  .chain((level) =>
    fc.record({ level: fc.constant(level), index: fc.integer({ min: 0, max: 2 ** (47 - level) - 1 }) }),
  );

describe('node ids', () => {
  it('packs level and index as level * 2^47 + index', () => {
    expect(NODE_ID_LEVEL_STRIDE).toBe(2 ** 47);
    expect(nodeId({ level: 0, index: 0 })).toBe(0);
    expect(nodeId({ level: 0, index: 5 })).toBe(5);
    expect(nodeId({ level: 1, index: 0 })).toBe(2 ** 47);
    expect(nodeId({ level: 3, index: 7 })).toBe(3 * 2 ** 47 + 7);
    expect(nodeId({ level: 47, index: 0 })).toBe(47 * 2 ** 47);
    expect(nodeId({ level: 0, index: 2 ** 47 - 1 })).toBe(2 ** 47 - 1);
    expect(nodeRefFromId(3 * 2 ** 47 + 7)).toEqual({ level: 3, index: 7 });
  });

  it('round-trips every addressable node through a safe integer', () => {
    fc.assert(
      fc.property(anyNode, (ref) => {
        const id = nodeId(ref);
        expect(Number.isSafeInteger(id)).toBe(true);
        expect(nodeRefFromId(id)).toEqual(ref);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects refs outside the addressable tree', () => {
    const bad: unknown[] = [
      { level: 48, index: 0 },
      { level: -1, index: 0 },
      { level: 0, index: 2 ** 47 },
      { level: 0, index: -1 },
      { level: 1, index: 2 ** 46 },
      { level: 47, index: 1 },
      { level: 0.5, index: 0 },
      { level: 0, index: 1.5 },
      { level: Number.NaN, index: 0 },
      { level: 0, index: Number.POSITIVE_INFINITY },
      { level: '1', index: 0 },
      { level: 0 },
      null,
      undefined,
      42,
    ];
    for (const ref of bad) expectStenoError(() => nodeId(ref as NodeRef), /not a node/);
  });

  it('rejects ids that name no addressable node', () => {
    for (const id of [-1, 0.5, Number.NaN, 2 ** 53, 48 * 2 ** 47, 47 * 2 ** 47 + 1, 2 ** 47 + 2 ** 46]) {
      expectStenoError(() => nodeRefFromId(id));
    }
  });
});

describe('decomposeRange', () => {
  it('decomposes known ranges', () => {
    expect(decomposeRange(0, 0)).toEqual([]);
    expect(decomposeRange(5, 5)).toEqual([]);
    expect(decomposeRange(0, 1)).toEqual([{ level: 0, index: 0 }]);
    expect(decomposeRange(0, 8)).toEqual([{ level: 3, index: 0 }]);
    expect(decomposeRange(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(decomposeRange(4, 7)).toEqual([
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(decomposeRange(1, 3)).toEqual([
      { level: 0, index: 1 },
      { level: 0, index: 2 },
    ]);
    expect(decomposeRange(0, MAX_TREE_SIZE)).toEqual([{ level: 47, index: 0 }]);
  });

  it('covers [start, end) with contiguous aligned subtrees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }), (a, b) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        let position = start;
        for (const ref of decomposeRange(start, end)) {
          const width = 2 ** ref.level;
          expect(ref.index * width).toBe(position);
          position += width;
        }
        expect(position).toBe(end);
      }),
    );
  });

  it('gives the right edge of a tree as strictly decreasing subtrees, one per set bit of the size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_TREE_SIZE }), (size) => {
        const refs = decomposeRange(0, size);
        expect(refs.length).toBe(frontierLength(size));
        for (let i = 1; i < refs.length; i++) expect(refs[i]!.level).toBeLessThan(refs[i - 1]!.level);
      }),
    );
  });

  it('rejects ranges that are not ranges of an addressable tree', () => {
    const bad: [number, number][] = [
      [3, 2],
      [-1, 2],
      [0, MAX_TREE_SIZE + 1],
      [0.5, 2],
      [0, Number.NaN],
      [0, Number.POSITIVE_INFINITY],
    ];
    for (const [start, end] of bad) expectStenoError(() => decomposeRange(start, end));
  });
});
