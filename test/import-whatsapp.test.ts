/** `steno import whatsapp` as a child process on a real store (STENO_TEST_DB), and on the outside corpus. */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/hash.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { jsonLines, runSteno } from './support/cli.js';
import { makeZip } from './support/zip.js';

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
    const lines = jsonLines<Record<string, unknown>>(result.stdout);
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

    // The import itself is a ledger record, and every message it stored names it.
    const summary = JSON.parse(first.stdout) as { importId: string; importLedgerIndex: number; sha256: string };
    expect(summary.sha256).toBe(sha256Hex(await readFile(early)));
    expect(summary.importLedgerIndex).toBe(5);
    const hits = JSON.parse((await steno('search', 'ok', '--json')).stdout) as { content: Record<string, unknown> }[];
    expect(hits).toHaveLength(2); // two identical messages, each kept
    expect(hits[0]!.content).toMatchObject({
      platform: 'whatsapp',
      conversationId: 'whatsapp-export:Chan Tai Man',
      sender: 'Chan Tai Man',
      sentAt: '2024-02-03T09:16:00+08:00',
      account: '+85298765432',
      raw: {
        source: 'whatsapp-export',
        import: summary.importId,
        lines: '03/02/2024, 09:16 - Chan Tai Man: ok',
        timeZone: 'Asia/Hong_Kong',
      },
    });
    // 7 messages, 2 import records and the search's access record, all verified.
    const verified = await steno('verify');
    expect(verified.stdout).toContain('OK: 10 record(s)');
    expect(verified.code).toBe(0);
  });

  it('skips a message the archive cannot take, saying why, and stores the rest', async () => {
    const file = await write('WhatsApp Chat with Long Talker.txt', [
      '05/02/2024, 10:00 - Long Talker: short and fine',
      `05/02/2024, 10:01 - Long Talker: ${'x'.repeat(300_000)}`,
      '05/02/2024, 10:02 - Long Talker: also fine',
    ]);
    const result = await steno('import', 'whatsapp', file, '--tz', 'UTC', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ messages: 3, created: 2, skipped: 1 });
    expect(result.stderr).toContain('skipped 1 message(s)');
    expect(result.stderr).toContain('line 2.text: must be at most 262144 characters');
  });

  it('imports the zip with media, storing each attached file as an attachment of its message', async () => {
    const photo = Buffer.from('\xff\xd8 a photo of a contract note', 'latin1');
    const zip = join(backend.dataDir, 'WhatsApp Chat - Client Lee.zip');
    await writeFile(
      zip,
      makeZip([
        {
          name: '_chat.txt',
          data: [
            '[3/27/22, 21:41:35] Client Lee: Sell 500 0700 @ 380',
            '\u200e[3/27/22, 21:41:55] Client Lee: \u200e<attached: 00000035-PHOTO-2022-03-27-21-41-55.jpg>',
            '\u200e[3/27/22, 21:42:10] Client Lee: \u200e<attached: 00000036-PHOTO-missing.jpg>',
          ].join('\r\n'),
        },
        { name: '00000035-PHOTO-2022-03-27-21-41-55.jpg', data: photo, store: true },
      ]),
    );
    const result = await steno('import', 'whatsapp', zip, '--tz', 'Asia/Hong_Kong', '--json');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({
      messages: 3,
      created: 3,
      attachmentsNamed: 2,
      attachmentFiles: 1,
    });
    const hits = JSON.parse(
      (await steno('search', 'photo', '--conversation', 'whatsapp-export:Client Lee', '--json')).stdout,
    ) as {
      content: { attachments?: { filename: string; sha256: string; size: number; contentType: string }[] };
    }[];
    const attached = hits.flatMap((h) => h.content.attachments ?? []);
    expect(attached).toEqual([
      {
        filename: '00000035-PHOTO-2022-03-27-21-41-55.jpg',
        contentType: 'image/jpeg',
        sha256: sha256Hex(photo),
        size: photo.length,
      },
    ]);
    const digest = sha256Hex(photo);
    expect(await readFile(join(backend.dataDir, 'blobs', digest.slice(0, 2), digest))).toEqual(photo);
  });

  it('refuses hostile zips before inflating anything, and stores nothing from them', async () => {
    const chat = { name: '_chat.txt', data: '[3/27/22, 21:41:35] Mallory: planted' };
    const cases: [string, Buffer, RegExp][] = [
      ['traversal', makeZip([chat, { name: '../../etc/cron.d/x', data: 'x' }]), /absolute path or \.\./],
      ['absolute', makeZip([chat, { name: '/etc/passwd', data: 'x' }]), /absolute path or \.\./],
      ['symlink', makeZip([chat, { name: 'link.jpg', data: '/etc/passwd', mode: 0o120777 }]), /is a symbolic link/],
      ['bomb', makeZip([chat, { name: 'zeros.jpg', data: Buffer.alloc(50 * 1024 * 1024) }]), /zip bomb/],
      ['no chat', makeZip([{ name: 'photo.jpg', data: 'x' }]), /holds no chat text/],
      ['truncated', makeZip([chat]).subarray(0, 40), /not a readable zip file/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = join(backend.dataDir, `hostile-${name.replace(' ', '-')}.zip`);
      await writeFile(file, bytes);
      const result = await steno('import', 'whatsapp', file, '--tz', 'UTC');
      expect(result.stderr, name).toMatch(message);
      expect(result.code, name).toBe(1);
    }
    expect(JSON.parse((await steno('search', 'planted', '--json')).stdout)).toEqual([]);
  });

  it('refuses files that are not UTF-8 WhatsApp text, or an import without a time zone, storing nothing', async () => {
    const bytes = Buffer.concat([
      Buffer.from('03/02/2024, 09:16 - A: unstored\n03/02/2024, 09:17 - A: '),
      Buffer.from([0xc3, 0x28]),
    ]);
    const binary = join(backend.dataDir, 'binary.txt');
    await writeFile(binary, bytes);
    const notUtf8 = await steno('import', 'whatsapp', binary, '--tz', 'UTC');
    expect(notUtf8.code).toBe(1);
    expect(notUtf8.stderr).toContain('is not UTF-8 text: invalid byte at offset 55');

    const notChat = await write('notes.txt', ['Quarterly review', '03/02/2024, 09:16 - A: x']);
    const refused = await steno('import', 'whatsapp', notChat, '--tz', 'UTC');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('line 1 does not start with a date and time');

    const noZone = await steno('import', 'whatsapp', notChat);
    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toContain('give --tz');
    expect((await steno('import', 'whatsapp', notChat, '--tz', 'Mars/Olympus')).stderr).toContain('unknown time zone');
    expect((await steno('import', 'icq', notChat)).code).toBe(2);
    const search = await steno('search', 'unstored', '--json');
    expect(JSON.parse(search.stdout)).toEqual([]);
  });
});

describe.skipIf(!existsSync(CORPUS))('WhatsApp corpus (skipped: ../shared/corpus is not beside the project)', () => {
  const dryRun = async (file: string) => {
    const result = await runSteno(['import', 'whatsapp', join(CORPUS, file), '--tz', 'UTC', '--dry-run', '--json'], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return jsonLines<{ sentAt: string; sender: string | null; text: string; kind: string }>(result.stdout);
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
