/** `steno import telegram` as a child process on a real store (STENO_TEST_DB), and on the outside corpus. */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/hash.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { jsonLines, runSteno } from './support/cli.js';

const CORPUS = resolve(import.meta.dirname, '../../shared/corpus/telegram');

/** A full export: two chats, text as a string and as entities, an edit, a reply, a forward, a photo. */
function fullExport(overrides: { photo?: string } = {}) {
  return {
    about: 'Here is the data you requested.',
    chats: {
      about: 'This page lists all chats from this export.',
      list: [
        {
          name: 'HK Equities Desk',
          type: 'private_group',
          id: 4242,
          messages: [
            {
              id: 1,
              type: 'service',
              date: '2024-02-03T09:00:00',
              date_unixtime: '1706922000',
              actor: 'RM Wong',
              actor_id: 'user7',
              action: 'create_group',
              title: 'HK Equities Desk',
              text: '',
            },
            {
              id: 2,
              type: 'message',
              date: '2024-02-03T09:16:00',
              date_unixtime: '1706922960',
              from: 'Chan Tai Man',
              from_id: 'user100',
              text: '幫我買騰訊 100手 @ 380',
              text_entities: [],
            },
            {
              id: 3,
              type: 'message',
              date_unixtime: '1706923020',
              from: 'RM Wong',
              from_id: 'user7',
              reply_to_message_id: 2,
              text: [{ type: 'bold', text: 'Noted:' }, ' buy 10,000 0700 @ 380'],
            },
            {
              id: 4,
              type: 'message',
              date_unixtime: '1706923080',
              edited: '2024-02-03T09:19:00',
              edited_unixtime: '1706923140',
              from: 'Chan Tai Man',
              from_id: 'user100',
              text: 'make it 200手',
            },
            {
              id: 5,
              type: 'message',
              date_unixtime: '1706923200',
              from: 'Chan Tai Man',
              from_id: 'user100',
              photo: overrides.photo ?? 'photos/photo_1@03-02-2024_09-20-00.jpg',
              text: 'statement',
            },
          ],
        },
        {
          name: 'Client Lee',
          type: 'personal_chat',
          id: 777,
          messages: [
            {
              id: 9,
              type: 'message',
              date_unixtime: '1706923300',
              from: 'Client Lee',
              from_id: 'user777',
              forwarded_from: 'Broker X',
              file: 'files/note.pdf',
              file_name: 'note.pdf',
              mime_type: 'application/pdf',
              text: '',
            },
          ],
        },
      ],
    },
  };
}

