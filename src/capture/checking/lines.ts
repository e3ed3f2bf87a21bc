/**
 * Checking messages given as JSON text, a line each: parse, validate, canonicalise and prepare them
 * for the ledger. Pure, so it runs the same in-process or on worker threads (pool.ts).
 */
import type { Problem } from '../../core/errors.js';
import { type PreparedMessage, prepareMessage } from '../ingest.js';
import { validateMessage } from '../model.js';

/** One line may hold a message with inline attachments, but not without bound. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

export interface Line {
  number: number;
  text: string;
  /** Longer than MAX_LINE_CHARS: refused without being kept whole. */
  tooLong?: boolean;
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
    checkValue(batch, line.number, where, value, capturedAt, options);
  }
  return batch;
}

/**
 * Validates and prepares a live delivery, given as the JSON text of its array of messages (one string
 * crosses to a worker thread far cheaper than many objects); problems name items `[i]`.
 */
export function checkDelivery(json: string, options: { maxAttachmentBytes: number }): CheckedLines {
  const batch: CheckedLines = { valid: [], bad: [], problems: [] };
  const capturedAt = new Date().toISOString();
  const items = JSON.parse(json) as unknown;
  if (!Array.isArray(items)) throw new TypeError('a delivery is an array of messages');
  for (const [i, item] of items.entries()) checkValue(batch, i, `[${i}]`, item, capturedAt, options);
  return batch;
}

function checkValue(
  batch: CheckedLines,
  number: number,
  where: string,
  value: unknown,
  capturedAt: string,
  options: { maxAttachmentBytes: number },
): void {
  const result = validateMessage(value, where, { maxAttachmentBytes: options.maxAttachmentBytes });
  if (result.ok) {
    batch.valid.push({ number, message: prepareMessage(result.message, capturedAt) });
  } else {
    batch.bad.push(number);
    batch.problems.push(...result.problems);
  }
}
