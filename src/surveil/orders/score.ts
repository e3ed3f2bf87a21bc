/**
 * Scoring extraction against labelled messages, by the corpus's rules: a predicted order matches a
 * gold order when action and symbol agree and every other field of the gold order agrees (null in gold
 * also matches an absent field); each gold order matches once. Precision, recall and F1 over orders.
 */

export type GoldOrder = Record<string, unknown> & { action: string; symbol: string };

export interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

function fieldAgrees(gold: unknown, predicted: unknown): boolean {
  if (gold === null) return predicted === null || predicted === undefined;
  if (typeof gold === 'number' && typeof predicted === 'number') return Math.abs(gold - predicted) < 1e-9;
  return gold === predicted;
}

export function orderMatches(gold: GoldOrder, predicted: Record<string, unknown>): boolean {
  if (gold.action !== predicted.action || gold.symbol !== predicted.symbol) return false;
  return Object.entries(gold).every(([field, value]) => fieldAgrees(value, predicted[field]));
}

/** Matches of one message: how many predictions found a gold order, and which gold orders were missed. */
export function matchMessage(
  gold: readonly GoldOrder[],
  predicted: readonly Record<string, unknown>[],
): { matched: number; unmatchedPredictions: number[]; missedGold: number[] } {
  const used = new Set<number>();
  const unmatchedPredictions: number[] = [];
  predicted.forEach((p, i) => {
    const g = gold.findIndex((candidate, j) => !used.has(j) && orderMatches(candidate, p));
    if (g >= 0) used.add(g);
    else unmatchedPredictions.push(i);
  });
  const missedGold = gold.map((_, j) => j).filter((j) => !used.has(j));
  return { matched: used.size, unmatchedPredictions, missedGold };
}

export function score(truePositives: number, falsePositives: number, falseNegatives: number): Score {
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const recall = truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives, falseNegatives, precision, recall, f1 };
}
