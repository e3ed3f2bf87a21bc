/** A worker thread of `steno ingest`: checks batches of lines, returning canonical content packed in one buffer. */
import { workerData } from 'node:worker_threads';
import { type BlobColumn, blobColumnBuffers, packBlobs } from '../core/blob-column.js';
import type { Problem } from '../core/errors.js';
import { serveRequests } from '../core/worker-pool.js';
import { checkLines, type Line } from './jsonl.js';

export interface CheckReply {
  numbers: number[];
  content: BlobColumn;
  inline: [number, string, Uint8Array][];
  bad: number[];
  problems: Problem[];
}

const options = workerData as { maxAttachmentBytes: number };

serveRequests<Line[], CheckReply>(async (lines) => {
  const batch = checkLines(lines, options);
  const content = packBlobs(batch.valid.map((v) => v.contentBytes));
  const result: CheckReply = {
    numbers: batch.valid.map((v) => v.number),
    content,
    inline: batch.valid.flatMap((v) =>
      v.inlineBlobs.map(([sha, bytes]): [number, string, Uint8Array] => [v.number, sha, bytes]),
    ),
    bad: batch.bad,
    problems: batch.problems,
  };
  return { result, transfer: blobColumnBuffers(content) };
});
