/**
 * Capture through NATS JetStream (STENO_QUEUE): capture nodes publish validated messages to a durable
 * stream and answer the platform once the stream has them; ledger writers archive the stream.
 */

import type { Steno } from '../../context.js';
import { StenoError } from '../../core/errors.js';
import type { CaptureSink } from '../connectors/connector.js';
import { connectQueue } from './connection.js';
import { NatsSink } from './nats.js';
import { type QueueLog, QueueWriter } from './writer.js';

export { captureSubject, connectQueue, type QueueConnection, subjectRoot } from './connection.js';
export { NatsSink } from './nats.js';
export { type QueueLog, QueueWriter, type QueueWriterCounts, WRITER_CONSUMER } from './writer.js';

export interface RunningQueue {
  /** Where capture connectors deliver: the stream. */
  sink: CaptureSink;
  /** The ledger writer, when this process is one. */
  writer: QueueWriter | null;
  /** The servers, safe to print. */
  where: string;
  /** Stops the writer (its batch under way committed and acknowledged), then closes the connection. */
  close(): Promise<void>;
}

/**
 * Connects to the queue of `steno.config.queue`, creating its stream if absent, and with `write`
 * starts a ledger writer in this process.
 */
export async function startQueue(
  steno: Pick<Steno, 'config' | 'ingest'>,
  options: { write: boolean; onArchived?: () => void; log?: QueueLog },
): Promise<RunningQueue> {
  const config = steno.config.queue;
  if (config === null) {
    throw new StenoError(
      'config',
      'STENO_QUEUE is not set: name the NATS server capture is buffered in (nats://host:4222)',
    );
  }
  const queue = await connectQueue(config, { name: options.write ? 'steno-ledger-writer' : 'steno-capture' });
  let writer: QueueWriter | null = null;
  try {
    if (options.write) {
      writer = new QueueWriter({
        queue,
        ingest: steno.ingest,
        ...(options.onArchived === undefined ? {} : { onArchived: options.onArchived }),
        ...(options.log === undefined ? {} : { log: options.log }),
      });
      await writer.start();
    }
  } catch (error) {
    await queue.close();
    throw new StenoError('io', `cannot start the ledger writer on ${queue.where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    sink: new NatsSink({ queue, ingest: steno.ingest }),
    writer,
    where: queue.where,
    close: async () => {
      await writer?.stop();
      await queue.close();
    },
  };
}
