/** Reading and checking JSON Lines message files for `steno ingest`. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { validateMessage } from '../capture/model.js';
import type { Problem } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';

/** One line may hold a message with inline attachments, but not without bound. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

export interface Line {
  number: number;
  text: string;
}

export async function* readLines(path: string): AsyncGenerator<Line> {
  const rl = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let number = 0;
  for await (const text of rl) {
    number++;
    if (text.trim() === '') continue;
    yield { number, text };
  }
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
    if (line.text.length > MAX_LINE_CHARS) {
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
    const result = validateMessage(value, where, {
      hashBytes: sha256Hex,
      maxAttachmentBytes: options.maxAttachmentBytes,
    });
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
