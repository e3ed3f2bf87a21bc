/**
 * Questions: how long does an inclusion proof take at the archive's full size, and what are the p95
 * latencies of search for a rare term and a common one?
 */
import { loadConfig } from '../src/config/config.js';
import { openSteno } from '../src/context.js';
import { Rng } from './support/corpus.js';
import { summarize } from './support/stats.js';

export async function queryLatencies(options: { env: Record<string, string>; samples: number }) {
  const steno = await openSteno(loadConfig(options.env), { createKey: false });
  try {
    const checkpoint = await steno.ledger.checkpoint();
    const rng = new Rng(5);
    const proofMs: number[] = [];
    for (let i = 0; i < options.samples * 5; i++) {
      const index = rng.int(checkpoint.size);
      const t = performance.now();
      await steno.ledger.inclusionProof(index, checkpoint.size);
      proofMs.push(performance.now() - t);
    }
    const time = async (query: string) => {
      const ms: number[] = [];
      let hits = 0;
      for (let i = 0; i < options.samples; i++) {
        const t = performance.now();
        hits = (await steno.search.search({ query, limit: 50 })).length;
        ms.push(performance.now() - t);
      }
      return { ...summarize(ms), hits };
    };
    return {
      treeSize: checkpoint.size,
      proof: summarize(proofMs),
      rare: await time('zebracorn'),
      common: await time('market'),
      cjk: await time('騰訊'),
    };
  } finally {
    await steno.close();
  }
}
