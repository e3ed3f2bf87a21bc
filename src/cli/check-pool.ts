/**
 * Checks lines for `steno ingest` on worker threads, so that the checking pass (parse, validate,
 * canonicalise every line before anything is stored) uses every core.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { StenoError } from '../core/errors.js';
import { compiledWorkerPath } from '../core/worker-path.js';
import { blobAt } from '../store/sqlite/batch.js';
import type { CheckReply, CheckRequest } from './check-worker.js';
import { type CheckedBatch, checkLines, type Line } from './jsonl.js';

export interface LineChecker extends AsyncDisposable {
  readonly parallelism: number;
  check(lines: Line[]): Promise<CheckedBatch>;
}

export function inProcessChecker(options: { maxAttachmentBytes: number }): LineChecker {
  return {
    parallelism: 1,
    check: async (lines) => checkLines(lines, options),
    [Symbol.asyncDispose]: async () => undefined,
  };
}

export async function startCheckPool(
  options: { maxAttachmentBytes: number },
  size = availableParallelism(),
): Promise<LineChecker> {
  const path = compiledWorkerPath(import.meta.url, 'check-worker.js');
  const pending = new Map<number, { resolve: (b: CheckedBatch) => void; reject: (e: unknown) => void }>();
  const workers = Array.from({ length: Math.max(1, size) }, () => {
    const worker = new Worker(path, { workerData: options });
    worker.on('message', (reply: CheckReply) => {
      const waiter = pending.get(reply.id);
      if (waiter === undefined) return;
      pending.delete(reply.id);
      const inline = new Map<number, [string, Buffer][]>();
      for (const [number, sha, bytes] of reply.inline) {
        const list = inline.get(number) ?? [];
        list.push([sha, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
        inline.set(number, list);
      }
      waiter.resolve({
        valid: reply.numbers.map((number, i) => ({
          number,
          contentBytes: blobAt(reply.content, i),
          inlineBlobs: inline.get(number) ?? [],
        })),
        bad: reply.bad,
        problems: reply.problems,
      });
    });
    worker.on('error', (error) => {
      for (const waiter of pending.values()) waiter.reject(new StenoError('io', `line checker: ${error.message}`));
      pending.clear();
    });
    worker.unref();
    return worker;
  });
  let nextId = 0;
  return {
    parallelism: workers.length,
    check(lines: Line[]): Promise<CheckedBatch> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        workers[id % workers.length]!.postMessage({ id, lines } satisfies CheckRequest);
      });
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
