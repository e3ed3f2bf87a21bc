/** A worker thread of `steno verify`: checks chunks of records on its own read connection. */
import { workerData } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import { serveRequests } from '../core/worker-pool.js';
import { type ChunkResult, checkChunk } from '../ledger/audit.js';
import { openAuditScanner } from '../store/audit-scanner.js';

export interface ChunkRequest {
  from: number;
  to: number;
  sizes: number[];
}

const scanner = await openAuditScanner((workerData as { config: Config }).config);
serveRequests<ChunkRequest, ChunkResult>(
  async ({ from, to, sizes }) => ({ result: await checkChunk(scanner, from, to, sizes) }),
  () => scanner.close(),
);
