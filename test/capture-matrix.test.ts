/**
 * The Matrix application service connector on a real server and a real store (STENO_TEST_DB), with a
 * local HTTP server standing in for the homeserver's media endpoints: hs_tokens (correct, wrong,
 * missing, rotated), every event kind of one transaction, repeated transaction ids and events,
 * malformed and oversized transactions that store nothing, the appservice queries, media fetched after
 * the text (authenticated, with the legacy fallback), and the channel's health.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedRaw } from '../src/capture/connectors/connector.js';
import { ENCRYPTED_TEXT } from '../src/capture/connectors/matrix/map.js';
import { matrixMedia, parseMxc } from '../src/capture/connectors/matrix/media.js';
import { type MediaRecordContent, mediaRecords } from '../src/capture/media/fetcher.js';
import { NO_CAPTURE } from '../src/config/capture.js';
import { openSteno, type Steno } from '../src/context.js';
import { buildServer } from '../src/review/api/server.js';
import { createTestBackend, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';

const OLD_HS_TOKEN = 'old-hs-token-0123456789abcdef';
const NEW_HS_TOKEN = 'new-hs-token-0123456789abcdef';
const AS_TOKEN = 'as-token-for-media-0123456789';
const IMAGE = Buffer.from('a PNG in spirit: the chart the desk shared');
const LEGACY_BYTES = Buffer.from('served by a homeserver without authenticated media');
const DESK = '!tradingDesk:example.org';
const ids = {
  join: '$join-Wq3kX9fLr2TmZ8nYc4PaHd7vBs1uEo6i',
  name: '$name-Fj2nVb8Kq5LmXz1Rt7YcWp3Hd9sGe4Ua',
  text: '$text-Kp4Tz8WmQ2xLr6Nc1VbYh9Ds3Fg7Ja5e',
  image: '$image-Rm7Ya2LcV5pXq9Ht3Nw8Bd1Zk6Sf4Ge0',
  reply: '$reply-Bn5Qw1Ze8Xr4Lt7Hc2Vm9Yp3Kd6Jg0Sa',
  edit: '$edit-Hs3Lp9Vx2Nq6Zc8Rt1Wy5Bm7Kf4Dg0Je',
  redact: '$redact-Tz6Mk1Qp8Ws3Yx5Lv9Nc2Hb7Rd4Fg0Ja',
  encrypted: '$enc-Vp2Xn7Lq4Zs9Kc1Wt6Hm3Yb8Rd5Fg0Je',
};

/** A homeserver's media endpoints: authenticated downloads need the as_token; one id only the legacy path has. */
function startHomeserver(requests: { path: string; auth: string | undefined }[]): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    requests.push({ path, auth: req.headers.authorization });
    const json = (status: number, body: object) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const authenticated = /^\/_matrix\/client\/v1\/media\/download\/example\.org\/([A-Za-z0-9_-]+)$/.exec(path);
    if (authenticated !== null) {
      const id = authenticated[1];
      // A homeserver from before authenticated media does not know the endpoint.
      if (id === 'legacyOnly0001') return json(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
      if (req.headers.authorization !== `Bearer ${AS_TOKEN}`) return json(401, { errcode: 'M_MISSING_TOKEN' });
      if (id === 'hsbcChart0001') return res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGE);
      if (id === 'broken0001') return json(500, { errcode: 'M_UNKNOWN' });
      return json(404, { errcode: 'M_NOT_FOUND' });
    }
    if (path === '/_matrix/media/v3/download/example.org/legacyOnly0001' && req.headers.authorization === undefined) {
      return res.writeHead(200, { 'content-type': 'application/pdf' }).end(LEGACY_BYTES);
    }
    return json(404, { errcode: 'M_NOT_FOUND' });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe(`the Matrix appservice connector on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let base: string;
  let homeserver: Server;
  let homeserverUrl: string;
  let transaction: string;
  const homeserverRequests: { path: string; auth: string | undefined }[] = [];
  let signatureFailures = 0;

  beforeAll(async () => {
    transaction = await readFile(join(import.meta.dirname, 'fixtures/matrix/transaction.json'), 'utf8');
    homeserver = await startHomeserver(homeserverRequests);
    homeserverUrl = `http://127.0.0.1:${(homeserver.address() as AddressInfo).port}`;
    backend = await createTestBackend();
    steno = await openSteno(
      {
        ...backend.config(),
        mediaRetryDelaysMs: [10, 10],
        capture: {
          ...NO_CAPTURE,
          matrix: { hsTokens: [OLD_HS_TOKEN, NEW_HS_TOKEN], asToken: AS_TOKEN, homeserverUrl },
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
    await new Promise((resolve) => homeserver?.close(resolve));
  });

  const appservice = '/capture/matrix/_matrix/app/v1';
  const rows = () =>
    rawQuery<{ kind: string; platform_message_id: string; refers_to: string | null; conversation_id: string }>(
      backend,
      'SELECT kind, platform_message_id, refers_to, conversation_id FROM messages ORDER BY leaf_index',
    );
  const put = (txnId: string, body: string, token: string | null = NEW_HS_TOKEN) =>
    fetch(`${base}${appservice}/transactions/${txnId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body,
    });
  const textEvent = (eventId: string, body: string) => ({
    type: 'm.room.message',
    room_id: DESK,
    event_id: eventId,
    sender: '@bob:example.org',
    origin_server_ts: 1778560400000,
    content: { msgtype: 'm.text', body },
  });

  it('refuses a missing or wrong hs_token before reading the body, in the Matrix error shape', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{}, 401, 'M_UNAUTHORIZED'],
      [{ authorization: `Basic ${Buffer.from(`x:${NEW_HS_TOKEN}`).toString('base64')}` }, 401, 'M_UNAUTHORIZED'],
      [{ authorization: 'Bearer ' }, 401, 'M_UNAUTHORIZED'],
      [{ authorization: 'Bearer not-the-hs-token-0123456789' }, 403, 'M_FORBIDDEN'],
      [{ authorization: `Bearer ${NEW_HS_TOKEN}x` }, 403, 'M_FORBIDDEN'],
      [{ authorization: `Bearer ${AS_TOKEN}` }, 403, 'M_FORBIDDEN'],
    ];
    for (const [headers, status, errcode] of cases) {
      // Not even JSON: refused for its token all the same, because the token is checked first.
      for (const body of [transaction, '{not json']) {
        const res = await fetch(`${base}${appservice}/transactions/t-refused`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
        signatureFailures++;
        const text = await res.text();
        expect(res.status, text).toBe(status);
        expect(JSON.parse(text)).toMatchObject({ errcode, error: expect.any(String) });
        expect(text).not.toContain(NEW_HS_TOKEN);
        expect(text).not.toContain(OLD_HS_TOKEN);
      }
    }
    for (const [method, path] of [
      ['GET', '/users/%40bot%3Aexample.org'],
      ['GET', '/rooms/%23desk%3Aexample.org'],
      ['POST', '/ping'],
    ] as const) {
      const missing = await fetch(`${base}${appservice}${path}`, { method });
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({ errcode: 'M_UNAUTHORIZED' });
      const wrong = await fetch(`${base}${appservice}${path}`, {
        method,
        headers: { authorization: 'Bearer not-the-hs-token-0123456789' },
      });
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toMatchObject({ errcode: 'M_FORBIDDEN' });
      signatureFailures += 2;
    }
    expect(await rows()).toHaveLength(0);
  });

  it('archives every event of a transaction (old token, mid-rotation) and answers 200 {} once durable', async () => {
    const res = await put('1', transaction, OLD_HS_TOKEN);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    // Answered after deliver resolved: the rows are there the moment the answer is.
    expect((await rows()).map((r) => [r.kind, r.platform_message_id, r.refers_to, r.conversation_id])).toEqual([
      ['system', ids.join, null, DESK],
      ['system', ids.name, null, DESK],
      ['message', ids.text, null, DESK],
      ['message', ids.image, null, DESK],
      ['message', ids.reply, ids.text, DESK],
      ['edit', ids.edit, ids.text, DESK],
      ['delete', ids.redact, ids.reply, DESK],
      ['system', ids.encrypted, null, '!privateChat:example.org'],
    ]);
    const archived = await steno.search.search({ platform: 'matrix', limit: 100 });
    const byId = new Map(archived.map((hit) => [hit.content?.platformMessageId, hit.content]));
    expect(byId.get(ids.join)?.text).toBe('@carol:example.org joined as Carol Wong');
    expect(byId.get(ids.name)).toMatchObject({ text: '@alice:example.org named the room "HK equities desk"' });
    expect(byId.get(ids.name)?.conversationTitle).toBe('HK equities desk');
    expect(byId.get(ids.text)).toMatchObject({
      sender: '@alice:example.org',
      sentAt: '2026-05-12T04:30:00.000Z',
      text: 'Buy 2000 HSBC at market',
    });
    expect(byId.get(ids.image)?.text).toBe('hsbc-chart.png');
    expect(byId.get(ids.edit)?.text).toBe('Buy 3000 HSBC at market');
    expect(byId.get(ids.redact)?.text).toBe('sent to the wrong room');
    expect(byId.get(ids.encrypted)?.text).toBe(ENCRYPTED_TEXT);
    const raw = byId.get(ids.text)?.raw as CapturedRaw;
    expect(raw.connector).toBe('matrix');
    expect(raw.channel).toBe(`matrix:${new URL(homeserverUrl).host}`);
    expect(raw.event).toEqual(JSON.parse(transaction).events[2]);
    expect((await steno.search.search({ query: 'HSBC' })).length).toBeGreaterThanOrEqual(2);
  });

  it('answers a repeated transaction id 200 {} without delivering it again', async () => {
    // The same txnId with another event in it: a homeserver never does this, so it shows the id alone decides.
    const repeated = JSON.stringify({ events: [textEvent('$never-stored', 'not delivered')] });
    const res = await put('1', repeated);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await rows()).toHaveLength(8);
    expect((await rows()).some((r) => r.platform_message_id === '$never-stored')).toBe(false);
  });

  it('stores nothing new for the same events under another transaction id', async () => {
    const res = await put('2', transaction);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await rows()).toHaveLength(8);
  });

  it('refuses a malformed or oversized transaction whole, and takes its txnId again once fixed', async () => {
    const good = textEvent('$fixed-1', 'Sell 500 Tencent');
    const bad = { ...textEvent('$fixed-2', 'at 390'), origin_server_ts: undefined };
    const refused = await put('3', JSON.stringify({ events: [good, bad] }));
    expect(refused.status).toBe(400);
    const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('events[1].origin_server_ts');
    expect(await rows()).toHaveLength(8);

    const cases: [string, number, string][] = [
      ['{"events": [', 400, 'not valid JSON'],
      ['{"rooms": []}', 400, 'not an application service transaction'],
      [JSON.stringify({ events: Array.from({ length: 1001 }, (_, i) => textEvent(`$many-${i}`, 'x')) }), 413, '1001'],
    ];
    for (const [body, status, text] of cases) {
      const res = await put('4', body);
      expect(res.status).toBe(status);
      expect(await res.text()).toContain(text);
    }
    expect(await rows()).toHaveLength(8);

    // A refused transaction is not remembered: the homeserver's retry, once correct, is archived.
    const retried = await put('3', JSON.stringify({ events: [good, { ...bad, origin_server_ts: 1778560410000 }] }));
    expect(retried.status).toBe(200);
    expect((await rows()).map((r) => r.platform_message_id).slice(8)).toEqual(['$fixed-1', '$fixed-2']);
  });

  it('answers user and room queries 404 M_NOT_FOUND and a ping 200 {}', async () => {
    for (const path of ['/users/%40bot%3Aexample.org', '/rooms/%23desk%3Aexample.org']) {
      const res = await fetch(`${base}${appservice}${path}`, { headers: { authorization: `Bearer ${NEW_HS_TOKEN}` } });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ errcode: 'M_NOT_FOUND' });
    }
    const ping = await fetch(`${base}${appservice}/ping`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OLD_HS_TOKEN}`, 'content-type': 'application/json' },
      body: '{"transaction_id":"steno-ping"}',
    });
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({});
  });

  it("fetches the image after the text from the homeserver's authenticated media, with the as_token", async () => {
    let records: MediaRecordContent[] = [];
    for (let i = 0; i < 200 && records.length < 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      records = await mediaRecords(steno.store);
    }
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      connector: 'matrix',
      mediaId: 'mxc://example.org/hsbcChart0001',
      outcome: 'fetched',
      message: { platformMessageId: ids.image },
    });
    expect(records[0]!.attachment).toEqual({
      filename: 'hsbc-chart.png',
      contentType: 'image/png',
      sha256: createHash('sha256').update(IMAGE).digest('hex'),
      size: IMAGE.length,
    });
    expect(homeserverRequests).toContainEqual({
      path: '/_matrix/client/v1/media/download/example.org/hsbcChart0001',
      auth: `Bearer ${AS_TOKEN}`,
    });
  });

  it("shows the channel's traffic and authentication failures in /api/v1/channels", async () => {
    const token = (await steno.tokens.create({ name: 'supervisor', scopes: ['read'] })).token;
    const res = await fetch(`${base}/api/v1/channels`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const { channels } = (await res.json()) as {
      channels: {
        channel: string;
        platform: string;
        eventsThisHour: number;
        eventsLastHour: number;
        signatureFailuresLastTwoHours: number;
      }[];
    };
    const matrix = channels.find((c) => c.channel === `matrix:${new URL(homeserverUrl).host}`);
    expect(matrix?.platform).toBe('matrix');
    // Transactions 1 and 2 (8 events each) and the retried 3 (2); the repeated txnId was not delivered.
    expect(matrix!.eventsThisHour + matrix!.eventsLastHour).toBe(18);
    expect(matrix!.signatureFailuresLastTwoHours).toBe(signatureFailures);
  });
});

