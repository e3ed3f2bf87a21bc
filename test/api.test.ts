/** The HTTP API on a real server and a real store (STENO_TEST_DB). */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSteno, type Steno } from '../src/context.js';
import { sha256Hex } from '../src/core/hash.js';
import { verifyCheckpoint } from '../src/ledger/note/checkpoint.js';
import { buildServer } from '../src/review/api/server.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { CHAT, message } from './support/messages.js';

describe(`HTTP API on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let base: string;
  let ingestToken: string;
  let readToken: string;

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno({ ...backend.config(), maxBodyBytes: 256 * 1024 }, { createKey: true });
    ingestToken = (await steno.tokens.create({ name: 'connector', scopes: ['ingest'] })).token;
    readToken = (await steno.tokens.create({ name: 'reviewer', scopes: ['read'] })).token;
    app = await buildServer(steno);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await steno?.close();
    await backend?.cleanup();
  });

  const post = (body: unknown, token = ingestToken, raw?: string) =>
    fetch(`${base}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body),
    });
  const get = (path: string, token = readToken) =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('creates one message with 201 and answers a repeat with 200 and the original id', async () => {
    const first = await post(message({ platformMessageId: 'api-1' }));
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; ledgerIndex: number; status: string };
    expect(created).toMatchObject({ ledgerIndex: 0, status: 'created' });
    const again = await post(message({ platformMessageId: 'api-1' }));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ...created, status: 'duplicate' });
  });

  it('accepts an array and reports each item', async () => {
    const res = await post(CHAT);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { results: { status: string; ledgerIndex: number }[] };
    expect(body.results).toHaveLength(CHAT.length);
    expect(new Set(body.results.map((r) => r.ledgerIndex)).size).toBe(CHAT.length);
  });

  it('rejects bad JSON and bad fields with 400 listing each problem, storing nothing of the batch', async () => {
    const before = await steno.store.treeSize();
    const badJson = await post(undefined, ingestToken, '[{"platform":');
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: string } }).error.code).toBe('invalid_input');

    const res = await post([
      message({ platformMessageId: 'fine' }),
      { ...message(), sentAt: '2026-05-04 09:30' },
      { ...message(), kind: 'recall' },
    ]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { problems: { where: string; message: string }[] } };
    expect(body.error.problems.map((p) => p.where)).toEqual(['[1].sentAt', '[2].refersTo']);
    expect(await steno.store.treeSize()).toBe(before);
    expect((await post([])).status).toBe(400);
    expect((await post('just a string')).status).toBe(400);
  });

  it('answers 413 over the size limit and over 1,000 messages', async () => {
    const huge = await post(message({ text: 'x'.repeat(300 * 1024) }));
    expect(huge.status).toBe(413);
    const many = await post(Array.from({ length: 1001 }, (_, i) => ({ i })));
    expect(many.status).toBe(413);
  });

  it('refuses an unauthenticated upload before reading its body', async () => {
    const res = await fetch(`${base}/api/v1/attachments/${'a'.repeat(64)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(8 * 1024 * 1024),
    });
    expect(res.status).toBe(401);
    expect(await steno.blobs.has('a'.repeat(64))).toBe(false);
  });

  it('requires a token with the right scope', async () => {
    expect((await post(message(), 'steno_not-a-real-token')).status).toBe(401);
    expect((await fetch(`${base}/api/v1/messages`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await post(message(), readToken)).status).toBe(403);
    expect((await get('/api/v1/search?q=hsbc', ingestToken)).status).toBe(403);
  });

  it('serves the latest signed checkpoint', async () => {
    await steno.ledger.checkpoint();
    const res = await get('/api/v1/checkpoint', ingestToken);
    expect(res.status).toBe(200);
    const note = await res.text();
    expect(verifyCheckpoint(note, steno.verifierKey).size).toBe(await steno.store.treeSize());
  });

  it('searches with filters, and rejects malformed queries and dates', async () => {
    const res = await get(`/api/v1/search?q=${encodeURIComponent('騰訊')}&platform=whatsapp`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { content: { text: string } }[] };
    expect(body.results.map((r) => r.content.text)).toEqual(['幫我買騰訊 100手 @ 380']);
    // A date as the upper bound includes that whole day (UTC).
    const may4 = await get(`/api/v1/search?q=${encodeURIComponent('騰訊')}&from=2026-05-04&to=2026-05-04`);
    const may4Body = (await may4.json()) as { results: { content: { platformMessageId: string } }[] };
    expect(may4Body.results.map((r) => r.content.platformMessageId)).toEqual(['m3']);
    expect((await get('/api/v1/search?q=%22open')).status).toBe(400);
    expect((await get('/api/v1/search?q=hsbc&from=last-week')).status).toBe(400);
    expect((await get('/api/v1/search?q=hsbc&limit=0')).status).toBe(400);
    // Selecting by a client the directory does not hold is a 404 that says so.
    const noClient = await get('/api/v1/search?q=hsbc&client=C404');
    expect(noClient.status).toBe(404);
    expect(JSON.stringify(await noClient.json())).toContain('no client C404 in the directory');
  });

  it('stores attachments by content hash, inline or uploaded', async () => {
    const bytes = Buffer.from('%PDF-1.4 trade confirmation');
    const digest = sha256Hex(bytes);
    const wrong = await fetch(`${base}/api/v1/attachments/${'0'.repeat(64)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(wrong.status).toBe(400);
    const put = await fetch(`${base}/api/v1/attachments/${digest}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(put.status).toBe(201);
    expect((await steno.blobs.get(digest))?.equals(bytes)).toBe(true);
    const inline = await post(
      message({
        platformMessageId: 'with-attachment',
        attachments: [
          { filename: 'note.txt', contentType: 'text/plain', data: Buffer.from('hello').toString('base64') },
        ],
      }),
    );
    expect(inline.status).toBe(201);
    expect(await steno.blobs.has(sha256Hex(Buffer.from('hello')))).toBe(true);
  });

  it('answers health checks without a token', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('has no debug or dump endpoints', async () => {
    for (const path of ['/debug', '/heapdump', '/actuator/heapdump', '/metrics', '/api/v1/debug']) {
      expect((await get(path)).status).toBe(404);
    }
  });
});
