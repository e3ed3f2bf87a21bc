/**
 * The ledger writer: archives what capture nodes buffered in the stream. It reads batches through one
 * durable pull consumer, validates each message again (the stream is a boundary too), commits the
 * batch to the ledger in one ingest call, and only then acknowledges its messages.
 *
 * Exactly once in the ledger follows from two things: a message is acknowledged only after the commit
 * that holds it is durable, so a crash at any point leaves it in the stream to be delivered again; and
 * a delivery the ledger already holds is recognised by the archive's de-duplication key and stores
 * nothing new. Several writers may share the consumer: the stream hands each message to one of them.
 */
import {
  AckPolicy,
  type Consumer,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JsMsg,
} from '@nats-io/jetstream';
import { millis, nanos } from '@nats-io/transport-node';
import type { IngestService, MessageWriteTx } from '../ingest.js';
import type { ValidatedMessage } from '../model.js';
import type { QueueConnection } from './connection.js';

/** The durable consumer every ledger writer of a stream shares. */
export const WRITER_CONSUMER = 'steno-ledger-writer';
/** How long the stream waits for an acknowledgement before delivering a message again. */
export const ACK_WAIT_MS = 30_000;
/** Deliveries not yet acknowledged, across every writer: several batches in flight. */
const MAX_ACK_PENDING = 10_000;
const MAX_READ_PAUSE_MS = 5000;
const MAX_COMMIT_PAUSE_MS = 60_000;

/** Where the writer reports what it refused and what failed; it never logs message content. */
export interface QueueLog {
  error(message: string, error: unknown): void;
}

const stderrLog: QueueLog = {
  error: (message, error) => process.stderr.write(`${message}: ${(error as Error)?.message ?? String(error)}\n`),
};

export interface QueueWriterOptions {
  queue: QueueConnection;
  ingest: Pick<IngestService<MessageWriteTx>, 'validate' | 'ingest'>;
  /** Told when a batch archived anything new (the server reads orders soon after). */
  onArchived?: () => void;
  log?: QueueLog;
  /** Most messages committed in one ingest call. */
  batchSize?: number;
  /** How long a batch waits for more messages after its first before it is committed. */
  lingerMs?: number;
  /** How long one pull request stays open; a stop waits for the one under way. At least 1000. */
  fetchExpiresMs?: number;
  /** After a failed commit: when its messages are delivered again, and the first pause before reading on. */
  retryDelayMs?: number;
}

export interface QueueWriterCounts {
  /** New to the ledger. */
  archived: number;
  /** Deliveries the ledger already held (redeliveries after a crash or a timeout). */
  duplicates: number;
  /** Messages refused as invalid and removed from the stream without being archived. */
  terminated: number;
  /** Batches whose commit failed and whose messages were handed back to the stream. */
  failedBatches: number;
}

const LINGER_OVER = Symbol('linger over');

export class QueueWriter {
  readonly counts: QueueWriterCounts = { archived: 0, duplicates: 0, terminated: 0, failedBatches: 0 };
  private readonly queue: QueueConnection;
  private readonly ingest: Pick<IngestService<MessageWriteTx>, 'validate' | 'ingest'>;
  private readonly onArchived: () => void;
  private readonly log: QueueLog;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly fetchExpiresMs: number;
  private readonly retryDelayMs: number;
  private consumer: Consumer | null = null;
  /** The pull request under way. */
  private pulling: ConsumerMessages | null = null;
  /** The consumer's own acknowledgement wait, as the server has it. */
  private ackWaitMs = ACK_WAIT_MS;
  private running: Promise<void> | null = null;
  private stopping = false;
  private wakeFromPause: (() => void) | null = null;

  constructor(options: QueueWriterOptions) {
    this.queue = options.queue;
    this.ingest = options.ingest;
    this.onArchived = options.onArchived ?? (() => undefined);
    this.log = options.log ?? stderrLog;
    this.batchSize = options.batchSize ?? 500;
    this.lingerMs = options.lingerMs ?? 20;
    this.fetchExpiresMs = Math.max(1000, options.fetchExpiresMs ?? 2000);
    this.retryDelayMs = options.retryDelayMs ?? 5000;
  }

  /** Makes sure the consumer exists, then reads the stream until stop(). */
  async start(): Promise<void> {
    if (this.running !== null) return;
    this.consumer = await this.openConsumer();
    this.stopping = false;
    this.running = this.run();
  }

  /**
   * Stops reading. Resolves once the pull under way has ended (within fetchExpiresMs) and every message
   * it delivered is committed and acknowledged, and the acknowledgements have reached the server.
   */
  async stop(): Promise<void> {
    if (this.running === null) return;
    this.stopping = true;
    this.wakeFromPause?.();
    // A pull normally ends by itself within fetchExpiresMs; one that does not (the server went away
    // mid-pull) is ended here, and what it had received is still committed and acknowledged.
    const cutOff = setTimeout(() => this.pulling?.stop(), this.fetchExpiresMs + 1000);
    try {
      await this.running;
    } finally {
      clearTimeout(cutOff);
    }
    this.running = null;
    if (!this.queue.nc.isClosed()) await this.queue.nc.flush().catch(() => undefined);
  }

  private async openConsumer(): Promise<Consumer> {
    const { jsm, js, stream } = this.queue;
    try {
      this.ackWaitMs = ackWaitOf(await jsm.consumers.info(stream, WRITER_CONSUMER));
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
      // An existing consumer is used as it is: an operator may have tuned it.
      const config: Partial<ConsumerConfig> = {
        durable_name: WRITER_CONSUMER,
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(ACK_WAIT_MS),
        max_ack_pending: MAX_ACK_PENDING,
        deliver_policy: DeliverPolicy.All,
        // Never given up on: a message leaves the stream archived, or refused as invalid.
        max_deliver: -1,
      };
      try {
        await jsm.consumers.add(stream, config);
        this.ackWaitMs = ACK_WAIT_MS;
      } catch (addError) {
        // Another writer created it at the same moment.
        const info = await jsm.consumers.info(stream, WRITER_CONSUMER).catch(() => {
          throw addError;
        });
        this.ackWaitMs = ackWaitOf(info);
      }
    }
    return js.consumers.get(stream, WRITER_CONSUMER);
  }