describe('Matrix media', () => {
  let homeserver: Server;
  let homeserverUrl: string;
  const requests: { path: string; auth: string | undefined }[] = [];
  const options = () => ({ maxBytes: 1024 * 1024, signal: AbortSignal.timeout(5000) });

  beforeAll(async () => {
    homeserver = await startHomeserver(requests);
    homeserverUrl = `http://127.0.0.1:${(homeserver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => homeserver?.close(resolve));
  });

  const media = () => matrixMedia({ hsTokens: [OLD_HS_TOKEN], asToken: AS_TOKEN, homeserverUrl });
  const failure = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the fetch to fail');
  };
  const ref = (id: string) => ({ id, filename: null, contentType: null });

  it('finds the mxc URI of files and stickers, and nothing in encrypted files or other events', () => {
    const source = media();
    const message = (content: Record<string, unknown>, type = 'm.room.message') => ({
      type,
      room_id: DESK,
      event_id: '$m',
      sender: '@a:example.org',
      origin_server_ts: 1,
      content,
    });
    expect(
      source.refs(
        message({
          msgtype: 'm.file',
          body: 'see attached',
          filename: 'term-sheet.pdf',
          url: 'mxc://example.org/termSheet01',
          info: { mimetype: 'application/pdf; charset=binary' },
        }),
      ),
    ).toEqual([{ id: 'mxc://example.org/termSheet01', filename: 'term-sheet.pdf', contentType: 'application/pdf' }]);
    for (const msgtype of ['m.image', 'm.video', 'm.audio']) {
      expect(source.refs(message({ msgtype, body: 'clip', url: 'mxc://example.org/clip01' }))).toEqual([
        { id: 'mxc://example.org/clip01', filename: 'clip', contentType: null },
      ]);
    }
    expect(source.refs(message({ body: 'sticker', url: 'mxc://example.org/st1' }, 'm.sticker'))).toHaveLength(1);
    // An edit's file is the replacement content's.
    expect(
      source.refs(
        message({
          msgtype: 'm.image',
          body: '* new caption',
          'm.new_content': { msgtype: 'm.image', body: 'new caption', url: 'mxc://example.org/edited1' },
          'm.relates_to': { rel_type: 'm.replace', event_id: '$orig' },
        }),
      ),
    ).toEqual([{ id: 'mxc://example.org/edited1', filename: 'new caption', contentType: null }]);
    expect(
      source.refs(
        message({ msgtype: 'm.image', body: 'secret.png', file: { url: 'mxc://example.org/enc1', key: {}, iv: '' } }),
      ),
    ).toEqual([]);
    expect(source.refs(message({ msgtype: 'm.text', body: 'hi', url: 'mxc://example.org/x' }))).toEqual([]);
    expect(source.refs(message({ msgtype: 'm.image', body: 'x', url: 'https://evil.example/x' }))).toEqual([]);
    expect(source.refs(message({ msgtype: 'm.image', body: 'x' }, 'm.room.encrypted'))).toEqual([]);
    expect(source.refs(null)).toEqual([]);
  });

  it('downloads with the as_token from the authenticated endpoint', async () => {
    const fetched = await media().fetch(
      { id: 'mxc://example.org/hsbcChart0001', filename: 'chart.png', contentType: null },
      'matrix:x',
      options(),
    );
    expect(fetched).toEqual({ bytes: IMAGE, contentType: 'image/png', filename: 'chart.png' });
    expect(requests.at(-1)).toEqual({
      path: '/_matrix/client/v1/media/download/example.org/hsbcChart0001',
      auth: `Bearer ${AS_TOKEN}`,
    });
  });

  it('falls back to the legacy unauthenticated endpoint when the authenticated one is unknown (404)', async () => {
    const before = requests.length;
    const fetched = await media().fetch(ref('mxc://example.org/legacyOnly0001'), 'matrix:x', options());
    expect(fetched).toEqual({ bytes: LEGACY_BYTES, contentType: 'application/pdf', filename: 'matrix-legacyOnly0001' });
    expect(requests.slice(before)).toEqual([
      { path: '/_matrix/client/v1/media/download/example.org/legacyOnly0001', auth: `Bearer ${AS_TOKEN}` },
      // The token is not sent where it is not asked for.
      { path: '/_matrix/media/v3/download/example.org/legacyOnly0001', auth: undefined },
    ]);
  });

  it('refuses URIs that are not mxc://<server>/<media id>, without a request', async () => {
    const before = requests.length;
    for (const id of [
      'https://example.org/media/abc',
      'mxc://example.org',
      'mxc://example.org/',
      'mxc://example.org/a/b',
      'mxc://example.org/../../admin',
      'mxc://../abc',
      'mxc://exa..mple.org/abc',
      'mxc://.example.org/abc',
      'mxc://example.org/abc?x=1',
      'mxc://example.org/ab%2Fc',
      'mxc://user@example.org/abc',
      'mxc:///abc',
      `mxc://example.org/${'a'.repeat(256)}`,
    ]) {
      expect(parseMxc(id), id).toBeNull();
      expect(await failure(media().fetch(ref(id), 'matrix:x', options())), id).toContain('not an mxc://');
    }
    expect(requests.length).toBe(before);
    expect(parseMxc('mxc://matrix.example.org:8448/Ab_c-9')).toEqual({
      server: 'matrix.example.org:8448',
      mediaId: 'Ab_c-9',
    });
    expect(parseMxc('mxc://[2001:db8::1]:8448/abc')).toEqual({ server: '[2001:db8::1]:8448', mediaId: 'abc' });
  });

  it('fails with messages that name what went wrong and never the token', async () => {
    const broken = await failure(media().fetch(ref('mxc://example.org/broken0001'), 'matrix:x', options()));
    expect(broken).toContain('HTTP 500');
    // Missing everywhere: the legacy endpoint's 404 is the last word.
    const missing = await failure(media().fetch(ref('mxc://example.org/gone0001'), 'matrix:x', options()));
    expect(missing).toContain('/_matrix/media/v3/download/example.org/gone0001: HTTP 404');
    const unreachable = await failure(
      matrixMedia({ hsTokens: [OLD_HS_TOKEN], asToken: AS_TOKEN, homeserverUrl: 'http://127.0.0.1:1' }).fetch(
        ref('mxc://example.org/hsbcChart0001'),
        'matrix:x',
        options(),
      ),
    );
    expect(unreachable).toContain('unreachable');
    for (const message of [broken, missing, unreachable]) expect(message).not.toContain(AS_TOKEN);

    const noToken = matrixMedia({ hsTokens: [OLD_HS_TOKEN], asToken: null, homeserverUrl });
    expect(await failure(noToken.fetch(ref('mxc://example.org/hsbcChart0001'), 'matrix:x', options()))).toContain(
      'no Matrix asToken is configured',
    );
    const noServer = matrixMedia({ hsTokens: [OLD_HS_TOKEN], asToken: AS_TOKEN, homeserverUrl: null });
    expect(await failure(noServer.fetch(ref('mxc://example.org/hsbcChart0001'), 'matrix:x', options()))).toContain(
      'no Matrix homeserverUrl is configured',
    );
  });
});
