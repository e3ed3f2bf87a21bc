/**
 * The queue's capture sink: a connector's messages are validated here, as the local sink does, then
 * published to the JetStream stream, and the delivery resolves once the stream has acknowledged every
 * one of them. The ledger writer (writer.ts) archives them from there.
 */
import { StenoError } from '../../core/errors.js';
import type { CaptureSink, SinkResult } from '../connectors/connector.js';
import { dedupKey, type IngestService, type MessageWriteTx } from '../ingest.js';
import { captureSubject, type QueueConnection } from './connection.js';

/** The header JetStream de-duplicates on, within the stream's duplicate window (set by `msgID`). */
export const MSG_ID_HEADER = 'Nats-Msg-Id';
/** Room left in a NATS message for the headers a publish adds (message id, expected stream). */
const HEADER_ALLOWANCE = 512;

export class NatsSink implements CaptureSink {
  private readonly queue: QueueConnection;
  private readonly ingest: Pick<IngestService<MessageWriteTx>, 'validate'>;

  constructor(options: { queue: QueueConnection; ingest: Pick<IngestService<MessageWriteTx>, 'validate'> }) {
    this.queue = options.queue;
    this.ingest = options.ingest;
  }

  async deliver(source: string, messages: readonly unknown[]): Promise<SinkResult> {
    if (messages.length === 0) return { created: 0, duplicate: 0 };
    // One bad message refuses the whole delivery before anything is published. Checked on this thread,
    // unlike in-process capture: publishing needs only validation and the key, not a prepared record,
    // and the hop to a worker thread cost more than it saved (npm run bench, NATS publish side).
    const valid = this.ingest.validate(messages, (i) => `[${i}]`);
    const payloads = messages.map((m) => Buffer.from(JSON.stringify(m), 'utf8'));
    const serverMax = this.queue.nc.info?.max_payload;
    if (serverMax !== undefined) {
      // The server's limit covers the headers too.
      const maxPayload = serverMax - HEADER_ALLOWANCE;
      const over = payloads.findIndex((p) => p.length > maxPayload);
      if (over !== -1) {
        throw new StenoError(
          'too_large',
          `[${over}] is ${payloads[over]!.length} bytes, over the ${maxPayload}-byte message limit of the capture queue (raise max_payload on the NATS server)`,
        );
      }
    }
    const subject = captureSubject(this.queue.subjectRoot, source);
    // The archive's own de-duplication key: a message the stream has already taken is not taken twice.
    const publishes = valid.map((m, i) =>
      this.queue.js.publish(subject, payloads[i]!, {
        msgID: dedupKey(m.content, m.contentBytes).toString('hex'),
        expect: { streamName: this.queue.stream },
      }),
    );
    // All are awaited before answering, so no rejection is left unobserved.
    const settled = await Promise.allSettled(publishes);
    let created = 0;
    let duplicate = 0;
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        throw new StenoError(
          'io',
          `the capture queue (NATS) did not acknowledge: ${(outcome.reason as Error)?.message ?? String(outcome.reason)}`,
          { cause: outcome.reason },
        );
      }
      if (outcome.value.duplicate) duplicate++;
      else created++;
    }
    return { created, duplicate };
  }
}
