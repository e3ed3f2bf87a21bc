/**
 * Spreads the audit's record checks over worker threads, one read connection each, so `steno verify`
 * uses every core: hashing and parsing a million records is CPU work, while the tree is rebuilt in order
 * on the main thread.
 */
import type { Config } from '../config/config.js';
import { compiledWorkerPath } from '../core/worker-path.js';
import { startWorkerPool } from '../core/worker-pool.js';
import type { ChunkChecker, ChunkResult } from '../ledger/audit.js';
import type { ChunkRequest } from './verify-worker.js';

export async function startVerifyPool(config: Config): Promise<ChunkChecker & AsyncDisposable> {
  const pool = await startWorkerPool<ChunkRequest, ChunkResult>({
    path: compiledWorkerPath(import.meta.url, 'verify-worker.js'),
    name: 'verify worker',
    workerData: { config },
    // A larger young generation: fewer scavenges while a million short-lived rows pass through.
    resourceLimits: { maxYoungGenerationSizeMb: 256 },
  });
  return {
    parallelism: pool.size,
    check: (from, to, sizes) => pool.request({ from, to, sizes: [...sizes] }),
    [Symbol.asyncDispose]: () => pool[Symbol.asyncDispose](),
  };
}
