/** Worker-thread entry for the SQLite writer: one request at a time, in order, over the parent port. */
import { parentPort, workerData } from 'node:worker_threads';
import { isStenoError } from '../../core/errors.js';
import { SqliteWriter, type WriterMethod } from './writer.js';

export interface WriterRequest {
  id: number;
  method: WriterMethod | 'close';
  args: unknown[];
}

export type WriterResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { message: string; code?: string; stenoCode?: string } };

const port = parentPort;
if (port === null) throw new Error('writer-worker.ts must run as a worker thread');

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

port.on('message', (request: WriterRequest) => {
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
});
