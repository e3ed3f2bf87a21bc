/**
 * The Telegram Bot API connector on a real server and a real store (STENO_TEST_DB), with a local HTTP
 * server standing in for the Bot API's getFile and file downloads: secret tokens (correct, wrong,
 * missing, rotated, another bot's), every kind of update in the fixtures, a repeated update_id, bodies
 * that are not updates, an unknown bot, and a photo's bytes fetched after its caption was archived.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramMedia } from '../src/capture/connectors/telegram/media.js';
import { type MediaRecordContent, mediaRecords } from '../src/capture/media/fetcher.js';
import { NO_CAPTURE, type TelegramBotConfig } from '../src/config/capture.js';
import { openSteno, type Steno } from '../src/context.js';
import { buildServer } from '../src/review/api/server.js';
import { createTestBackend, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';

const OLD_TOKEN = 'old-secret-token_0123456789';
const NEW_TOKEN = 'new-secret-token_0123456789';
const DESK2_TOKEN = 'desk2-secret-token_0123456789';
const BOT_TOKEN = '7100000001:AAFtest-bot-token_abcdefghijklmnopq';
const PHOTO = Buffer.from('the largest rendering of the term sheet photo');
const PDF = Buffer.from('%PDF-1.7 placement term sheet');

type Update = Record<string, unknown> & { update_id: number };

/**
 * The Bot API as far as files go. getFile knows a few file_ids; files are served from file paths; a
 * request with another token is refused as Telegram refuses it.
 */
