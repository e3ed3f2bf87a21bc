/**
 * The rows of one write transaction, packed for the trip to the writer thread: every blob of a column
 * in one transferable buffer with offsets. Structured-cloning thousands of small Buffers copies each
 * one's whole 8 KiB pool slab; this copies nothing.
 */

import type { MessageRowFields } from '../../capture/ingest.js';
import { type BlobColumn, blobColumnBuffers } from '../../core/blob-column.js';
import type { RecordType } from '../../ledger/records.js';

export interface PackedBatch {
  expectedSize: number;
  leafIndex: number[];
  leafId: string[];
  leafType: RecordType[];
  leafBytes: BlobColumn;
  nodeId: number[];
  nodeHash: BlobColumn;
  contentIndex: number[];
  salt: BlobColumn;
  content: BlobColumn;
  /** Arrays of strings and numbers: structured clone copies them far faster than objects or JSON. */
  messages: MessageTuple[];
  dedupKey: BlobColumn;
}

/** A message row as it crosses to the writer (the dedup key travels in its own blob column). */
export type MessageTuple = [leafIndex: number, ...fields: MessageRowFields];

export function transferList(batch: PackedBatch): ArrayBuffer[] {
  return blobColumnBuffers(batch.leafBytes, batch.nodeHash, batch.salt, batch.content, batch.dedupKey);
}
