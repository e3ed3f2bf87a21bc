/**
 * Worker-thread entry that copies committed WAL frames into the database file in the background
 * (PASSIVE checkpoints, which never block or wait for the writer). Checkpointing inside a commit
 * stopped the writer for the copy and two fsyncs every 40 MB of WAL; here that waiting overlaps with
 * ingest. The writer's own automatic checkpoint stays as a backstop should this thread stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

if (parentPort === null) throw new Error('checkpoint-worker.ts must run as a worker thread');
const port = parentPort;
const { path, intervalMs } = workerData as { path: string; intervalMs: number };

const db = new Database(path, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // Another connection checkpointing (the writer's backstop) is busy, not broken: try again next time.
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
  }
}, intervalMs);

port.on('message', (message: unknown) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  port.postMessage('closed');
  port.close();
});
port.postMessage('ready');
