/**
 * PostgreSQL's binary formats, for bulk writes without text escaping on our side or parsing on the server's:
 * - COPY … FROM STDIN (FORMAT binary) streams (PostgreSQL docs, "COPY — Binary Format"): an 11-byte
 *   signature, int32 flags, int32 header-extension length; per tuple an int16 field count then, per field,
 *   an int32 byte length (-1 for NULL) and the value; an int16 -1 trailer.
 * - one-dimensional arrays as bind parameters (array_recv): int32 ndim, int32 has-nulls, int32 element
 *   type OID, then per dimension int32 size and int32 lower bound, then the elements as COPY fields.
 *   pg sends a Buffer parameter in binary format, and `$1::bigint[]` makes the server decode it as one.
 * Field values: int8 is 8 bytes big-endian two's complement, text its UTF-8 bytes (pg always sets
 * client_encoding UTF8), bytea the raw bytes.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const CHUNK_BYTES = 1 << 20;
/** Values at least this large are passed through as their own chunk rather than copied. */
const PASS_THROUGH_BYTES = 64 * 1024;
const TWO_32 = 2 ** 32;

const OID = { int8: 20, bytea: 17, text: 25 } as const;

/** Fields in PostgreSQL's binary send format, appended to a list of chunks. */
class FieldWriter {
  protected readonly chunks: Buffer[] = [];
  protected buf: Buffer;
  protected pos = 0;

  constructor(initialBytes = CHUNK_BYTES) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  protected ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    this.pos = 0;
  }

  int16(value: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(value, this.pos);
    this.pos += 2;
  }

  int32(value: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(value, this.pos);
    this.pos += 4;
  }

  /** A bigint (int8) field. */
  int8(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${String(value)} is not a safe integer`);
    this.ensure(12);
    const high = Math.floor(value / TWO_32);
    this.buf.writeInt32BE(8, this.pos);
    this.buf.writeInt32BE(high, this.pos + 4);
    this.buf.writeUInt32BE(value - high * TWO_32, this.pos + 8);
    this.pos += 12;
  }

  /** A text field; null writes SQL NULL. */
  text(value: string | null): void {
    if (value === null) {
      this.null();
      return;
    }
    const length = Buffer.byteLength(value, 'utf8');
    this.ensure(4 + length);
    this.buf.writeInt32BE(length, this.pos);
    this.buf.write(value, this.pos + 4, length, 'utf8');
    this.pos += 4 + length;
  }

  /** A bytea field: the raw bytes. */
  bytea(value: Uint8Array): void {
    const length = value.byteLength;
    if (length >= PASS_THROUGH_BYTES) {
      this.int32(length);
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.chunks.push(Buffer.from(value.buffer, value.byteOffset, length));
      this.buf = this.buf.subarray(this.pos);
      this.pos = 0;
      return;
    }
    this.ensure(4 + length);
    this.buf.writeInt32BE(length, this.pos);
    this.buf.set(value, this.pos + 4);
    this.pos += 4 + length;
  }

  null(): void {
    this.int32(-1);
  }

  protected finishChunks(): Buffer[] {
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return this.chunks;
  }
}

/** Rows for COPY … FROM STDIN (FORMAT binary). */
export class BinaryCopyWriter extends FieldWriter {
  constructor() {
    super();
    COPY_SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, 11); // flags: no OIDs
    this.buf.writeInt32BE(0, 15); // no header extension
    this.pos = 19;
  }

  tuple(fields: number): void {
    this.int16(fields);
  }

  /** Appends the trailer and returns the whole stream; the writer must not be used afterwards. */
  finish(): Buffer[] {
    this.int16(-1);
    return this.finishChunks();
  }
}

/** Runs `COPY <target> FROM STDIN (FORMAT binary)` on client with the writer's rows. */
export async function copyBinary(client: PoolClient, target: string, data: BinaryCopyWriter): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN (FORMAT binary)`));
  await pipeline(Readable.from(data.finish(), { objectMode: false }), stream);
}

function array<T>(
  oid: number,
  values: readonly T[],
  estimate: number,
  write: (w: FieldWriter, value: T) => void,
): Buffer {
  const w = new ArrayWriter(Math.min(CHUNK_BYTES, 20 + estimate));
  const hasNull = values.some((v) => v === null);
  if (values.length === 0) {
    w.int32(0);
    w.int32(0);
    w.int32(oid);
  } else {
    w.int32(1);
    w.int32(hasNull ? 1 : 0);
    w.int32(oid);
    w.int32(values.length);
    w.int32(1);
  }
  for (const v of values) write(w, v);
  return w.done();
}

class ArrayWriter extends FieldWriter {
  done(): Buffer {
    const chunks = this.finishChunks();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }
}

/** A bigint[] bind parameter (cast it: `$1::bigint[]`). */
export function int8Array(values: readonly number[]): Buffer {
  return array(OID.int8, values, values.length * 12, (w, v) => w.int8(v));
}

/** A text[] bind parameter; nulls allowed (cast it: `$1::text[]`). */
export function textArray(values: readonly (string | null)[]): Buffer {
  let estimate = 0;
  for (const v of values) estimate += 4 + (v === null ? 0 : v.length * 3);
  return array(OID.text, values, estimate, (w, v) => w.text(v));
}

/** A bytea[] bind parameter (cast it: `$1::bytea[]`). */
export function byteaArray(values: readonly Uint8Array[]): Buffer {
  let estimate = 0;
  for (const v of values) estimate += 4 + v.byteLength;
  return array(OID.bytea, values, estimate, (w, v) => w.bytea(v));
}