describe(`steno import telegram on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let dir: string;
  const steno = (...args: string[]) => runSteno(args, backend.env);
  const photo = Buffer.from('a photo of a statement');

  beforeAll(async () => {
    backend = await createTestBackend();
    dir = join(backend.dataDir, 'Telegram Desktop', 'DataExport_2024-02-03');
    await mkdir(join(dir, 'photos'), { recursive: true });
    await writeFile(join(dir, 'photos', 'photo_1@03-02-2024_09-20-00.jpg'), photo);
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('reads a full export: both chats, entity text, edits, service messages, and the files beside the JSON', async () => {
    const file = join(dir, 'result.json');
    await writeFile(file, JSON.stringify(fullExport(), null, 1));
    const dry = await steno('import', 'telegram', file, '--tz', 'Asia/Hong_Kong', '--dry-run', '--json');
    expect(dry.stderr).toBe('');
    const lines = jsonLines<Record<string, unknown>>(dry.stdout);
    expect(lines.map((l) => [l.sentAt, l.sender, l.kind, l.text, l.edited])).toEqual([
      ['2024-02-03T09:00:00+08:00', 'RM Wong', 'system', 'create_group HK Equities Desk', false],
      ['2024-02-03T09:16:00+08:00', 'Chan Tai Man', 'message', '幫我買騰訊 100手 @ 380', false],
      ['2024-02-03T09:17:00+08:00', 'RM Wong', 'message', 'Noted: buy 10,000 0700 @ 380', false],
      ['2024-02-03T09:18:00+08:00', 'Chan Tai Man', 'message', 'make it 200手', true],
      ['2024-02-03T09:20:00+08:00', 'Chan Tai Man', 'message', 'statement', false],
      ['2024-02-03T09:21:40+08:00', 'Client Lee', 'message', '', false],
    ]);
    expect(lines[5]!.attachments).toEqual([{ filename: 'note.pdf' }]);

    const stored = await steno('import', 'telegram', file, '--json');
    expect(stored.stderr).toBe('');
    expect(JSON.parse(stored.stdout)).toMatchObject({
      messages: 6,
      created: 6,
      attachmentsNamed: 2,
      attachmentFiles: 1, // note.pdf was left out of the export
      conversations: ['telegram:4242', 'telegram:777'],
    });
    const again = await steno('import', 'telegram', file, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, duplicates: 6 });

    const hits = JSON.parse((await steno('search', 'statement', '--json')).stdout) as {
      content: Record<string, unknown>;
    }[];
    expect(hits).toHaveLength(1);
    expect(hits[0]!.content).toMatchObject({
      platform: 'telegram',
      conversationId: 'telegram:4242',
      conversationTitle: 'HK Equities Desk',
      sender: 'user100',
      senderName: 'Chan Tai Man',
      platformMessageId: '5',
      attachments: [
        {
          filename: 'photo_1@03-02-2024_09-20-00.jpg',
          contentType: 'image/jpeg',
          sha256: sha256Hex(photo),
          size: photo.length,
        },
      ],
      raw: { source: 'telegram-export', chat: { id: '4242', name: 'HK Equities Desk' }, message: { id: 5 } },
    });
    const reply = JSON.parse((await steno('search', 'Noted', '--json')).stdout) as {
      content: { raw: { message: Record<string, unknown> } };
    }[];
    expect(reply[0]!.content.raw.message.reply_to_message_id).toBe(2);
    expect((await steno('verify')).code).toBe(0);
  });

  it('reads the \\xNN escapes some exports hold', async () => {
    const file = join(dir, 'escapes.json');
    await writeFile(
      file,
      '{"name":"Esc","id":5150,"messages":[{"id":1,"type":"message","date_unixtime":"1706923300","from":"A","from_id":"user1","text":"line\\x0Anext"}]}',
    );
    const dry = await steno('import', 'telegram', file, '--dry-run', '--json');
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout)).toMatchObject({ text: 'line\nnext' });
  });

  it('refuses truncated JSON, JSON that is not an export, and media paths that leave the folder, storing nothing', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'truncated.json',
        JSON.stringify(fullExport()).slice(0, 500),
        /not valid JSON: the document is truncated at character 500/,
      ],
      ['other.json', JSON.stringify({ orders: [{ id: 1 }] }), /not a Telegram Desktop export/],
      ['escape.json', JSON.stringify(fullExport({ photo: '../../../../etc/passwd' })), /leaves the export's folder/],
      ['absolute.json', JSON.stringify(fullExport({ photo: '/etc/passwd' })), /leaves the export's folder/],
    ];
    await symlink('/etc/hostname', join(dir, 'photos', 'link.jpg'));
    cases.push(['symlink.json', JSON.stringify(fullExport({ photo: 'photos/link.jpg' })), /is a symbolic link/]);
    for (const [name, text, message] of cases) {
      const file = join(dir, name);
      await writeFile(file, text.replace('statement', `planted-${name.replace('.json', '')}`));
      const result = await steno('import', 'telegram', file);
      expect(result.stderr, name).toMatch(message);
      expect(result.code, name).toBe(1);
    }
    expect(JSON.parse((await steno('search', 'planted', '--json')).stdout)).toEqual([]);
  });
});

describe.skipIf(!existsSync(CORPUS))('Telegram corpus (skipped: ../shared/corpus is not beside the project)', () => {
  const dryRun = async (file: string) => {
    const result = await runSteno(['import', 'telegram', join(CORPUS, file), '--tz', 'UTC', '--dry-run', '--json'], {});
    expect(result.stderr, file).toBe('');
    expect(result.code, file).toBe(0);
    return jsonLines<{ sentAt: string; sender: string | null; text: string; kind: string }>(result.stdout);
  };

  it('parses every export in the corpus', async () => {
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.json') && !f.includes('target'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect((await dryRun(file)).length, file).toBeGreaterThan(0);
  });

  it('reads the chatminer exports, single and full, as their target says', async () => {
    const target = JSON.parse(await readFile(join(CORPUS, 'chatminer-target.json'), 'utf8')) as {
      timestamp: string;
      author: string;
      message: string;
    }[];
    // chat-miner joins text entities with spaces; Telegram shows them end to end.
    const squeeze = (text: string) => text.replace(/\s+/g, '');
    for (const file of ['chatminer-test_single_export.json', 'chatminer-test_batch_export.json']) {
      const found = (await dryRun(file)).map((m) => ({
        timestamp: m.sentAt.slice(0, 19),
        author: m.sender,
        message: squeeze(m.text),
      }));
      for (const t of target) expect(found, file).toContainEqual({ ...t, message: squeeze(t.message) });
    }
  });
});