async function fakeBotApi(): Promise<{ server: Server; base: string; requests: string[] }> {
  const requests: string[] = [];
  const files: Record<string, { file_path?: string; file_size?: number }> = {
    AgACAgUAAxkBAAIkY2Y0large: { file_path: 'photos/file_7.jpg', file_size: PHOTO.length },
    BQACAgUAAxkBAAIkZGY0pdf: { file_path: 'documents/file_8.pdf', file_size: PDF.length },
    BQACAgUAAxkBAAIkZGY0gone: { file_path: 'documents/file_9.pdf', file_size: 10 },
    BQACAgUAAxkBAAIkZGY0huge: { file_path: 'documents/file_10.pdf', file_size: 50_000_000 },
    BQACAgUAAxkBAAIkZGY0unsized: { file_path: 'documents/file_11.pdf' },
    BQACAgUAAxkBAAIkZGY0local: { file_path: '/var/lib/telegram-bot-api/documents/file_12.pdf' },
  };
  const served: Record<string, Buffer> = {
    'photos/file_7.jpg': PHOTO,
    'documents/file_8.pdf': PDF,
    'documents/file_11.pdf': Buffer.alloc(5000, 1),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname);
    if (url.pathname === `/bot${BOT_TOKEN}/getFile`) {
      const file = files[url.searchParams.get('file_id') ?? ''];
      if (file === undefined) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: invalid file_id' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: { file_id: url.searchParams.get('file_id'), ...file } }));
      return;
    }
    const prefix = `/file/bot${BOT_TOKEN}/`;
    const bytes = url.pathname.startsWith(prefix) ? served[url.pathname.slice(prefix.length)] : undefined;
    if (bytes === undefined) {
      res.writeHead(url.pathname.startsWith('/file/') ? 404 : 401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe(`the Telegram connector on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let base: string;
  let api: Awaited<ReturnType<typeof fakeBotApi>>;
  let updates: Record<string, Update>;

  beforeAll(async () => {
    updates = JSON.parse(await readFile(join(import.meta.dirname, 'fixtures/telegram/updates.json'), 'utf8'));
    api = await fakeBotApi();
    backend = await createTestBackend();
    steno = await openSteno(
      {
        ...backend.config(),
        mediaRetryDelaysMs: [10],
        capture: {
          ...NO_CAPTURE,
          telegram: {
            desk1: { secretTokens: [OLD_TOKEN, NEW_TOKEN], botToken: BOT_TOKEN, apiBaseUrl: api.base },
            desk2: { secretTokens: [DESK2_TOKEN], botToken: null, apiBaseUrl: api.base },
          },
        },
      },
      { createKey: true },
    );
    app = await buildServer(steno);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await steno?.close();
    await backend?.cleanup();
    await new Promise((resolve) => api?.server.close(resolve));
  });

  const rows = () =>
    rawQuery<{ kind: string; conversation_id: string; platform_message_id: string; refers_to: string | null }>(
      backend,
      'SELECT kind, conversation_id, platform_message_id, refers_to FROM messages ORDER BY leaf_index',
    );
  const post = (body: string, token: string | undefined, bot = 'desk1') =>
    fetch(`${base}/capture/telegram/${bot}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { 'x-telegram-bot-api-secret-token': token }),
      },
      body,
    });
  const body = (name: string) => JSON.stringify(updates[name]);

  it("refuses a wrong, missing or other bot's secret token before reading the body, and stores nothing", async () => {
    const cases: [string, string | undefined, string][] = [
      [body('text'), 'not-the-secret-token_0123456789', 'desk1'],
      [body('text'), undefined, 'desk1'],
      [body('text'), '', 'desk1'],
      [body('text'), `${NEW_TOKEN}x`, 'desk1'],
      [body('text'), NEW_TOKEN.slice(0, -1), 'desk1'],
      [body('text'), DESK2_TOKEN, 'desk1'],
      [body('text'), NEW_TOKEN, 'desk2'],
      // Not even JSON: still a 401, because the token is checked first.
      ['{"update_id": ', 'not-the-secret-token_0123456789', 'desk1'],
    ];
    for (const [payload, token, bot] of cases) {
      const res = await post(payload, token, bot);
      const text = await res.text();
      expect(res.status, `${bot} ${token}`).toBe(401);
      expect(text).toContain('x-telegram-bot-api-secret-token');
      expect(text).not.toContain(NEW_TOKEN);
      expect(text).not.toContain(DESK2_TOKEN);
    }
    expect(await rows()).toHaveLength(0);
  });

  it('archives every kind of update, with either secret token while one is rotated', async () => {
    const names = [
      'text',
      'photo',
      'edited',
      'businessInbound',
      'businessOutbound',
      'editedBusiness',
      'deletedBusiness',
      'callbackQuery',
      'location',
    ];
    const created: number[] = [];
    for (const [i, name] of names.entries()) {
      const res = await post(body(name), i % 2 === 0 ? NEW_TOKEN : OLD_TOKEN);
      expect(res.status, name).toBe(200);
      created.push(((await res.json()) as { created: number }).created);
    }
    expect(created).toEqual([1, 1, 1, 1, 1, 1, 2, 1, 1]);
    expect(await rows()).toEqual([
      { kind: 'message', conversation_id: 'desk1:5012345678', platform_message_id: '41', refers_to: null },
      { kind: 'message', conversation_id: '-1001987654321', platform_message_id: '9187', refers_to: null },
      { kind: 'edit', conversation_id: 'desk1:5012345678', platform_message_id: '41:edit:1778560260', refers_to: '41' },
      {
        kind: 'message',
        conversation_id: 'Qk9PS0NPTk5FQ1RJT04x:6011122233',
        platform_message_id: '2001',
        refers_to: null,
      },
      {
        kind: 'message',
        conversation_id: 'Qk9PS0NPTk5FQ1RJT04x:6011122233',
        platform_message_id: '2002',
        refers_to: null,
      },
      {
        kind: 'edit',
        conversation_id: 'Qk9PS0NPTk5FQ1RJT04x:6011122233',
        platform_message_id: '2002:edit:1778560380',
        refers_to: '2002',
      },
      {
        kind: 'delete',
        conversation_id: 'Qk9PS0NPTk5FQ1RJT04x:6011122233',
        platform_message_id: '2001:deleted',
        refers_to: '2001',
      },
      {
        kind: 'delete',
        conversation_id: 'Qk9PS0NPTk5FQ1RJT04x:6011122233',
        platform_message_id: '2002:deleted',
        refers_to: '2002',
      },
      {
        kind: 'system',
        conversation_id: 'desk1:5012345678',
        platform_message_id: 'desk1:731400008:callback_query',
        refers_to: '42',
      },
      { kind: 'message', conversation_id: 'desk1:5012345678', platform_message_id: '43', refers_to: null },
    ]);
    // The content as archived: the business account's reply is outbound, under its connection.
    const [reply] = await steno.search.search({ query: 'Selling 500' });
    expect(reply?.content).toMatchObject({
      platform: 'telegram',
      sender: '7033344455',
      senderName: 'Amy Lee',
      account: 'Qk9PS0NPTk5FQ1RJT04x',
      direction: 'outbound',
      sentAt: '2026-05-12T04:32:00.000Z',
      raw: { connector: 'telegram', channel: 'telegram:desk1', event: { message_id: 2002 } },
    });
  });

  it('answers a repeated update_id without delivering it, and stores nothing new', async () => {
    const before = await rows();
    const again = await post(body('text'), NEW_TOKEN);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ created: 0, duplicate: 0, repeated: true });
    // Even a different body under a seen update_id is not delivered: that is what a replay looks like.
    const forged = structuredClone(updates.text!) as Update & { message: { message_id: number; text: string } };
    forged.message.message_id = 9999;
    forged.message.text = 'Sell everything';
    expect((await post(JSON.stringify(forged), NEW_TOKEN)).status).toBe(200);
    expect(await rows()).toEqual(before);
  });

  it('stores nothing new for an update Telegram sends again under a new update_id', async () => {
    const before = await rows();
    const resent = { ...updates.businessInbound!, update_id: 731400100 };
    const res = await post(JSON.stringify(resent), NEW_TOKEN);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ created: 0, duplicate: 1 });
    expect(await rows()).toEqual(before);
  });

  it('refuses, with a correct token, a body that is not an update, naming what is wrong, and stores nothing', async () => {
    const before = await rows();
    const text = updates.text!.message as Record<string, unknown>;
    const cases: [string, RegExp][] = [
      ['{"update_id": 731400200, "message": ', /not valid JSON/],
      ['[1, 2]', /not a Telegram update/],
      [JSON.stringify({ message: text }), /update_id must be a non-negative integer/],
      [JSON.stringify({ update_id: 731400201 }), /carries nothing besides update_id/],
      [JSON.stringify({ update_id: 731400202, message: { ...text, date: 'today' } }), /message\.date must be Unix/],
      [
        JSON.stringify({ update_id: 731400203, business_message: { ...text, message_id: 7 } }),
        /business_connection_id is required/,
      ],
    ];
    for (const [payload, message] of cases) {
      const res = await post(payload, NEW_TOKEN);
      expect(res.status, payload).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(await rows()).toEqual(before);
    // A refused update is not remembered: corrected, under the same update_id, it is archived.
    const fixed = { update_id: 731400202, message: { ...text, message_id: 44, text: 'Corrected' } };
    const res = await post(JSON.stringify(fixed), NEW_TOKEN);
    expect(await res.json()).toEqual({ created: 1, duplicate: 0 });
  });

  it('answers 404 for a bot that is not configured', async () => {
    const before = await rows();
    const res = await post(body('text'), NEW_TOKEN, 'desk3');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'no Telegram bot "desk3" is configured',
    );
    expect(await rows()).toEqual(before);
  });

  it("fetches the photo's largest size through getFile after its caption was archived", async () => {
    let records: MediaRecordContent[] = [];
    for (let i = 0; i < 200 && records.length < 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      records = await mediaRecords(steno.store);
    }
    expect(records).toHaveLength(1);
    const [photo] = records;
    expect(photo).toMatchObject({
      outcome: 'fetched',
      connector: 'telegram',
      channel: 'telegram:desk1',
      mediaId: 'AgACAgUAAxkBAAIkY2Y0large',
      message: { platformMessageId: '9187', conversationId: '-1001987654321' },
    });
    expect(photo!.attachment).toEqual({
      filename: 'photo-AQADlarge.jpg',
      contentType: 'image/jpeg',
      sha256: createHash('sha256').update(PHOTO).digest('hex'),
      size: PHOTO.length,
    });
    expect(await steno.blobs.has(photo!.attachment!.sha256)).toBe(true);
    expect(api.requests).toContain(`/bot${BOT_TOKEN}/getFile`);
    expect(api.requests).toContain(`/file/bot${BOT_TOKEN}/photos/file_7.jpg`);
  });

  it("shows each bot's traffic and refused requests in /api/v1/channels", async () => {
    const token = (await steno.tokens.create({ name: 'supervisor', scopes: ['read'] })).token;
    const res = await fetch(`${base}/api/v1/channels`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const { channels } = (await res.json()) as {
      channels: { channel: string; eventsThisHour: number; signatureFailuresLastTwoHours: number }[];
    };
    // Ten messages from the fixtures, one resent, one corrected; the repeated update_id is not counted.
    expect(channels.find((c) => c.channel === 'telegram:desk1')).toMatchObject({
      eventsThisHour: 12,
      signatureFailuresLastTwoHours: 7,
    });
    expect(channels.find((c) => c.channel === 'telegram:desk2')).toMatchObject({
      eventsThisHour: 0,
      signatureFailuresLastTwoHours: 1,
    });
  });
});

