/**
 * Checking a live delivery (a connector's mapped messages) off the thread that answers HTTP. Capture's
 * throughput is bounded by that one thread: validating, canonicalising and hashing each message is
 * most of its work per request, and here it moves to worker threads, which use the other cores.
 * Each delivery is checked whole: one bad message refuses the delivery and nothing of it is stored.
 */
import { availableParallelism } from 'node:os';
import { invalidMessages, type PreparedMessage, prepareMessage, validateMessages } from '../ingest.js';
import type { CheckedBatch } from './lines.js';
import { type LineChecker, startCheckPool } from './pool.js';

export interface DeliveryChecker extends AsyncDisposable {
  /** Validates and prepares a delivery, or throws `invalid_input` naming each problem as `[i]`. */
  check(messages: readonly unknown[]): Promise<PreparedMessage[]>;
}

/**
 * Threads for deliveries: one fewer than the cores (the answering thread keeps one busy), none on a
 * single core, where a thread would only add a hop.
 */
export function deliveryThreads(cores = availableParallelism()): number {
  return Math.min(4, Math.max(0, cores - 1));
}

/**
 * Worker threads start on the first delivery, so a server that captures nothing starts none. If they
 * fail (a crash, memory), deliveries are checked on the calling thread from then on.
 */
/** `threads`: worker threads to check on (0: the calling thread checks); deliveryThreads() unless given. */
export function deliveryChecker(options: { maxAttachmentBytes: number; threads?: number }): DeliveryChecker {
  const threads = options.threads ?? deliveryThreads();
  let pool: Promise<LineChecker> | null = null;
  let workersFailed = false;

  const checkHere = (messages: readonly unknown[]): PreparedMessage[] => {
    const capturedAt = new Date().toISOString();
    return validateMessages(messages, (i) => `[${i}]`, options.maxAttachmentBytes).map((m) =>
      prepareMessage(m, capturedAt),
    );
  };

  const checkOnWorkers = async (messages: readonly unknown[]): Promise<PreparedMessage[] | null> => {
    pool ??= startCheckPool({ maxAttachmentBytes: options.maxAttachmentBytes, size: threads });
    const json = JSON.stringify(messages);
    let batch: CheckedBatch;
    try {
      batch = await (await pool).checkDelivery(json);
    } catch {
      // The workers failed, not the messages: check here, now and from now on.
      workersFailed = true;
      return null;
    }
    if (batch.problems.length > 0) throw invalidMessages(batch.problems);
    return batch.validNumbers.map((_, i) => batch.message(i));
  };

  return {
    async check(messages) {
      if (threads > 0 && !workersFailed) {
        const prepared = await checkOnWorkers(messages);
        if (prepared !== null) return prepared;
      }
      return checkHere(messages);
    },
    async [Symbol.asyncDispose]() {
      const started = await pool?.catch(() => null);
      await started?.[Symbol.asyncDispose]();
    },
  };
}
