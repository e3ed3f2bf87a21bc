/** `steno import slack` as a child process on a real store (STENO_TEST_DB), and on the outside corpus. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/hash.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { jsonLines, runSteno } from './support/cli.js';
import { makeZip, type ZipEntry } from './support/zip.js';

const CORPUS = resolve(import.meta.dirname, '../../shared/corpus/slack');
const json = (value: unknown) => JSON.stringify(value, null, 1);

const USERS = [
  {
    id: 'U100',
    name: 'chan',
    real_name: 'Chan Tai Man',
    profile: { display_name: 'Chan TM', real_name: 'Chan Tai Man' },
  },
  { id: 'U200', name: 'wong', real_name: 'RM Wong', profile: { display_name: '', real_name: 'RM Wong' } },
  { id: 'U300', name: 'lee', real_name: 'Client Lee', profile: { display_name: 'Lee' } },
];
const PDF = Buffer.from('%PDF-1.7 a trade confirmation');

function workspace(extra: ZipEntry[] = []): Buffer {
  return makeZip([
    { name: 'users.json', data: json(USERS) },
    { name: 'channels.json', data: json([{ id: 'C1', name: 'hk-equities', members: ['U100', 'U200'] }]) },
    { name: 'groups.json', data: json([{ id: 'G1', name: 'compliance-only', members: ['U200'] }]) },
    {
      name: 'mpims.json',
      data: json([{ id: 'G2', name: 'mpdm-chan--wong--lee-1', members: ['U100', 'U200', 'U300'] }]),
    },
    { name: 'dms.json', data: json([{ id: 'D1', members: ['U200', 'U300'] }]) },
    {
      name: 'hk-equities/2024-02-03.json',
      data: json([
        {
          type: 'message',
          subtype: 'channel_join',
          user: 'U100',
          text: '<@U100> has joined the channel',
          ts: '1706922000.000100',
        },
        {
          type: 'message',
          user: 'U100',
          text: 'Buy 2000 HSBC at market',
          ts: '1706922960.000200',
          thread_ts: '1706922960.000200',
          reply_count: 1,
        },
        {
          type: 'message',
          user: 'U200',
          text: 'Noted: buy 2,000 0005',
          ts: '1706923020.000300',
          thread_ts: '1706922960.000200',
          parent_user_id: 'U100',
        },
        {
          type: 'message',
          user: 'U100',
          text: 'make it 3000',
          ts: '1706923080.000400',
          edited: { user: 'U100', ts: '1706923140.000000' },
        },
        {
          type: 'message',
          subtype: 'bot_message',
          bot_id: 'B1',
          username: 'OMS',
          text: 'Order 881 filled',
          ts: '1706923200.000500',
        },
        {
          type: 'message',
          subtype: 'tombstone',
          user: 'USLACKBOT',
          text: 'This message was deleted.',
          ts: '1706923300.000600',
        },
      ]),
    },
    {
      name: 'D1/2024-02-03.json',
      data: json([
        {
          type: 'message',
          user: 'U300',
          text: 'confirmation attached',
          ts: '1706923400.000700',
          files: [
            { id: 'F1', name: 'confirm.pdf', mimetype: 'application/pdf' },
            { id: 'F2', name: 'missing.png' },
          ],
        },
      ]),
    },
    {
      name: 'mpdm-chan--wong--lee-1/2024-02-04.json',
      data: json([{ type: 'message', user: 'U300', text: 'sell 5 lots 0700', ts: '1707000000.000100' }]),
    },
    { name: '__uploads/F1/confirm.pdf', data: PDF },
    ...extra,
  ]);
}

describe(`steno import slack on ${TEST_DB}`, () => {
  let backend: TestBackend;
  const steno = (...args: string[]) => runSteno(args, backend.env);

  beforeAll(async () => {
    backend = await createTestBackend();
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('reads a workspace export: channels, DMs, group DMs, threads, edits, bots, files and tombstones', async () => {
    const file = join(backend.dataDir, 'Acme Slack export Feb 2024.zip');
    await writeFile(file, workspace());
    const dry = await steno('import', 'slack', file, '--tz', 'Asia/Hong_Kong', '--dry-run', '--json');
    expect(dry.stderr).toBe('');
    const lines = jsonLines<Record<string, unknown>>(dry.stdout);
    expect(lines.map((l) => [l.sentAt, l.sender, l.kind, l.text, l.edited])).toEqual([
      ['2024-02-03T09:23:20+08:00', 'Lee', 'message', 'confirmation attached', false],
      ['2024-02-03T09:00:00+08:00', 'Chan TM', 'system', '<@U100> has joined the channel', false],
      ['2024-02-03T09:16:00+08:00', 'Chan TM', 'message', 'Buy 2000 HSBC at market', false],
      ['2024-02-03T09:17:00+08:00', 'RM Wong', 'message', 'Noted: buy 2,000 0005', false],
      ['2024-02-03T09:18:00+08:00', 'Chan TM', 'message', 'make it 3000', true],
      ['2024-02-03T09:20:00+08:00', 'OMS', 'message', 'Order 881 filled', false],
      ['2024-02-03T09:21:40+08:00', 'USLACKBOT', 'delete', 'This message was deleted.', false],
      ['2024-02-04T06:40:00+08:00', 'Lee', 'message', 'sell 5 lots 0700', false],
    ]);
    expect(lines[0]!.attachments).toEqual([{ filename: 'confirm.pdf' }, { filename: 'missing.png' }]);

    const stored = await steno('import', 'slack', file, '--json');
    expect(stored.stderr).toBe('');
    expect(JSON.parse(stored.stdout)).toMatchObject({
      messages: 8,
      created: 8,
      attachmentFiles: 1,
      conversations: ['slack:D1', 'slack:C1', 'slack:G2'],
    });
    expect(JSON.parse((await steno('import', 'slack', file, '--json')).stdout)).toMatchObject({
      created: 0,
      duplicates: 8,
    });

    const [reply] = JSON.parse((await steno('search', 'Noted', '--json')).stdout) as {
      content: Record<string, unknown>;
    }[];
    expect(reply!.content).toMatchObject({
      platform: 'slack',
      conversationId: 'slack:C1',
      conversationTitle: 'hk-equities',
      sender: 'U200',
      senderName: 'RM Wong',
      platformMessageId: '1706923020.000300',
      raw: { source: 'slack-export', message: { thread_ts: '1706922960.000200' } },
    });
    const [dm] = JSON.parse((await steno('search', 'confirmation', '--json')).stdout) as {
      content: Record<string, unknown>;
    }[];
    expect(dm!.content).toMatchObject({
      conversationId: 'slack:D1',
      recipients: ['U200'],
      attachments: [
        { filename: 'confirm.pdf', contentType: 'application/pdf', sha256: sha256Hex(PDF), size: PDF.length },
      ],
    });
    // Selecting by participant finds the group DM through its recipients.
    const byLee = JSON.parse((await steno('search', 'sell', '--participant', 'U100', '--json')).stdout) as unknown[];
    expect(byLee).toHaveLength(1);
    expect((await steno('verify')).code).toBe(0);
  });

  it('refuses an export with a truncated day file, or a zip that is not a Slack export, storing nothing', async () => {
    const truncated = join(backend.dataDir, 'truncated.zip');
    await writeFile(
      truncated,
      makeZip([
        { name: 'users.json', data: '[]' },
        { name: 'channels.json', data: json([{ id: 'C9', name: 'desk' }]) },
        {
          name: 'desk/2024-01-01.json',
          data: json([{ type: 'message', user: 'U1', text: 'planted', ts: '1704067200.0001' }]),
        },
        { name: 'desk/2024-01-02.json', data: '[{"type":"message","user":"U1","text":"pla' },
      ]),
    );
    const result = await steno('import', 'slack', truncated);
    expect(result.stderr).toMatch(/desk\/2024-01-02\.json: not valid JSON: the document is truncated/);
    expect(result.code).toBe(1);
    const other = join(backend.dataDir, 'photos.zip');
    await writeFile(other, makeZip([{ name: 'photo.jpg', data: 'x' }]));
    expect((await steno('import', 'slack', other)).stderr).toMatch(/is not a Slack export/);
    expect(JSON.parse((await steno('search', 'planted', '--json')).stdout)).toEqual([]);
  });
});

describe.skipIf(!existsSync(CORPUS))('Slack corpus (skipped: ../shared/corpus is not beside the project)', () => {
  it('imports the workspace export zip and the loose day files', async () => {
    const zip = await runSteno(
      ['import', 'slack', join(CORPUS, 'slackdump-source_export.zip'), '--dry-run', '--json'],
      {},
    );
    expect(zip.stderr).toBe('');
    const messages = jsonLines<{ kind: string; edited: boolean }>(zip.stdout);
    expect(messages.length).toBeGreaterThan(10);
    expect(messages.some((m) => m.kind === 'delete')).toBe(true);

    // The loose files are a day file and a single bot message: wrapped as a workspace, they import too.
    const day = await readFile(join(CORPUS, 'slackdump-B75B4C7-2025-01-10.json'), 'utf8');
    const bot = await readFile(join(CORPUS, 'slackdump-bot_message.json'), 'utf8');
    const dir = await mkdtemp(join(tmpdir(), 'steno-slack-corpus-'));
    const wrapped = join(dir, 'loose-files.zip');
    await writeFile(
      wrapped,
      makeZip([
        { name: 'users.json', data: '[]' },
        { name: 'channels.json', data: json([{ id: 'C1', name: 'B75B4C7' }]) },
        { name: 'B75B4C7/2025-01-10.json', data: day },
        { name: 'B75B4C7/2023-02-22.json', data: `[${bot}]` },
      ]),
    );
    const loose = await runSteno(['import', 'slack', wrapped, '--dry-run', '--json'], {});
    expect(loose.stderr).toBe('');
    const parsed = jsonLines<{ sender: string; edited: boolean; text: string }>(loose.stdout);
    expect(parsed[0]).toMatchObject({ sender: 'BUEBX9AUR', edited: true, text: 'Some question?' });
    expect(parsed).toHaveLength(3);
    await rm(dir, { recursive: true, force: true });
  });
});
