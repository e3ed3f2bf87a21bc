import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLines, type Line } from '../capture/checking/lines.js';
import { readLines } from './jsonl.js';

describe('reading JSON Lines', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steno-jsonl-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const read = async (content: string, max?: number) => {
    const path = join(dir, `f${Math.random()}.jsonl`);
    await writeFile(path, content);
    const out: Line[] = [];
    for await (const line of readLines(path, max)) out.push(line);
    return out;
  };

  it('numbers lines from 1, skips blank ones, and accepts CRLF and a missing final newline', async () => {
    expect(await read('a\r\n\n  \nb\nc')).toEqual([
      { number: 1, text: 'a' },
      { number: 4, text: 'b' },
      { number: 5, text: 'c' },
    ]);
  });

  it('never keeps more than the limit of one line, and says which line was too long', async () => {
    const lines = await read(`ok\n${'x'.repeat(5000)}\nfine\n${'y'.repeat(5000)}`, 100);
    expect(lines.map((l) => [l.number, l.tooLong === true, l.text.length <= 5000])).toEqual([
      [1, false, true],
      [2, true, true],
      [3, false, true],
      [4, true, true],
    ]);
    const checked = checkLines(lines, { maxAttachmentBytes: 1024 });
    expect(checked.bad).toEqual([1, 2, 3, 4]);
    expect(checked.problems.map((p) => p.where)).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    expect(checked.problems[1]!.message).toMatch(/^longer than/);
  });
});
