/**
 * Spreads the audit's record checks over worker threads, one read connection each, so `steno verify`
 * uses every core: hashing and parsing a million records is CPU work, while the tree is rebuilt in order
 * on the main thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import { StenoError } from '../core/errors.js';
import { compiledWorkerPath } from '../core/worker-path.js';
import type { ChunkChecker, ChunkResult } from '../ledger/audit.js';
import type { ChunkRequest } from './verify-worker.js';

type Reply = { id: number; result?: ChunkResult; error?: string };

export async function startVerifyPool(
  config: Config,
  size = availableParallelism(),
): Promise<ChunkChecker & AsyncDisposable> {
  const path = compiledWorkerPath(import.meta.url, 'verify-worker.js');
  const pending = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: unknown) => void }>();
  const workers = await Promise.all(
    Array.from({ length: Math.max(1, size) }, async () => {
      // A larger young generation: fewer scavenges while a million short-lived rows pass through.
      const worker = new Worker(path, { workerData: { config }, resourceLimits: { maxYoungGenerationSizeMb: 256 } });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      worker.on('message', (reply: Reply) => {
        const waiter = pending.get(reply.id);
        if (waiter === undefined) return;
        pending.delete(reply.id);
        if (reply.result !== undefined) waiter.resolve(reply.result);
        else waiter.reject(new StenoError('io', `verify worker: ${reply.error ?? 'no result'}`));
      });
      worker.on('error', (error) => {
        for (const waiter of pending.values()) waiter.reject(error);
        pending.clear();
      });
      return worker;
    }),
  );
  let nextId = 0;
  return {
    parallelism: workers.length,
    check(from: number, to: number, sizes: readonly number[]): Promise<ChunkResult> {
      const id = nextId++;
      const worker = workers[id % workers.length]!;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, from, to, sizes: [...sizes] } satisfies ChunkRequest);
      });
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.postMessage('close');
              setTimeout(() => void w.terminate(), 5000).unref();
            }),
        ),
      );
    },
  };
}
