/**
 * The WhatsApp Business Cloud API connector on a real server and a real store (STENO_TEST_DB), with a
 * local HTTP server standing in for the Graph API's media endpoints: the subscription handshake,
 * signatures (correct, wrong, missing, malformed, rotated), every message type in one payload, replays,
 * bad payloads that store nothing, media fetched after the text with retries, and the channel's health.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubSignature } from '../src/capture/connectors/whatsapp/signature.js';
import { type MediaRecordContent, mediaRecords } from '../src/capture/media/fetcher.js';
import { NO_CAPTURE } from '../src/config/capture.js';
import { openSteno, type Steno } from '../src/context.js';
import { buildServer } from '../src/review/api/server.js';
import { createTestBackend, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';

const OLD_SECRET = 'old-app-secret-0123456789abcdef';
const NEW_SECRET = 'new-app-secret-0123456789abcdef';
const VERIFY_TOKEN = 'steno-verify-token-42';
const ACCESS_TOKEN = 'EAAG-graph-access-token-for-tests';
const IMAGE = Buffer.from('not really a jpeg, but bytes all the same');

describe(`the WhatsApp connector on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let base: string;
  let graph: Server;
  let graphBase: string;
  let payload: string;
  const graphRequests: { path: string; auth: string | undefined }[] = [];
  let imageFailuresLeft = 1;

  beforeAll(async () => {
    payload = await readFile(join(import.meta.dirname, 'fixtures/whatsapp/messages.json'), 'utf8');
    // The Graph API as far as media goes: id → URL, URL → bytes; the document's bytes never come.
    graph = createServer((req, res) => {
      graphRequests.push({ path: req.url ?? '', auth: req.headers.authorization });
      if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
        res.writeHead(401).end();
        return;
      }
      const lookup = /^\/v21\.0\/(\d+)$/.exec(req.url ?? '');
      if (lookup !== null) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ url: `${graphBase}/download/${lookup[1]}`, mime_type: 'image/jpeg', id: lookup[1] }));
        return;
      }
      if (req.url === '/download/1001') {
        if (imageFailuresLeft-- > 0) res.writeHead(503).end();
        else res.writeHead(200, { 'content-type': 'image/jpeg' }).end(IMAGE);
        return;
      }
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
    graphBase = `http://127.0.0.1:${(graph.address() as AddressInfo).port}`;

    backend = await createTestBackend();
    steno = await openSteno(
      {
        ...backend.config(),
        mediaRetryDelaysMs: [10, 10],
        capture: {
          ...NO_CAPTURE,
          whatsapp: {
            appSecrets: [OLD_SECRET, NEW_SECRET],
            verifyTokens: [VERIFY_TOKEN],
            accessToken: ACCESS_TOKEN,
            graphBaseUrl: `${graphBase}/v21.0`,
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
    await new Promise((resolve) => graph?.close(resolve));
  });

  const rows = () =>
    rawQuery<{ kind: string; platform_message_id: string }>(
      backend,
      'SELECT kind, platform_message_id FROM messages ORDER BY platform_message_id',
    );
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/capture/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signed = (body: string, secret = NEW_SECRET) => ({
    'x-hub-signature-256': hubSignature(secret, Buffer.from(body)),
  });

  it('answers the subscription handshake with the challenge, only for the verify token', async () => {
    const ok = await fetch(
      `${base}/capture/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${base}/capture/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain(VERIFY_TOKEN);
    expect((await fetch(`${base}/capture/whatsapp?hub.challenge=1`)).status).toBe(400);
  });

  it('refuses wrong, missing and malformed signatures before reading the body, and stores nothing', async () => {
    for (const headers of [
      signed(payload, 'not-the-app-secret-0123456789'),
      {},
      { 'x-hub-signature-256': 'sha1=abc' },
      { 'x-hub-signature-256': hubSignature(NEW_SECRET, Buffer.from(`${payload} `)) },
    ]) {
      const res = await post(payload, headers);
      const text = await res.text();
      expect(res.status, text).toBe(401);
      expect(text).not.toContain(NEW_SECRET);
    }
    // Not even JSON: still a 401, because the signature is checked first.
    expect((await post('{not json', {})).status).toBe(401);
    expect(await rows()).toHaveLength(0);
  });

  it('archives every message type, status and echo of a signed payload, answered once durable', async () => {
    const res = await post(payload, signed(payload, OLD_SECRET));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ created: 13, duplicate: 0 });
    const stored = await rows();
    expect(stored.map((r) => `${r.kind} ${r.platform_message_id}`)).toEqual([
      'message wamid.CONTACT0001',
      'message wamid.DOC0001',
      'message wamid.ECHO0001',
      'system wamid.ECHO0001:status:delivered',
      'system wamid.ECHO0001:status:read',
      'edit wamid.EDIT0001',
      'message wamid.IMAGE0001',
      'message wamid.INTERACTIVE0001',
      'message wamid.LOC0001',
      'message wamid.REACTION0001',
      'delete wamid.REVOKE0001',
      'message wamid.TEXT0001',
      'system wamid.UNSUPPORTED0001',
    ]);
    const hits = await steno.search.search({ query: 'HSBC' });
    expect(hits.length).toBeGreaterThanOrEqual(2);
  });

  it('stores nothing new when the same payload is delivered again (a retry or a replay)', async () => {
    const res = await post(payload, signed(payload));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ created: 0, duplicate: 13 });
    expect(await rows()).toHaveLength(13);
  });

  it('refuses a signed body that is not a WhatsApp payload, naming what is wrong, and stores nothing', async () => {
    const cases: [string, RegExp][] = [
      ['{"object":"page","entry":[]}', /not a WhatsApp Business webhook/],
      [
        JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [
            {
              changes: [
                {
                  field: 'messages',
                  value: {
                    metadata: { phone_number_id: '1', display_phone_number: '85230001234' },
                    messages: [
                      {
                        from: '85291234567',
                        id: 'wamid.OK',
                        timestamp: '1778560200',
                        type: 'text',
                        text: { body: 'a' },
                      },
                      {
                        from: '85291234567',
                        id: 'wamid.BAD',
                        timestamp: 'yesterday',
                        type: 'text',
                        text: { body: 'b' },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        }),
        /messages\[1\]\.timestamp/,
      ],
      ['[1,2', /not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body, signed(body));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(await rows()).toHaveLength(13);
  });

  it('fetches media after the text, retrying a failed fetch, and records what could not be fetched', async () => {
    // The server fetches on its own soon after ingest; wait for both pieces of media to be recorded.
    let records: MediaRecordContent[] = [];
    for (let i = 0; i < 200 && records.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      records = await mediaRecords(steno.store);
    }
    expect(records).toHaveLength(2);
    const byMessage = new Map<string | null, MediaRecordContent>(records.map((r) => [r.message.platformMessageId, r]));
    const image = byMessage.get('wamid.IMAGE0001')!;
    expect(image.outcome).toBe('fetched');
    expect(image.attempts).toBe(2);
    expect(image.attachment).toEqual({
      filename: 'image-1001.jpg',
      contentType: 'image/jpeg',
      sha256: createHash('sha256').update(IMAGE).digest('hex'),
      size: IMAGE.length,
    });
    expect(await steno.blobs.has(image.attachment!.sha256)).toBe(true);
    const doc = byMessage.get('wamid.DOC0001')!;
    expect(doc).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(doc.error).toMatch(/HTTP 500/);
    expect(doc.error).not.toContain(ACCESS_TOKEN);
    // Every Graph request carried the token; the text was archived before any of them.
    expect(graphRequests.every((r) => r.auth === `Bearer ${ACCESS_TOKEN}`)).toBe(true);
    // A second run finds nothing new to fetch.
    expect(await steno.media.catchUp()).toEqual({ messages: 0, fetched: 0, failed: 0 });
  });

  it("shows the channel's traffic and failures in /api/v1/channels", async () => {
    const token = (await steno.tokens.create({ name: 'supervisor', scopes: ['read'] })).token;
    const res = await fetch(`${base}/api/v1/channels`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const { channels } = (await res.json()) as {
      channels: {
        channel: string;
        eventsThisHour: number;
        signatureFailuresLastTwoHours: number;
        fetchFailuresLastDay: number;
        status: string;
      }[];
    };
    const number = channels.find((c) => c.channel === 'whatsapp:106540352242922');
    // Both deliveries count (the platform sent them), whether or not they were new.
    expect(number).toMatchObject({ eventsThisHour: 26, fetchFailuresLastDay: 1, status: 'learning' });
    const unverified = channels.find((c) => c.channel === 'whatsapp:unverified');
    expect(unverified?.signatureFailuresLastTwoHours).toBe(5);
    expect((await fetch(`${base}/api/v1/channels`)).status).toBe(401);
  });
});
