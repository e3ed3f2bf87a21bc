/** Reading and checking JSON Lines message files for `steno ingest`. */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
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
  /** RFC 8785 bytes of the validated, normalised content. */
  contentBytes: Buffer;
  inlineBlobs: [string, Buffer][];
}

export interface CheckedBatch {
  valid: CheckedLine[];
  bad: number[];
  problems: Problem[];
}

/** Parses and validates lines; pure, so it runs the same in-process or in a worker thread. */
export function checkLines(lines: readonly Line[], options: { maxAttachmentBytes: number }): CheckedBatch {
  const batch: CheckedBatch = { valid: [], bad: [], problems: [] };
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
      batch.valid.push({
        number: line.number,
        contentBytes: result.message.contentBytes,
        inlineBlobs: [...result.message.inlineBlobs],
      });
    } else {
      batch.bad.push(line.number);
      batch.problems.push(...result.problems);
    }
  }
  return batch;
}
