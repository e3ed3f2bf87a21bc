import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unzipEntries } from '../../test/support/unzip.js';
import { zipFolder, zipPlan } from './zip.js';

describe('zipFolder', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('stores every file of a folder, nested and with UTF-8 names, byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steno-zip-'));
    dirs.push(dir);
    const files: Record<string, Buffer> = {
      'manifest.json': Buffer.from('{"format":"steno-evidence/1"}\n'),
      'attachments/騰訊.bin': Buffer.from([0, 1, 2, 255, 254]),
      'attachments/empty': Buffer.alloc(0),
      'records.jsonl': Buffer.from('x'.repeat(100_000)),
    };
    await mkdir(join(dir, 'attachments'));
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    const plan = await zipPlan(dir);
    const chunks: Buffer[] = [];
    for await (const chunk of zipFolder(plan, new Date('2026-11-21T10:20:30Z'))) chunks.push(chunk);
    const zip = Buffer.concat(chunks);
    expect(zip.length).toBe(plan.bytes);
    const read = await unzipEntries(zip);
    expect([...read.keys()].sort()).toEqual(Object.keys(files).sort());
    for (const [name, bytes] of Object.entries(files)) expect(read.get(name)).toEqual(bytes);
  });

  it('makes an empty archive of an empty folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steno-zip-'));
    dirs.push(dir);
    const plan = await zipPlan(dir);
    const chunks: Buffer[] = [];
    for await (const chunk of zipFolder(plan)) chunks.push(chunk);
    expect(Buffer.concat(chunks).length).toBe(22);
    expect((await unzipEntries(Buffer.concat(chunks))).size).toBe(0);
  });
});