  private async run(): Promise<void> {
    let readFailures = 0;
    let commitFailures = 0;
    while (!this.stopping) {
      let pauseMs = 0;
      try {
        this.consumer ??= await this.openConsumer();
        const committed = await this.readOnce(this.consumer);
        readFailures = 0;
        commitFailures = committed ? 0 : commitFailures + 1;
        // The store is failing: wait longer each time rather than take more batches it cannot keep.
        if (!committed) pauseMs = Math.min(this.retryDelayMs * 2 ** (commitFailures - 1), MAX_COMMIT_PAUSE_MS);
      } catch (error) {
        if (this.stopping || this.queue.nc.isClosed()) break;
        readFailures++;
        this.consumer = null;
        this.log.error(`capture writer: reading the stream ${this.queue.stream} failed; trying again`, error);
        // NATS is away (the client reconnects by itself): look again soon, to resume soon after it is back.
        pauseMs = Math.min(1000 * 2 ** (readFailures - 1), MAX_READ_PAUSE_MS);
      }
      if (pauseMs > 0) await this.pause(pauseMs);
    }
  }

  /**
   * One pull request: its messages are committed in batches as they arrive (a batch waits lingerMs for
   * company after its first message). False when a commit failed.
   */
  private async readOnce(consumer: Consumer): Promise<boolean> {
    const messages = await consumer.fetch({ max_messages: this.batchSize, expires: this.fetchExpiresMs });
    this.pulling = messages;
    const iterator = messages[Symbol.asyncIterator]();
    let allCommitted = true;
    let batch: JsMsg[] = [];
    let lingerUntil = 0;
    const commitBatch = async () => {
      const sending = batch;
      batch = [];
      if (sending.length > 0 && !(await this.commit(sending))) allCommitted = false;
    };
    try {
      for (;;) {
        const next = iterator.next();
        // Observed at once: it may fail while a batch commits, before it is awaited below.
        next.catch(() => undefined);
        let step: IteratorResult<JsMsg> | typeof LINGER_OVER = LINGER_OVER;
        while (step === LINGER_OVER) {
          step = batch.length === 0 ? await next : await raceTimer(next, lingerUntil - Date.now());
          if (step === LINGER_OVER) await commitBatch();
        }
        if (step.done) break;
        if (batch.length === 0) lingerUntil = Date.now() + this.lingerMs;
        batch.push(step.value);
        if (batch.length >= this.batchSize) await commitBatch();
      }
    } finally {
      this.pulling = null;
      // Whatever ends the pull (its end, an error), what was received is archived before moving on.
      await commitBatch();
    }
    return allCommitted;
  }

  /** Validates, commits and acknowledges one batch; false (and the batch handed back) when the commit failed. */
  private async commit(batch: readonly JsMsg[]): Promise<boolean> {
    const valid: ValidatedMessage[] = [];
    const accepted: JsMsg[] = [];
    for (const m of batch) {
      try {
        const item: unknown = JSON.parse(m.string());
        valid.push(...this.ingest.validate([item], () => `${m.subject} #${m.seq}`));
        accepted.push(m);
      } catch (error) {
        // Publishers validate before publishing, so this is a foreign or damaged message: delivering it
        // again would fail again. It is logged and removed; the rest of the batch goes on.
        m.term();
        this.counts.terminated++;
        this.log.error(
          `capture writer: message #${m.seq} on ${m.subject} is not a valid ingest message and was not archived`,
          error,
        );
      }
    }
    if (accepted.length === 0) return true;

    // A slow commit must not let the stream think the batch was lost and hand it to another writer.
    const keepAlive = setInterval(() => {
      for (const m of accepted) m.working();
    }, this.ackWaitMs / 3);
    let created = 0;
    try {
      const results = await this.ingest.ingest(valid);
      for (const r of results) if (r.status === 'created') created++;
    } catch (error) {
      this.counts.failedBatches++;
      for (const m of accepted) m.nak(this.retryDelayMs);
      this.log.error(
        `capture writer: archiving ${accepted.length} message(s) failed; the stream delivers them again in ${this.retryDelayMs} ms`,
        error,
      );
      return false;
    } finally {
      clearInterval(keepAlive);
    }
    for (const m of accepted) m.ack();
    this.counts.archived += created;
    this.counts.duplicates += accepted.length - created;
    if (created > 0) {
      try {
        this.onArchived();
      } catch (error) {
        this.log.error('capture writer: the onArchived callback failed', error);
      }
    }
    return true;
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeFromPause = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeFromPause = done;
    });
  }
}

function ackWaitOf(info: ConsumerInfo): number {
  const wait = info.config.ack_wait;
  return wait === undefined || wait <= 0 ? ACK_WAIT_MS : millis(wait);
}

/** The iterator's next step, or LINGER_OVER if it takes longer than `ms`. The step is never lost: a
 * caller that gets LINGER_OVER awaits the same promise again. */
async function raceTimer<T>(next: Promise<T>, ms: number): Promise<T | typeof LINGER_OVER> {
  if (ms <= 0) return LINGER_OVER;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      next,
      new Promise<typeof LINGER_OVER>((resolve) => {
        timer = setTimeout(() => resolve(LINGER_OVER), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
