/**
 * Checks lines for `steno ingest` on worker threads, so that the checking pass (parse, validate,
 * canonicalise every line before anything is stored) uses every core.
 */
import { blobAt } from '../core/blob-column.js';
import { compiledWorkerPath } from '../core/worker-path.js';
import { startWorkerPool } from '../core/worker-pool.js';
import type { CheckReply } from './check-worker.js';
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

export async function startCheckPool(options: { maxAttachmentBytes: number }): Promise<LineChecker> {
  const pool = await startWorkerPool<Line[], CheckReply>({
    path: compiledWorkerPath(import.meta.url, 'check-worker.js'),
    name: 'line checker',
    workerData: options,
  });
  return {
    parallelism: pool.size,
    async check(lines: Line[]): Promise<CheckedBatch> {
      const reply = await pool.request(lines);
      const inline = new Map<number, [string, Buffer][]>();
      for (const [number, sha, bytes] of reply.inline) {
        const list = inline.get(number) ?? [];
        list.push([sha, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
        inline.set(number, list);
      }
      return {
        valid: reply.numbers.map((number, i) => ({
          number,
          contentBytes: blobAt(reply.content, i),
          inlineBlobs: inline.get(number) ?? [],
        })),
        bad: reply.bad,
        problems: reply.problems,
      };
    },
    [Symbol.asyncDispose]: () => pool[Symbol.asyncDispose](),
  };
}
