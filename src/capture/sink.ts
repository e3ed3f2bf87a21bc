/**
 * The in-process capture sink: a connector's messages are validated and appended to the ledger in this
 * process, and the delivery resolves once they are committed. With STENO_QUEUE the queue's sink takes
 * its place (src/capture/queue/).
 */
import type { CaptureSink, SinkResult } from './connectors/connector.js';
import type { IngestService, MessageWriteTx } from './ingest.js';

export class LocalSink implements CaptureSink {
  constructor(
    private readonly ingest: IngestService<MessageWriteTx>,
    /** Told when anything new was archived (the server reads orders soon after). */
    private readonly onArchived: () => void = () => {},
  ) {}

  async deliver(_source: string, messages: readonly unknown[]): Promise<SinkResult> {
    if (messages.length === 0) return { created: 0, duplicate: 0 };
    const valid = this.ingest.validate(messages, (i) => `[${i}]`);
    const results = await this.ingest.ingest(valid);
    const created = results.filter((r) => r.status === 'created').length;
    if (created > 0) this.onArchived();
    return { created, duplicate: results.length - created };
  }
}
