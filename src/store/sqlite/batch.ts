/**
 * The rows of one write transaction, packed for the trip to the writer thread: every blob of a column
 * in one transferable buffer with offsets. Structured-cloning thousands of small Buffers copies each
 * one's whole 8 KiB pool slab; this copies nothing.
 */
import type { RecordType } from '../../ledger/records.js';

export interface BlobColumn {
  data: Uint8Array;
  offsets: Uint32Array;
}

export interface PackedBatch {
  expectedSize: number;
  leafIndex: number[];
  leafId: string[];
  leafType: RecordType[];
  leafBytes: BlobColumn;
  leafHash: BlobColumn;
  nodeId: number[];
  nodeHash: BlobColumn;
  contentIndex: number[];
  salt: BlobColumn;
  content: BlobColumn;
  /** JSON of Omit<MessageRow, 'dedupKey' | 'recordId'>[]: one string crosses threads far faster than objects. */
  messages: string;
  dedupKey: BlobColumn;
}

export function packBlobs(blobs: readonly Uint8Array[]): BlobColumn {
  const offsets = new Uint32Array(blobs.length + 1);
  let total = 0;
  blobs.forEach((b, i) => {
    offsets[i] = total;
    total += b.length;
  });
  offsets[blobs.length] = total;
  const data = new Uint8Array(total);
  for (const [i, b] of blobs.entries()) data.set(b, offsets[i]);
  return { data, offsets };
}

/** The i-th blob as a Buffer view (no copy). */
export function blobAt(column: BlobColumn, i: number): Buffer {
  return Buffer.from(
    column.data.buffer,
    column.data.byteOffset + column.offsets[i]!,
    column.offsets[i + 1]! - column.offsets[i]!,
  );
}

export function transferList(batch: PackedBatch): ArrayBuffer[] {
  return [batch.leafBytes, batch.leafHash, batch.nodeHash, batch.salt, batch.content, batch.dedupKey].flatMap((c) => [
    c.data.buffer as ArrayBuffer,
    c.offsets.buffer as ArrayBuffer,
  ]);
}
