/** A worker thread of `steno verify`: checks chunks of records on its own read connection. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import { openAuditScanner } from '../context.js';
import { checkChunk } from '../ledger/audit.js';

export interface ChunkRequest {
  id: number;
  from: number;
  to: number;
  sizes: number[];
}

const port = parentPort;
if (port === null) throw new Error('verify-worker.ts must run as a worker thread');
const scanner = await openAuditScanner((workerData as { config: Config }).config);

port.on('message', (request: ChunkRequest | 'close') => {
  if (request === 'close') {
    scanner
      .close()
      .catch(() => undefined)
      .finally(() => port.close());
    return;
  }
  checkChunk(scanner, request.from, request.to, request.sizes)
    .then((result) => port.postMessage({ id: request.id, result }))
    .catch((error: unknown) => port.postMessage({ id: request.id, error: (error as Error).message }));
});
port.postMessage('ready');
