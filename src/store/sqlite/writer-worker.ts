/** Worker-thread entry for the SQLite writer: requests in order over the parent port, queued writes committed together. */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { isStenoError } from '../../core/errors.js';
import type { PackedBatch } from './batch.js';
import { SqliteWriter, type WriterMethod } from './writer.js';

export interface WriterRequest {
  id: number;
  method: WriterMethod | 'close';
  args: unknown[];
}

export type WriterResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { message: string; code?: string; stenoCode?: string } };

if (parentPort === null) throw new Error('writer-worker.ts must run as a worker thread');
const port: MessagePort = parentPort;

let writer: SqliteWriter | null = null;
try {
  writer = new SqliteWriter((workerData as { path: string }).path);
  port.postMessage({ id: 0, ok: true, result: 'ready' } satisfies WriterResponse);
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: describe(error) } satisfies WriterResponse);
}

function describe(error: unknown): { message: string; code?: string; stenoCode?: string } {
  const e = error as { message?: string; code?: string };
  return {
    message: e.message ?? String(error),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(isStenoError(error) ? { stenoCode: error.code } : {}),
  };
}

/** Batches taken into one commit at most: bounds the transaction (and the wait of the first batch). */
const MAX_BATCHES_PER_COMMIT = 16;

port.on('message', (first: WriterRequest) => {
  let request: WriterRequest | undefined = first;
  while (request !== undefined) request = handle(request);
});

/**
 * Answers one request. A write also takes the writes queued behind it into the same commit; a request
 * of another kind found in the queue is returned, to be handled next, in order.
 */
function handle(request: WriterRequest): WriterRequest | undefined {
  if (request.method !== 'writeAndCommit' || writer === null) {
    answer(request);
    return undefined;
  }
  const writes = [request];
  let next: WriterRequest | undefined;
  while (writes.length < MAX_BATCHES_PER_COMMIT) {
    const queued = receiveMessageOnPort(port)?.message as WriterRequest | undefined;
    if (queued === undefined) break;
    if (queued.method !== 'writeAndCommit') {
      next = queued;
      break;
    }
    writes.push(queued);
  }
  const outcomes = writer.writeAndCommitAll(writes.map((w) => w.args[0] as PackedBatch));
  writes.forEach((w, i) => {
    const error = outcomes[i];
    port.postMessage(
      (error
        ? { id: w.id, ok: false, error: describe(error) }
        : { id: w.id, ok: true, result: null }) satisfies WriterResponse,
    );
  });
  return next;
}

function answer(request: WriterRequest): void {
  try {
    if (writer === null) throw new Error('the SQLite writer failed to open');
    if (request.method === 'close') {
      writer.close();
      port.postMessage({ id: request.id, ok: true, result: null } satisfies WriterResponse);
      port.close();
      return;
    }
    const method = writer[request.method] as (...args: unknown[]) => unknown;
    const result = method.apply(writer, request.args);
    port.postMessage({ id: request.id, ok: true, result } satisfies WriterResponse);
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, error: describe(error) } satisfies WriterResponse);
  }
}
