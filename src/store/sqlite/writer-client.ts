/** The main thread's handle on the SQLite writer worker: typed calls, answered in order. */
import { Worker } from 'node:worker_threads';
import { type ErrorCode, StenoError } from '../../core/errors.js';
import { compiledWorkerPath } from '../../core/worker-path.js';
import type { SqliteWriter, WriterMethod } from './writer.js';
import type { WriterRequest, WriterResponse } from './writer-worker.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: unknown) => void };

/** How often the checkpoint thread copies the WAL into the database. */
const CHECKPOINT_INTERVAL_MS = 500;

export class WriterClient {
  private readonly worker: Worker;
  private checkpointer: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: StenoError | null = null;
  private closing = false;

  /** False once the writer thread has stopped (other than by close): every write would fail. */
  get healthy(): boolean {
    return this.failure === null || this.closing;
  }

  private constructor(worker: Worker) {
    this.worker = worker;
  }

  static async start(path: string): Promise<WriterClient> {
    const worker = new Worker(compiledWorkerPath(import.meta.url, 'writer-worker.js'), { workerData: { path } });
    const client = new WriterClient(worker);
    try {
      await new Promise<void>((resolve, reject) => {
        client.pending.set(0, { resolve: () => resolve(), reject });
        worker.on('message', (response: WriterResponse) => client.settle(response));
        worker.on('error', (error) => client.fail(error));
        worker.on('exit', (code) => client.fail(new Error(`the SQLite writer exited (code ${code})`)));
      });
    } catch (error) {
      // A writer that could not open its database must not keep the process alive.
      await worker.terminate();
      throw error;
    }
    client.checkpointer = await startCheckpointer(path);
    return client;
  }

  call<M extends WriterMethod>(method: M, ...args: Parameters<SqliteWriter[M]>): Promise<ReturnType<SqliteWriter[M]>> {
    return this.send(method, args) as Promise<ReturnType<SqliteWriter[M]>>;
  }

  /** Like call, handing the listed buffers over to the writer instead of copying them. */
  callTransferring<M extends WriterMethod>(
    transfer: ArrayBuffer[],
    method: M,
    ...args: Parameters<SqliteWriter[M]>
  ): Promise<ReturnType<SqliteWriter[M]>> {
    return this.send(method, args, transfer) as Promise<ReturnType<SqliteWriter[M]>>;
  }

  private send(method: WriterRequest['method'], args: unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args } satisfies WriterRequest, transfer);
    });
  }

  private settle(response: WriterResponse): void {
    const waiter = this.pending.get(response.id);
    if (waiter === undefined) return;
    this.pending.delete(response.id);
    if (response.ok) waiter.resolve(response.result);
    else {
      const code = (response.error.stenoCode as ErrorCode | undefined) ?? 'io';
      const error = new StenoError(code, `SQLite: ${response.error.message}`);
      if (response.error.code !== undefined) (error as { sqliteCode?: string }).sqliteCode = response.error.code;
      waiter.reject(error);
    }
  }

  private fail(cause: unknown): void {
    if (this.failure === null) {
      this.failure = new StenoError('io', `the SQLite writer stopped: ${(cause as Error).message}`, { cause });
    }
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    const checkpointer = this.checkpointer;
    this.checkpointer = null;
    if (checkpointer !== null) await stopCheckpointer(checkpointer);
    if (this.failure !== null) return;
    await this.send('close', []);
    await this.worker.terminate();
  }
}

/**
 * The background checkpoint thread. Not essential: if it cannot start or stops, the writer checkpoints
 * inside its commits as SQLite always does, so its failures are not the writer's.
 */
async function startCheckpointer(path: string): Promise<Worker | null> {
  const worker = new Worker(compiledWorkerPath(import.meta.url, 'checkpoint-worker.js'), {
    workerData: { path, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  worker.unref();
  const started = await new Promise<boolean>((resolve) => {
    worker.once('message', () => resolve(true));
    worker.once('error', () => resolve(false));
    worker.once('exit', () => resolve(false));
  });
  worker.on('error', () => undefined);
  if (started) return worker;
  await worker.terminate();
  return null;
}

async function stopCheckpointer(worker: Worker): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('exit', () => resolve());
  });
  worker.postMessage('close');
  await closed;
  await worker.terminate();
}
