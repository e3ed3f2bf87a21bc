import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileBytes, firstInvalidUtf8, readTextLines } from './text-lines.js';

describe('text export lines', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steno-lines-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const lines = async (bytes: Buffer) => {
    const file = join(dir, 'chat.txt');
    await writeFile(file, bytes);
    const out: string[] = [];
    for await (const line of readTextLines(fileBytes(file), 'chat.txt')) out.push(line.text);
    return out;
  };

  it('drops a byte-order mark, reads CRLF and LF, and keeps characters cut by a chunk boundary whole', async () => {
    expect(await lines(Buffer.from('\ufeffa\r\nb\nc'))).toEqual(['a', 'b', 'c']);
    // A four-byte character straddling the 1 MiB read boundary.
    const before = 'x'.repeat(1024 * 1024 - 2);
    expect(await lines(Buffer.from(`${before}😀\n騰訊\n`))).toEqual([`${before}😀`, '騰訊']);
  });

  it('refuses bytes that are not UTF-8, giving the offset of the first bad one', async () => {
    const bad = Buffer.concat([Buffer.from('12/01/24, 10:00 - A: ok\n'), Buffer.from([0x61, 0xff, 0x62])]);
    await expect(lines(bad)).rejects.toThrow('chat.txt is not UTF-8 text: invalid byte at offset 25');
    await expect(lines(Buffer.from([0x61, 0xe2, 0x82]))).rejects.toThrow(/ends inside a character at offset 1/);
  });

  it('finds the first invalid sequence exactly where the standard decoder would stop', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const at = firstInvalidUtf8(bytes);
        const valid = (b: Uint8Array) => {
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(b);
            return true;
          } catch {
            return false;
          }
        };
        if (at === -1) expect(valid(bytes)).toBe(true);
        else {
          expect(valid(bytes.subarray(0, at))).toBe(true);
          expect(valid(bytes.subarray(0, bytes.length))).toBe(false);
        }
      }),
    );
  });
});
