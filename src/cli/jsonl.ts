/** Reading and checking JSON Lines message files for `steno ingest`. */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { type PreparedMessage, prepareMessage } from '../capture/ingest.js';
import { validateMessage } from '../capture/model.js';
import type { Problem } from '../core/errors.js';

/** One line may hold a message with inline attachments, but not without bound. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

export interface Line {
  number: number;
  text: string;
  /** Longer than MAX_LINE_CHARS: refused without being kept whole. */
  tooLong?: boolean;
}

/**
 * Lines of a file, never holding more than MAX_LINE_CHARS of one line in memory: a longer line is
 * delivered cut short with `tooLong` set (and the rest skipped), so a file without newlines cannot
 * exhaust memory. Lines may end in \n or \r\n.
 */
export async function* readLines(path: string, maxLineChars = MAX_LINE_CHARS): AsyncGenerator<Line> {
  const decoder = new StringDecoder('utf8');
  let number = 0;
  let pending = '';
  let tooLong = false;
  const emit = function* (text: string, overlong: boolean): Generator<Line> {
    number++;
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (overlong) yield { number, text: line, tooLong: true };
    else if (line.trim() !== '') yield { number, text: line };
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const text = pending + decoder.write(chunk as Buffer);
    pending = '';
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      yield* emit(text.slice(start, nl), tooLong || nl - start > maxLineChars);
      tooLong = false;
      start = nl + 1;
    }
    if (tooLong) continue;
    if (text.length - start > maxLineChars) {
      tooLong = true;
      pending = '';
    } else {
      pending = text.slice(start);
    }
  }
  const rest = pending + decoder.end();
  if (rest !== '' || tooLong) yield* emit(rest, tooLong);
}

export interface CheckedLine {
  number: number;
  /** Validated, normalised and prepared for the ledger: all that is left is to append it. */
  message: PreparedMessage;
}

export interface CheckedLines {
  valid: CheckedLine[];
  bad: number[];
  problems: Problem[];
}

/**
 * Checked lines as `steno ingest` holds them between its passes: the valid lines' messages are built
 * on demand, so that a batch kept waiting stays compact (and short-lived objects stay short-lived).
 */
export interface CheckedBatch {
  /** Line numbers of the valid lines, in file order. */
  validNumbers: readonly number[];
  /** The i-th valid line's message. */
  message(i: number): PreparedMessage;
  /** About how much memory the batch holds. */
  bytes: number;
  bad: number[];
  problems: Problem[];
}

/** About what a prepared message holds in memory beyond its strings and blobs. */
const PREPARED_OVERHEAD_BYTES = 512;

function preparedSize(m: PreparedMessage): number {
  let bytes =
    PREPARED_OVERHEAD_BYTES + m.record.contentBytes.length + m.record.bytes.length + m.row.searchText.length * 2;
  for (const [, blob] of m.inlineBlobs) bytes += blob.length;
  return bytes;
}

export function checkedBatch(lines: CheckedLines): CheckedBatch {
  return {
    validNumbers: lines.valid.map((v) => v.number),
    message: (i) => lines.valid[i]!.message,
    bytes: lines.valid.reduce((n, v) => n + preparedSize(v.message), 0),
    bad: lines.bad,
    problems: lines.problems,
  };
}

/** Parses, validates and prepares lines; pure, so it runs the same in-process or in a worker thread. */
export function checkLines(lines: readonly Line[], options: { maxAttachmentBytes: number }): CheckedLines {
  const batch: CheckedLines = { valid: [], bad: [], problems: [] };
  const capturedAt = new Date().toISOString();
  for (const line of lines) {
    const where = `line ${line.number}`;
    if (line.tooLong === true || line.text.length > MAX_LINE_CHARS) {
      batch.bad.push(line.number);
      batch.problems.push({ where, message: `longer than ${MAX_LINE_CHARS} characters` });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      batch.bad.push(line.number);
      batch.problems.push({ where, message: `not valid JSON: ${(error as Error).message}` });
      continue;
    }
    const result = validateMessage(value, where, { maxAttachmentBytes: options.maxAttachmentBytes });
    if (result.ok) {
      batch.valid.push({ number: line.number, message: prepareMessage(result.message, capturedAt) });
    } else {
      batch.bad.push(line.number);
      batch.problems.push(...result.problems);
    }
  }
  return batch;
}
