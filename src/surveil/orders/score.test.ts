import { describe, expect, it } from 'vitest';
import { matchMessage, orderMatches, score } from './score.js';

describe('scoring extraction', () => {
  const gold = { action: 'new', side: 'buy', symbol: '0700.HK', quantity: 100, orderType: 'market', limitPrice: null };

  it('matches on action and symbol and every field the gold order has; extra fields do not count', () => {
    expect(orderMatches(gold, { ...gold, limitPrice: undefined, confidence: 0.9 })).toBe(true);
    expect(orderMatches(gold, { ...gold, quantity: 200 })).toBe(false);
    expect(orderMatches(gold, { ...gold, limitPrice: 618 })).toBe(false);
    expect(
      orderMatches({ action: 'cancel', symbol: '0700.HK' }, { action: 'cancel', symbol: '0700.HK', side: 'buy' }),
    ).toBe(true);
  });

  it('matches each gold order once', () => {
    const m = matchMessage([gold], [gold, gold]);
    expect(m).toEqual({ matched: 1, unmatchedPredictions: [1], missedGold: [] });
    expect(score(1, 1, 1)).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(score(0, 0, 0).f1).toBe(1);
  });
});
