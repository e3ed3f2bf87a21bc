/**
 * The in-process capture sink: a connector's messages are validated and appended to the ledger in this
 * process, and the delivery resolves once they are committed. With STENO_QUEUE the queue's sink takes
 * its place (src/capture/queue/).
 */
import type { DeliveryChecker } from './checking/deliveries.js';
import type { CaptureSink, SinkResult } from './connectors/connector.js';
import type { IngestService, MessageWriteTx } from './ingest.js';

export class LocalSink implements CaptureSink {
  constructor(
    private readonly ingest: IngestService<MessageWriteTx>,
    /** Validates and prepares each delivery, on worker threads where there are cores for them. */
    private readonly checker: DeliveryChecker,
    /** Told when anything new was archived (the server reads orders soon after). */
    private readonly onArchived: () => void = () => {},
  ) {}

  async deliver(_source: string, messages: readonly unknown[]): Promise<SinkResult> {
    if (messages.length === 0) return { created: 0, duplicate: 0 };
    const results = await this.ingest.ingestPrepared(await this.checker.check(messages));
    const created = results.filter((r) => r.status === 'created').length;
    if (created > 0) this.onArchived();
    return { created, duplicate: results.length - created };
  }
}
