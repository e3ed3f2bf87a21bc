/**
 * The Slack Events API connector on a real server and a real store (STENO_TEST_DB): the URL check,
 * signatures (correct, wrong, missing, malformed, stale, future, replayed, rotated), the documented event
 * shapes archived with their ids, Slack's retries storing nothing new, bad bodies storing nothing, and
 * files: fetched with the bot token from a local HTTP server standing in for files.slack.com.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaRef } from '../src/capture/connectors/connector.js';
import { slackMedia } from '../src/capture/connectors/slack/media.js';
import { slackSignature } from '../src/capture/connectors/slack/signature.js';
import { type MediaRecordContent, mediaRecords } from '../src/capture/media/fetcher.js';
import type { MessageContent } from '../src/capture/model.js';
import { NO_CAPTURE, type SlackConfig } from '../src/config/capture.js';
import { openSteno, type Steno } from '../src/context.js';
import { buildServer } from '../src/review/api/server.js';
import { createTestBackend, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';

const OLD_SECRET = 'old-slack-signing-secret-0123456789';
const NEW_SECRET = 'new-slack-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-0000000000-test-bot-token-for-steno';
const TEAM = 'T0FIRM0001';
const DESK = 'C0EQDESK01';

const fixture = (name: string) => readFile(join(import.meta.dirname, 'fixtures/slack', `${name}.json`), 'utf8');
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface Row {
  kind: string;
  platform_message_id: string;
  refers_to: string | null;
  conversation_id: string;
  sender: string;
}

describe(`the Slack connector on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno(
      {
        ...backend.config(),
        mediaRetryDelaysMs: [10, 10],
        // No bot token: files are recorded as not fetched (fetching is tested against a local server below).
        capture: { ...NO_CAPTURE, slack: { signingSecrets: [OLD_SECRET, NEW_SECRET], botToken: null } },
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
  });

  const rows = () =>
    rawQuery<Row>(
      backend,
      'SELECT kind, platform_message_id, refers_to, conversation_id, sender FROM messages ORDER BY leaf_index',
    );
  const count = async () => (await rows()).length;
  /** What the vault holds for each archived message, by platformMessageId. */
  const contents = async () => {
    const out = new Map<string, MessageContent>();
    for (const record of await steno.store.messagesAfter(-1, 1000)) {
      const content = JSON.parse(record.content!.toString('utf8')) as MessageContent;
      out.set(content.platformMessageId!, content);
    }
    return out;
  };
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/capture/slack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signed = (body: string, options: { secret?: string; timestamp?: number } = {}) => {
    const timestamp = String(options.timestamp ?? nowSeconds());
    return {
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(options.secret ?? NEW_SECRET, timestamp, Buffer.from(body)),
    };
  };

  it('answers the URL check with its challenge, once signed, and stores nothing', async () => {
    const body = await fixture('url-verification');
    const res = await post(body, signed(body));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ challenge: 'q8Wd1kZ0mC3vR7tY2uX9pL4sN6bH5gJ0aF1eD2cB3' });
    const unsigned = await post(body, {});
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).not.toContain('q8Wd1kZ0');
    expect(await count()).toBe(0);
  });

  it('refuses wrong, missing, malformed, stale and future signatures before reading the body', async () => {
    const body = await fixture('message');
    const good = signed(body);
    const cases: [Record<string, string>, string][] = [
      [signed(body, { secret: 'not-the-signing-secret-0123456789' }), 'does not match'],
      [{ 'x-slack-request-timestamp': good['x-slack-request-timestamp'] }, 'sign the request'],
      [{ 'x-slack-signature': good['x-slack-signature'] }, 'sign the request'],
      [{ ...good, 'x-slack-signature': 'v0=abc' }, 'must be v0=<64 hex digits>'],
      [{ ...good, 'x-slack-signature': good['x-slack-signature'].replace('v0=', 'v1=') }, 'must be v0='],
      [{ ...good, 'x-slack-request-timestamp': 'now' }, 'must be Unix seconds'],
      // Six minutes old, and six minutes ahead: each correctly signed for its timestamp.
      [signed(body, { timestamp: nowSeconds() - 360 }), 'more than 300 s from now'],
      [signed(body, { timestamp: nowSeconds() + 360 }), 'more than 300 s from now'],
      // Signed for one timestamp, sent with another; signed for one body, sent with another.
      [{ ...good, 'x-slack-request-timestamp': String(nowSeconds() - 1) }, 'does not match'],
      [signed(body.replace('2000 HSBC', '9000 HSBC')), 'does not match'],
    ];
    for (const [headers, text] of cases) {
      const res = await post(body, headers);
      const answer = await res.text();
      expect(res.status, text).toBe(401);
      expect(answer, text).toContain(text);
      expect(answer).not.toContain(NEW_SECRET);
    }
    // Not even JSON: still 401, because the signature is checked first.
    expect((await post('{not json', {})).status).toBe(401);
    expect(await count()).toBe(0);
  });

  it('archives a message once it is durable, and refuses the same signed request replayed', async () => {
    const body = await fixture('message');
    const headers = signed(body);
    const first = await post(body, headers);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({});
    expect(await rows()).toEqual([
      {
        kind: 'message',
        platform_message_id: '1778560200.000200',
        refers_to: null,
        conversation_id: `slack:${DESK}`,
        sender: 'U0CLIENT01',
      },
    ]);
    const replay = await post(body, headers);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('a replay');
    expect(await count()).toBe(1);

    const stored = (await contents()).get('1778560200.000200')!;
    expect(stored).toMatchObject({
      platform: 'slack',
      sentAt: '2026-05-12T04:30:00.000Z',
      text: 'Buy 2000 HSBC at market please',
      account: TEAM,
      direction: 'inbound',
      raw: { connector: 'slack', channel: `slack:${TEAM}`, event: JSON.parse(body).event },
    });
    // The envelope's legacy verification token is not part of the event, and not archived.
    expect(JSON.stringify(stored)).not.toContain('legacy-verification-token');
  });

  it("stores nothing new for Slack's retry of an event (signed afresh, X-Slack-Retry-Num)", async () => {
    const body = await fixture('message');
    const res = await post(body, {
      ...signed(body, { timestamp: nowSeconds() + 1 }),
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(res.status).toBe(200);
    expect(await count()).toBe(1);
  });

  it('archives a thread reply, an edit, a delete, a file share, a bot message, a notice and a reaction', async () => {
    const names = [
      'thread-reply',
      'message-changed',
      'message-deleted',
      'file-share',
      'bot-message',
      'channel-join',
      'reaction-added',
    ];
    for (const [i, name] of names.entries()) {
      const body = await fixture(name);
      // The rotation: half are signed with the secret being retired.
      const res = await post(body, signed(body, { secret: i % 2 === 0 ? OLD_SECRET : NEW_SECRET }));
      expect(res.status, name).toBe(200);
    }
    expect((await rows()).slice(1)).toEqual([
      {
        kind: 'message',
        platform_message_id: '1778560260.000300',
        refers_to: '1778560200.000200',
        conversation_id: `slack:${DESK}`,
        sender: 'U0TRADER01',
      },
      {
        kind: 'edit',
        platform_message_id: '1778560200.000200:edit:1778560320.000000',
        refers_to: '1778560200.000200',
        conversation_id: `slack:${DESK}`,
        sender: 'U0CLIENT01',
      },
      {
        kind: 'delete',
        platform_message_id: '1778560200.000200:deleted',
        refers_to: '1778560200.000200',
        conversation_id: `slack:${DESK}`,
        sender: 'U0CLIENT01',
      },
      {
        kind: 'message',
        platform_message_id: '1778560440.000600',
        refers_to: null,
        conversation_id: `slack:${DESK}`,
        sender: 'U0TRADER01',
      },
      {
        kind: 'message',
        platform_message_id: '1778560470.000650',
        refers_to: null,
        conversation_id: `slack:${DESK}`,
        sender: 'B0ORDERBOT',
      },
      {
        kind: 'system',
        platform_message_id: '1778560480.000660',
        refers_to: null,
        conversation_id: `slack:${DESK}`,
        sender: 'U0COMPLY01',
      },
      {
        kind: 'system',
        platform_message_id: 'Ev0REACT001',
        refers_to: '1778560200.000200',
        conversation_id: `slack:${DESK}`,
        sender: 'U0TRADER01',
      },
    ]);
    const stored = await contents();
    expect(stored.get('1778560200.000200:edit:1778560320.000000')).toMatchObject({
      text: 'Buy 2500 HSBC at market please',
      sentAt: '2026-05-12T04:32:00.000Z',
    });
    expect(stored.get('1778560470.000650')).toMatchObject({ direction: 'outbound', senderName: 'Order Desk' });
    expect(stored.get('Ev0REACT001')?.text).toBe('U0TRADER01 reacted :white_check_mark: to message 1778560200.000200');
    expect(stored.get('1778560480.000660')?.text).toBe('<@U0COMPLY01> has joined the channel');
    const hits = await steno.search.search({ query: 'HSBC' });
    expect(hits.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps what Slack says about the app when it carries something, and ignores what does not', async () => {
    const before = await count();
    const limited = await fixture('app-rate-limited');
    expect((await post(limited, signed(limited))).status).toBe(200);
    const unknown = JSON.stringify({ type: 'app_deleted_notice', team_id: TEAM, api_app_id: 'A0STENO001' });
    const ignored = await post(unknown, signed(unknown));
    expect(ignored.status).toBe(200);
    expect(await ignored.json()).toEqual({});
    expect((await rows()).slice(before)).toEqual([
      {
        kind: 'system',
        platform_message_id: 'app_rate_limited:1778560560',
        refers_to: null,
        conversation_id: `team:${TEAM}`,
        sender: 'slack',
      },
    ]);
  });

  it('refuses a signed body that is not a Slack request with 400, storing nothing, and takes it again', async () => {
    const before = await count();
    const message = JSON.parse(await fixture('message'));
    const cases: [string, string][] = [
      ['{"type": "event_callback",', 'not valid JSON'],
      ['[]', 'type is required'],
      [JSON.stringify({ ...message, team_id: undefined }), 'team_id is required'],
      [JSON.stringify({ ...message, event: { ...message.event, ts: 'noon' } }), 'event.ts must be a Slack timestamp'],
      [JSON.stringify({ ...message, event: { ...message.event, channel: undefined } }), 'event.channel is required'],
      [JSON.stringify({ ...message, event: { ...message.event, user: 'U'.repeat(600) } }), 'sender'],
    ];
    for (const [body, text] of cases) {
      const headers = signed(body);
      const res = await post(body, headers);
      expect(res.status, text).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, text).toContain(text);
      // A refused request is forgotten: sent again as it was, it is refused for its body, not as a replay.
      expect((await post(body, headers)).status, text).toBe(400);
    }
    expect(await count()).toBe(before);
  });

  it('records the file of a file share as not fetched when no bot token is configured', async () => {
    let records: MediaRecordContent[] = [];
    for (let i = 0; i < 200 && records.length < 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      records = await mediaRecords(steno.store);
    }
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      message: { platform: 'slack', conversationId: `slack:${DESK}`, platformMessageId: '1778560440.000600' },
      connector: 'slack',
      channel: `slack:${TEAM}`,
      mediaId: 'https://files.slack.com/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet-0005hk.pdf',
      outcome: 'failed',
      attempts: 1,
    });
    expect(records[0]!.error).toMatch(/no Slack bot token is configured/);
  });

  it("counts the team's events and the failed signatures in /api/v1/channels", async () => {
    const token = (await steno.tokens.create({ name: 'supervisor', scopes: ['read'] })).token;
    const res = await fetch(`${base}/api/v1/channels`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const { channels } = (await res.json()) as {
      channels: {
        channel: string;
        platform: string;
        eventsThisHour: number;
        signatureFailuresLastTwoHours: number;
        fetchFailuresLastDay: number;
      }[];
    };
    // 1 message + 1 retry + 7 events + 1 rate-limit notice; the URL check and the ignored request are not events.
    expect(channels.find((c) => c.channel === `slack:${TEAM}`)).toMatchObject({
      platform: 'slack',
      eventsThisHour: 10,
      fetchFailuresLastDay: 1,
    });
    // The unsigned URL check, ten bad signatures, one unsigned non-JSON body and one replay.
    expect(channels.find((c) => c.channel === 'slack:unknown')?.signatureFailuresLastTwoHours).toBe(13);
  });
});

