/**
 * Checks lines for `steno ingest` and the importers on worker threads, so that checking (parse,
 * validate, canonicalise and prepare every message before it is stored) uses every core.
 */

import { blobAt } from '../../core/blob-column.js';
import { compiledWorkerPath } from '../../core/worker-path.js';
import { startWorkerPool } from '../../core/worker-pool.js';
import type { PreparedMessage } from '../ingest.js';
import { type CheckedBatch, checkDelivery, checkedBatch, checkLines, type Line } from './lines.js';
import type { CheckReply, CheckRequest, PreparedTuple } from './worker.js';

export interface LineChecker extends AsyncDisposable {
  readonly parallelism: number;
  check(lines: Line[]): Promise<CheckedBatch>;
  /** A live delivery: the JSON text of its array of messages (lines.ts, checkDelivery). */
  checkDelivery(json: string): Promise<CheckedBatch>;
}

function inProcessChecker(options: { maxAttachmentBytes: number }): LineChecker {
  return {
    parallelism: 1,
    check: async (lines) => checkedBatch(checkLines(lines, options)),
    checkDelivery: async (json) => checkedBatch(checkDelivery(json, options)),
    [Symbol.asyncDispose]: async () => undefined,
  };
}

export async function startCheckPool(options: { maxAttachmentBytes: number; size?: number }): Promise<LineChecker> {
  const pool = await startWorkerPool<CheckRequest, CheckReply>({
    path: compiledWorkerPath(import.meta.url, 'worker.js'),
    name: 'line checker',
    workerData: { maxAttachmentBytes: options.maxAttachmentBytes },
    ...(options.size === undefined ? {} : { size: options.size }),
  });
  return {
    parallelism: pool.size,
    check: async (lines: Line[]) => batchFromReply(await pool.request(lines)),
    checkDelivery: async (json: string) => batchFromReply(await pool.request({ delivery: json })),
    [Symbol.asyncDispose]: () => pool[Symbol.asyncDispose](),
  };
}

/** Below this much input, starting worker threads costs more than it saves. */
const POOL_MIN_INPUT_BYTES = 4 * 1024 * 1024;

/** Worker threads for a large input, the calling thread for a small one. */
export async function checkerFor(inputBytes: number, options: { maxAttachmentBytes: number }): Promise<LineChecker> {
  return inputBytes >= POOL_MIN_INPUT_BYTES ? startCheckPool(options) : inProcessChecker(options);
}

const LINES_PER_BATCH = 2000;

/**
 * Lines checked in batches, several at once when the checker has threads, delivered in input order,
 * each batch with the lines it was given (so a caller can name them in reports).
 */
export async function* checkInOrder<L extends Line>(
  lines: AsyncIterable<L>,
  checker: LineChecker,
): AsyncGenerator<{ batch: CheckedBatch; lines: L[] }> {
  const ahead: { batch: Promise<CheckedBatch>; lines: L[] }[] = [];
  const limit = checker.parallelism * 2;
  let pending: L[] = [];
  const send = () => {
    const batch = checker.check(pending);
    batch.catch(() => undefined);
    ahead.push({ batch, lines: pending });
    pending = [];
  };
  const take = async () => {
    const next = ahead.shift()!;
    return { batch: await next.batch, lines: next.lines };
  };
  for await (const line of lines) {
    pending.push(line);
    if (pending.length >= LINES_PER_BATCH) send();
    while (ahead.length >= limit) yield await take();
  }
  if (pending.length > 0) send();
  while (ahead.length > 0) yield await take();
}

/** What a line kept packed costs beyond its blobs and row text: line number, offsets. */
const PACKED_OVERHEAD_BYTES = 48;

/** A worker's reply, kept packed as it came; each message is built when asked for. */
function batchFromReply(reply: CheckReply): CheckedBatch {
  const { numbers, content, salt, leaf, leafHash, dedupKey } = reply;
  let rows: PreparedTuple[] | undefined;
  let inline: Map<number, [string, Buffer][]> | undefined;
  const inlineOf = (number: number) => {
    if (inline === undefined) {
      inline = new Map();
      for (const [n, sha, bytes] of reply.inline) {
        const list = inline.get(n) ?? [];
        list.push([sha, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
        inline.set(n, list);
      }
    }
    return inline.get(number) ?? [];
  };
  let bytes = [content, salt, leaf, leafHash, dedupKey].reduce((n, column) => n + column.data.byteLength, 0);
  for (const [, , bytesOfBlob] of reply.inline) bytes += bytesOfBlob.byteLength;
  bytes += reply.rows.length * 2 + numbers.length * PACKED_OVERHEAD_BYTES;
  return {
    validNumbers: numbers,
    message(i: number): PreparedMessage {
      rows ??= JSON.parse(reply.rows) as PreparedTuple[];
      const [id, platform, conversationId, sender, sentAtMs, kind, pmid, refersTo, participants, text] = rows[i]!;
      return {
        record: {
          type: 'message',
          id,
          bytes: blobAt(leaf, i),
          hash: blobAt(leafHash, i),
          salt: blobAt(salt, i),
          contentBytes: blobAt(content, i),
        },
        inlineBlobs: inlineOf(numbers[i]!),
        row: {
          dedupKey: blobAt(dedupKey, i),
          platform,
          conversationId,
          sender,
          sentAtMs,
          kind,
          platformMessageId: pmid,
          refersTo,
          participants,
          searchText: text,
        },
      };
    },
    bytes,
    bad: reply.bad,
    problems: reply.problems,
  };
}
