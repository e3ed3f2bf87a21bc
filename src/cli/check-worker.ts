/** A worker thread of `steno ingest`: checks batches of lines, returning canonical content packed in one buffer. */
import { parentPort, workerData } from 'node:worker_threads';
import { packBlobs } from '../store/sqlite/batch.js';
import { checkLines, type Line } from './jsonl.js';

export interface CheckRequest {
  id: number;
  lines: Line[];
}

export interface CheckReply {
  id: number;
  numbers: number[];
  content: { data: Uint8Array; offsets: Uint32Array };
  inline: [number, string, Uint8Array][];
  bad: number[];
  problems: { where: string; message: string }[];
}

const port = parentPort;
if (port === null) throw new Error('check-worker.ts must run as a worker thread');
const options = workerData as { maxAttachmentBytes: number };

port.on('message', (request: CheckRequest | 'close') => {
  if (request === 'close') {
    port.close();
    return;
  }
  const batch = checkLines(request.lines, options);
  // Small Buffers share 8 KiB pool slabs that structured clone would copy whole: pack, then transfer.
  const content = packBlobs(batch.valid.map((v) => v.contentBytes));
  const reply: CheckReply = {
    id: request.id,
    numbers: batch.valid.map((v) => v.number),
    content,
    inline: batch.valid.flatMap((v) =>
      v.inlineBlobs.map(([sha, bytes]): [number, string, Uint8Array] => [v.number, sha, bytes]),
    ),
    bad: batch.bad,
    problems: batch.problems,
  };
  port.postMessage(reply, [content.data.buffer as ArrayBuffer, content.offsets.buffer as ArrayBuffer]);
});
