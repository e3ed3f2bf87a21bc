/**
 * The audit's record scanner for the configured backend, for one worker thread of `steno verify`. Apart
 * from the composition root on purpose: a worker loads only its backend's reading code, and starts fast.
 */
import type { Config } from '../config/config.js';
import type { ChunkSource } from '../ledger/audit.js';

export async function openAuditScanner(config: Config): Promise<ChunkSource & { close(): Promise<void> }> {
  if (config.store.kind === 'postgres') {
    const { PostgresStore } = await import('./postgres/store.js');
    return PostgresStore.open(config.store);
  }
  const { openAuditScanner: openSqliteAuditScanner } = await import('./sqlite/audit-scan.js');
  return openSqliteAuditScanner(config.store.path);
}