describe('Slack files', () => {
  const PDF = Buffer.from('%PDF-1.7 a term sheet, as far as this test cares');
  const config: SlackConfig = { signingSecrets: [NEW_SECRET], botToken: BOT_TOKEN };
  let server: Server;
  let origin: string;
  let port: number;
  const seen: { host: string | undefined; path: string; headers: IncomingHttpHeaders }[] = [];
  const signal = () => AbortSignal.timeout(5000);

  beforeAll(async () => {
    // files.slack.com as far as files go: the bytes for the bot token, 403 otherwise; a sign-in page; a
    // redirect to another origin (localhost), which must arrive there without the token.
    server = createServer((req, res) => {
      seen.push({ host: req.headers.host, path: req.url ?? '', headers: req.headers });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://localhost:${port}/files-pri/T0FIRM0001-F0X/download/x.pdf` }).end();
        return;
      }
      if (req.headers.authorization !== `Bearer ${BOT_TOKEN}`) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('invalid_auth');
        return;
      }
      if (req.url === '/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet.pdf') {
        res.writeHead(200, { 'content-type': 'application/pdf' }).end(PDF);
        return;
      }
      if (req.url === '/sign-in') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>Sign in to Slack</html>');
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    origin = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  const ref = (id: string, overrides: Partial<MediaRef> = {}): MediaRef => ({
    id,
    filename: 'term-sheet.pdf',
    contentType: 'application/pdf',
    ...overrides,
  });
  const failure = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected a failure');
  };

  it("finds a message's files, and an edited message's, by their private download URL", async () => {
    const media = slackMedia(config);
    const share = JSON.parse(await fixture('file-share')).event;
    expect(media.refs(share)).toEqual([
      {
        id: 'https://files.slack.com/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet-0005hk.pdf',
        filename: 'term-sheet-0005HK.pdf',
        contentType: 'application/pdf',
      },
    ]);
    const { url_private_download: _download, ...onlyPrivate } = share.files[0];
    expect(media.refs({ type: 'message', subtype: 'message_changed', message: { files: [onlyPrivate] } })).toEqual([
      {
        id: 'https://files.slack.com/files-pri/T0FIRM0001-F0TERMSHT1/term-sheet-0005hk.pdf',
        filename: 'term-sheet-0005HK.pdf',
        contentType: 'application/pdf',
      },
    ]);
    expect(media.refs(JSON.parse(await fixture('message')).event)).toEqual([]);
    expect(media.refs({ files: [{ id: 'F0HIDDEN01', mode: 'hidden_by_limit' }, 'junk', null] })).toEqual([]);
    expect(media.refs(null)).toEqual([]);
  });

  it('fetches the bytes with the bot token from an allowed host', async () => {
    const before = seen.length;
    const media = slackMedia(config, { allowedHosts: ['127.0.0.1'] });
    const fetched = await media.fetch(
      ref(`${origin}/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet.pdf`),
      `slack:${TEAM}`,
      {
        maxBytes: 1024,
        signal: signal(),
      },
    );
    expect(fetched).toEqual({ bytes: PDF, contentType: 'application/pdf', filename: 'term-sheet.pdf' });
    expect(seen.slice(before).map((r) => r.headers.authorization)).toEqual([`Bearer ${BOT_TOKEN}`]);
    expect(
      await failure(
        media.fetch(ref(`${origin}/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet.pdf`), `slack:${TEAM}`, {
          maxBytes: 10,
          signal: signal(),
        }),
      ),
    ).toMatch(/over the attachment limit/);
  });

  it('never sends the token to a host that is not allowed', async () => {
    const before = seen.length;
    // The same local server under another name is another host: refused before any request.
    const elsewhere = slackMedia(config, { allowedHosts: ['127.0.0.1'] });
    const other = await failure(
      elsewhere.fetch(
        ref(`http://localhost:${port}/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet.pdf`),
        'slack:x',
        {
          maxBytes: 1024,
          signal: signal(),
        },
      ),
    );
    expect(other).toMatch(/not a Slack file host/);
    // By default only files.slack.com is allowed, over https.
    const byDefault = slackMedia(config);
    for (const id of [
      `${origin}/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet.pdf`,
      'https://files.slack.com.attacker.example/files-pri/x.pdf',
      'https://attacker.example/files.slack.com/x.pdf',
    ]) {
      expect(await failure(byDefault.fetch(ref(id), 'slack:x', { maxBytes: 1024, signal: signal() }))).toMatch(
        /not a Slack file host/,
      );
    }
    for (const id of ['http://files.slack.com/files-pri/x.pdf', 'https://u:p@files.slack.com/files-pri/x.pdf']) {
      expect(await failure(byDefault.fetch(ref(id), 'slack:x', { maxBytes: 1024, signal: signal() }))).toMatch(
        /must be https|with credentials/,
      );
    }
    expect(seen.length).toBe(before);
    // Redirected to another origin, the request goes on without the Authorization header.
    const redirected = await failure(
      elsewhere.fetch(ref(`${origin}/redirect`), 'slack:x', { maxBytes: 1024, signal: signal() }),
    );
    expect(redirected).toMatch(/HTTP 403/);
    expect(redirected).not.toContain(BOT_TOKEN);
    const hops = seen.slice(before);
    expect(hops.map((r) => [r.host, r.headers.authorization])).toEqual([
      [`127.0.0.1:${port}`, `Bearer ${BOT_TOKEN}`],
      [`localhost:${port}`, undefined],
    ]);
  });

  it('fails clearly, never naming the token: refused, a sign-in page, no token', async () => {
    const media = slackMedia({ ...config, botToken: 'xoxb-revoked-token-0000000000' }, { allowedHosts: ['127.0.0.1'] });
    const refused = await failure(
      media.fetch(ref(`${origin}/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet.pdf?t=query-part`), 'slack:x', {
        maxBytes: 1024,
        signal: signal(),
      }),
    );
    expect(refused).toBe(`${origin}/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet.pdf: HTTP 403`);
    expect(refused).not.toContain('xoxb-');
    const signIn = await failure(
      slackMedia(config, { allowedHosts: ['127.0.0.1'] }).fetch(ref(`${origin}/sign-in`), 'slack:x', {
        maxBytes: 1024,
        signal: signal(),
      }),
    );
    expect(signIn).toMatch(/answered with a web page, not the file/);
    expect(signIn).not.toContain(BOT_TOKEN);
    const before = seen.length;
    const noToken = await failure(
      slackMedia({ ...config, botToken: null }, { allowedHosts: ['127.0.0.1'] }).fetch(
        ref(`${origin}/files-pri/T0FIRM0001-F0TERMSHT1/download/term-sheet.pdf`),
        'slack:x',
        { maxBytes: 1024, signal: signal() },
      ),
    );
    expect(noToken).toBe('no Slack bot token is configured: files cannot be fetched');
    expect(seen.length).toBe(before);
  });
});
