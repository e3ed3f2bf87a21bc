/**
 * Lines of a text export, streamed: never more than one chunk and one line in memory. Bytes must be
 * UTF-8; the first invalid sequence stops the read with its byte offset. A byte-order mark is dropped,
 * and lines may end in \n or \r\n.
 */

import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { StenoError } from '../../core/errors.js';

export interface TextLine {
  /** 1-based. */
  number: number;
  text: string;
}

/** Longest line kept whole; a longer one is refused (a text export has no reason for it). */
export const MAX_TEXT_LINE_CHARS = 1024 * 1024;

/** Offset of the first byte that does not begin or continue a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i; // cut short at the end
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Where an export's bytes come from: a file, or an entry of a zip. Opened anew for each pass. */
export type ByteSource = () => Promise<AsyncIterable<Buffer>>;

export const fileBytes =
  (path: string): ByteSource =>
  async () =>
    createReadStream(path, { highWaterMark: 1024 * 1024 });

/** Decoded text of a UTF-8 source, in pieces; a byte-order mark is dropped, invalid bytes refused. */
export async function* readTextChunks(source: ByteSource, what: string): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let offset = 0;
  let carry = Buffer.alloc(0);
  let first = true;
  for await (const chunk of await source()) {
    // Check whole sequences only: up to three bytes of a sequence cut by the chunk wait for the next.
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const cut = completeLength(bytes);
    const whole = bytes.subarray(0, cut);
    if (!isUtf8(whole)) {
      throw new StenoError(
        'invalid_input',
        `${what} is not UTF-8 text: invalid byte at offset ${offset + firstInvalidUtf8(whole)}`,
      );
    }
    offset += cut;
    carry = Buffer.from(bytes.subarray(cut));
    let text = decoder.write(whole);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  if (carry.length > 0) {
    throw new StenoError('invalid_input', `${what} is not UTF-8 text: it ends inside a character at offset ${offset}`);
  }
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

export async function* readTextLines(source: ByteSource, what: string): AsyncGenerator<TextLine> {
  let pending = '';
  let number = 0;
  for await (const piece of readTextChunks(source, what)) {
    const text = pending + piece;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      number++;
      yield { number, text: endLine(text.slice(start, nl), number, what) };
      start = nl + 1;
    }
    pending = text.slice(start);
    if (pending.length > MAX_TEXT_LINE_CHARS) {
      throw new StenoError(
        'invalid_input',
        `${what}: line ${number + 1} is longer than ${MAX_TEXT_LINE_CHARS} characters`,
      );
    }
  }
  if (pending !== '') yield { number: number + 1, text: endLine(pending, number + 1, what) };
}

function endLine(line: string, number: number, what: string): string {
  if (line.length > MAX_TEXT_LINE_CHARS) {
    throw new StenoError('invalid_input', `${what}: line ${number} is longer than ${MAX_TEXT_LINE_CHARS} characters`);
  }
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** How many leading bytes end on a character boundary (an incomplete last sequence is left out). */
function completeLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation: look further back
    const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return size > back ? n - back : n;
  }
  return n;
}
