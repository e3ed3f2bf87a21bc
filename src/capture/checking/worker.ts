/**
 * A worker thread of `steno ingest` and the importers: checks and prepares batches of lines. Blobs travel packed in one
 * transferable buffer per column, the rows as one JSON string: the main thread keeps a batch as it came
 * until the storing pass, and a few large objects cost the garbage collector nothing, where a few
 * million small strings and arrays held for the whole pass cost it seconds.
 */
import { workerData } from 'node:worker_threads';
import { type BlobColumn, blobColumnBuffers, packBlobs } from '../../core/blob-column.js';
import type { Problem } from '../../core/errors.js';
import { serveRequests } from '../../core/worker-pool.js';
import type { MessageRowFields } from '../ingest.js';
import { checkDelivery, checkLines, type Line } from './lines.js';

/** A prepared message's record id and row, all but its blobs. */
export type PreparedTuple = [recordId: string, ...fields: MessageRowFields];

export interface CheckReply {
  /** Line numbers of the valid lines. */
  numbers: number[];
  /** JSON of PreparedTuple[], one per valid line. */
  rows: string;
  content: BlobColumn;
  salt: BlobColumn;
  leaf: BlobColumn;
  leafHash: BlobColumn;
  dedupKey: BlobColumn;
  inline: [number, string, Uint8Array][];
  bad: number[];
  problems: Problem[];
}

const options = workerData as { maxAttachmentBytes: number };

/** Lines of a file, or a live delivery as the JSON text of its array. */
export type CheckRequest = Line[] | { delivery: string };

serveRequests<CheckRequest, CheckReply>(async (request) => {
  const batch = Array.isArray(request) ? checkLines(request, options) : checkDelivery(request.delivery, options);
  const messages = batch.valid.map((v) => v.message);
  const result: CheckReply = {
    numbers: batch.valid.map((v) => v.number),
    rows: JSON.stringify(
      messages.map(
        ({ record, row: r }): PreparedTuple => [
          record.id,
          r.platform,
          r.conversationId,
          r.sender,
          r.sentAtMs,
          r.kind,
          r.platformMessageId,
          r.refersTo,
          r.participants,
          r.searchText,
        ],
      ),
    ),
    content: packBlobs(messages.map((m) => m.record.contentBytes)),
    salt: packBlobs(messages.map((m) => m.record.salt)),
    leaf: packBlobs(messages.map((m) => m.record.bytes)),
    leafHash: packBlobs(messages.map((m) => m.record.hash)),
    dedupKey: packBlobs(messages.map((m) => m.row.dedupKey)),
    inline: batch.valid.flatMap(({ number, message }) =>
      [...message.inlineBlobs].map(([sha, bytes]): [number, string, Uint8Array] => [number, sha, bytes]),
    ),
    bad: batch.bad,
    problems: batch.problems,
  };
  return {
    result,
    transfer: blobColumnBuffers(result.content, result.salt, result.leaf, result.leafHash, result.dedupKey),
  };
});
