/**
 * Many small blobs packed into one buffer with offsets, to cross between threads. Structured-cloning a
 * small Buffer copies its whole 8 KiB pool slab; a packed column is handed over (transferred) instead.
 */
export interface BlobColumn {
  data: Uint8Array;
  offsets: Uint32Array;
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

/** The buffers to list for transfer (rather than copy) when posting columns to another thread. */
export function blobColumnBuffers(...columns: BlobColumn[]): ArrayBuffer[] {
  return columns.flatMap((c) => [c.data.buffer as ArrayBuffer, c.offsets.buffer as ArrayBuffer]);
}
