/** Reading JSON Lines: message files for `steno ingest`, messages on stdin for `steno orders extract`. */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { type Line, MAX_LINE_CHARS } from '../capture/checking/lines.js';

/**
 * Lines of a file (or a stream), never holding more than MAX_LINE_CHARS of one line in memory: a longer line is
 * delivered cut short with `tooLong` set (and the rest skipped), so a file without newlines cannot
 * exhaust memory. Lines may end in \n or \r\n.
 */
export async function* readLines(
  source: string | AsyncIterable<Buffer>,
  maxLineChars = MAX_LINE_CHARS,
): AsyncGenerator<Line> {
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
  const chunks = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1024 * 1024 }) : source;
  for await (const chunk of chunks) {
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