describe('Telegram files from the Bot API', () => {
  let api: Awaited<ReturnType<typeof fakeBotApi>>;
  let bots: Record<string, TelegramBotConfig>;

  beforeAll(async () => {
    api = await fakeBotApi();
    bots = {
      desk1: { secretTokens: [NEW_TOKEN], botToken: BOT_TOKEN, apiBaseUrl: api.base },
      desk2: { secretTokens: [DESK2_TOKEN], botToken: null, apiBaseUrl: api.base },
    };
  });
  afterAll(async () => {
    await new Promise((resolve) => api?.server.close(resolve));
  });

  const fetchFile = (id: string, options: { channel?: string; maxBytes?: number } = {}) =>
    telegramMedia(bots).fetch(
      { id, filename: 'Placement term sheet.pdf', contentType: 'application/pdf' },
      options.channel ?? 'telegram:desk1',
      { maxBytes: options.maxBytes ?? 1024 * 1024, signal: AbortSignal.timeout(5000) },
    );
  const failure = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the fetch to fail');
  };

  it("fetches a file's bytes with the bot's token in the path", async () => {
    const seen = api.requests.length;
    const fetched = await fetchFile('BQACAgUAAxkBAAIkZGY0pdf');
    expect(fetched).toEqual({ bytes: PDF, contentType: 'application/pdf', filename: 'Placement term sheet.pdf' });
    expect(api.requests.slice(seen)).toEqual([
      `/bot${BOT_TOKEN}/getFile`,
      `/file/bot${BOT_TOKEN}/documents/file_8.pdf`,
    ]);
  });

  it('fails without naming the token when getFile refuses the file_id or the file is gone', async () => {
    const unknown = await failure(fetchFile('BQACAgUAAxkBAAIkZGY0nosuch'));
    expect(unknown).toMatch(/\/bot…\/getFile: HTTP 400/);
    const gone = await failure(fetchFile('BQACAgUAAxkBAAIkZGY0gone'));
    expect(gone).toMatch(/\/file\/bot…\/documents\/file_9\.pdf: HTTP 404/);
    for (const message of [unknown, gone]) {
      expect(message).not.toContain(BOT_TOKEN);
      expect(message).not.toContain(BOT_TOKEN.split(':')[1]!);
    }
  });

  it('refuses a file over the limit, whether getFile gives its size or the download turns out larger', async () => {
    const seen = api.requests.length;
    expect(await failure(fetchFile('BQACAgUAAxkBAAIkZGY0huge', { maxBytes: 1_000_000 }))).toMatch(
      /50000000 bytes is over the attachment limit of 1000000/,
    );
    // Refused from getFile's answer: the file itself was never requested.
    expect(api.requests.slice(seen)).toEqual([`/bot${BOT_TOKEN}/getFile`]);
    expect(await failure(fetchFile('BQACAgUAAxkBAAIkZGY0unsized', { maxBytes: 4096 }))).toMatch(
      /over the attachment limit/,
    );
  });

  it('refuses to fetch without a bot token, for a bot not configured, or a path on the server disk', async () => {
    expect(await failure(fetchFile('BQACAgUAAxkBAAIkZGY0pdf', { channel: 'telegram:desk2' }))).toBe(
      'no bot token is configured for desk2: files cannot be fetched',
    );
    expect(await failure(fetchFile('BQACAgUAAxkBAAIkZGY0pdf', { channel: 'telegram:desk9' }))).toContain(
      'no Telegram bot "desk9" is configured',
    );
    expect(await failure(fetchFile('BQACAgUAAxkBAAIkZGY0local'))).toContain('not a relative path to download');
    expect(await failure(fetchFile('../../getMe'))).toContain('not one the Bot API issues');
  });
});
