/** `steno import whatsapp` as a child process on a real store (STENO_TEST_DB), and on the outside corpus. */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';

const CORPUS = resolve(import.meta.dirname, '../../shared/corpus/whatsapp');

/** Two exports of one chat: the later one repeats the older messages (and identical ones) and adds more. */
const EARLY = [
  '03/02/2024, 09:15 - Messages and calls are end-to-end encrypted.',
  '03/02/2024, 09:16 - Chan Tai Man: 幫我買騰訊 100手 @ 380',
  '03/02/2024, 09:16 - Chan Tai Man: ok',
  '03/02/2024, 09:16 - Chan Tai Man: ok',
  '03/02/2024, 09:17 - RM Wong: Noted, buy 10,000 0700 at 380',
  'will confirm when done',
];
const LATER = [
  ...EARLY,
  '03/02/2024, 09:30 - Chan Tai Man: This message was deleted',
  '14/02/2024, 10:00 - Chan Tai Man: <script>alert(1)</script> sell 5 lots <This message was edited>',
];

describe(`steno import whatsapp on ${TEST_DB}`, () => {
  let backend: TestBackend;
  const steno = (...args: string[]) => runSteno(args, backend.env);
  const write = async (name: string, lines: string[]) => {
    const file = join(backend.dataDir, name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${lines.join('\r\n')}\r\n`);
    return file;
  };

  beforeAll(async () => {
    backend = await createTestBackend();
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('prints the parsed messages as JSON Lines in a dry run, and stores nothing', async () => {
    const file = await write('WhatsApp Chat with Chan Tai Man.txt', LATER);
    const result = await steno('import', 'whatsapp', file, '--tz', 'Asia/Hong_Kong', '--dry-run', '--json');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.sentAt, l.sender, l.kind, l.edited])).toEqual([
      ['2024-02-03T09:15:00+08:00', null, 'system', false],
      ['2024-02-03T09:16:00+08:00', 'Chan Tai Man', 'message', false],
      ['2024-02-03T09:16:00+08:00', 'Chan Tai Man', 'message', false],
      ['2024-02-03T09:16:00+08:00', 'Chan Tai Man', 'message', false],
      ['2024-02-03T09:17:00+08:00', 'RM Wong', 'message', false],
      ['2024-02-03T09:30:00+08:00', 'Chan Tai Man', 'delete', false],
      ['2024-02-14T10:00:00+08:00', 'Chan Tai Man', 'message', true],
    ]);
    expect(lines[4]).toMatchObject({ text: 'Noted, buy 10,000 0700 at 380\nwill confirm when done', attachments: [] });
    // Nothing was opened, let alone stored: there is no archive yet.
    expect((await steno('search', '騰訊', '--json')).stderr).toContain('no signing key');
  });

  it('stores each message once across repeated and overlapping exports, and keeps the lines as written', async () => {
    const early = await write('WhatsApp Chat with Chan Tai Man.txt', EARLY);
    const first = await steno(
      'import',
      'whatsapp',
      early,
      '--tz',
      'Asia/Hong_Kong',
      '--account',
      '+85298765432',
      '--json',
    );
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toMatchObject({
      messages: 5,
      created: 5,
      duplicates: 0,
      timeZone: 'Asia/Hong_Kong',
    });
    const later = await write('later/WhatsApp Chat with Chan Tai Man.txt', LATER);
    const second = await steno('import', 'whatsapp', later, '--tz', 'Asia/Hong_Kong', '--json');
    expect(JSON.parse(second.stdout)).toMatchObject({ messages: 7, created: 2, duplicates: 5, deleted: 1, edited: 1 });

    const hits = JSON.parse((await steno('search', 'ok', '--json')).stdout) as { content: Record<string, unknown> }[];
    expect(hits).toHaveLength(2); // two identical messages, each kept
    expect(hits[0]!.content).toMatchObject({
      platform: 'whatsapp',
      conversationId: 'whatsapp-export:Chan Tai Man',
      sender: 'Chan Tai Man',
      sentAt: '2024-02-03T09:16:00+08:00',
      account: '+85298765432',
      raw: { source: 'whatsapp-export', lines: '03/02/2024, 09:16 - Chan Tai Man: ok', timeZone: 'Asia/Hong_Kong' },
    });
    const verified = await steno('verify');
    expect(verified.code).toBe(0);
  });

  it('refuses files that are not UTF-8 WhatsApp text, or an import without a time zone, storing nothing', async () => {
    const bytes = Buffer.concat([
      Buffer.from('03/02/2024, 09:16 - A: fine\n03/02/2024, 09:17 - A: '),
      Buffer.from([0xc3, 0x28]),
    ]);
    const binary = join(backend.dataDir, 'binary.txt');
    await writeFile(binary, bytes);
    const notUtf8 = await steno('import', 'whatsapp', binary, '--tz', 'UTC');
    expect(notUtf8.code).toBe(1);
    expect(notUtf8.stderr).toContain('is not UTF-8 text: invalid byte at offset 51');

    const notChat = await write('notes.txt', ['Quarterly review', '03/02/2024, 09:16 - A: x']);
    const refused = await steno('import', 'whatsapp', notChat, '--tz', 'UTC');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('line 1 does not start with a date and time');

    const noZone = await steno('import', 'whatsapp', notChat);
    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toContain('give --tz');
    expect((await steno('import', 'whatsapp', notChat, '--tz', 'Mars/Olympus')).stderr).toContain('unknown time zone');
    expect((await steno('import', 'icq', notChat)).code).toBe(2);
    const search = await steno('search', 'fine', '--json');
    expect(JSON.parse(search.stdout)).toEqual([]);
  });
});

describe.skipIf(!existsSync(CORPUS))('WhatsApp corpus (skipped: ../shared/corpus is not beside the project)', () => {
  const dryRun = async (file: string) => {
    const result = await runSteno(['import', 'whatsapp', join(CORPUS, file), '--tz', 'UTC', '--dry-run', '--json'], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sentAt: string; sender: string | null; text: string; kind: string });
  };

  it('parses every export in the corpus', async () => {
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const messages = await dryRun(file);
      expect(messages.length, file).toBeGreaterThan(0);
      expect(messages.filter((m) => m.kind === 'message').length, file).toBeGreaterThan(0);
    }
  });

  it('reads the chatminer files as their target says, whatever the date style', async () => {
    const target = JSON.parse(await readFile(join(CORPUS, 'chatminer-target.json'), 'utf8')) as {
      timestamp: string;
      author: string;
      message: string;
    }[];
    const files = (await readdir(CORPUS)).filter((f) => f.startsWith('chatminer-test_'));
    expect(files).toHaveLength(5);
    for (const file of files) {
      const messages = (await dryRun(file)).filter((m) => m.kind === 'message');
      const found = messages.map((m) => ({
        timestamp: m.sentAt.slice(0, 19),
        author: m.sender,
        message: m.text.replace(/\s+/g, ' '),
      }));
      for (const expected of target) expect(found, file).toContainEqual(expected);
    }
  });
});
