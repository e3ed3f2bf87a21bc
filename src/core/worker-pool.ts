/**
 * A pool of worker threads answering requests round-robin, for CPU work spread over every core (the
 * audit's chunks, an import's checking pass). `serveRequests` is the worker side.
 */
import { availableParallelism } from 'node:os';
import { parentPort, type ResourceLimits, type TransferListItem, Worker } from 'node:worker_threads';
import { StenoError } from './errors.js';

type Envelope<Req> = { id: number; payload: Req };
type Reply<Res> = { id: number; ok: true; result: Res } | { id: number; ok: false; error: string };
const READY = 'ready';
const CLOSE = 'close';

export interface WorkerPool<Req, Res> extends AsyncDisposable {
  readonly size: number;
  request(payload: Req): Promise<Res>;
}

/** Starts the workers and waits until each has said it is ready (it may open a connection first). */
export async function startWorkerPool<Req, Res>(options: {
  /** The compiled worker script (see compiledWorkerPath). */
  path: string;
  /** Names the pool in errors. */
  name: string;
  workerData: unknown;
  size?: number;
  resourceLimits?: ResourceLimits;
}): Promise<WorkerPool<Req, Res>> {
  const pending = new Map<number, { resolve: (result: Res) => void; reject: (error: unknown) => void }>();
  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(new StenoError('io', `${options.name}: ${error.message}`));
    pending.clear();
  };
  const size = Math.max(1, options.size ?? availableParallelism());
  let exited = false;
  const workers = await Promise.all(
    Array.from({ length: size }, async () => {
      const worker = new Worker(options.path, {
        workerData: options.workerData,
        ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      worker.on('message', (reply: Reply<Res>) => {
        const waiter = pending.get(reply.id);
        if (waiter === undefined) return;
        pending.delete(reply.id);
        if (reply.ok) waiter.resolve(reply.result);
        else waiter.reject(new StenoError('io', `${options.name}: ${reply.error}`));
      });
      worker.on('error', failAll);
      // A worker gone (crashed, or out of memory) answers nothing more: its requests fail, not hang.
      worker.once('exit', () => {
        exited = true;
        failAll(new Error('a worker thread stopped'));
      });
      return worker;
    }),
  );
  let nextId = 0;
  let disposed: Promise<void> | null = null;
  return {
    size,
    request(payload: Req): Promise<Res> {
      if (exited) return Promise.reject(new StenoError('io', `${options.name}: a worker thread stopped`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        workers[id % size]!.postMessage({ id, payload } satisfies Envelope<Req>);
      });
    },
    [Symbol.asyncDispose]() {
      disposed ??= Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.postMessage(CLOSE);
              setTimeout(() => void worker.terminate(), 5000).unref();
            }),
        ),
      ).then(() => undefined);
      return disposed;
    },
  };
}

/**
 * The worker side: answers each request with the handler's result, handing over the listed buffers
 * instead of copying them; `onClose` runs when the pool is disposed.
 */
export function serveRequests<Req, Res>(
  handler: (payload: Req) => Promise<{ result: Res; transfer?: TransferListItem[] }>,
  onClose: () => Promise<void> = async () => undefined,
): void {
  const port = parentPort;
  if (port === null) throw new Error('serveRequests must run in a worker thread');
  port.on('message', (message: Envelope<Req> | typeof CLOSE) => {
    if (message === CLOSE) {
      onClose()
        .catch(() => undefined)
        .finally(() => port.close());
      return;
    }
    handler(message.payload).then(
      ({ result, transfer }) => port.postMessage({ id: message.id, ok: true, result } satisfies Reply<Res>, transfer),
      (error: unknown) =>
        port.postMessage({ id: message.id, ok: false, error: (error as Error).message } satisfies Reply<Res>),
    );
  });
  port.postMessage(READY);
}
