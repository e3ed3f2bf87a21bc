/**
 * The generic signed webhook on a real server and a real store (STENO_TEST_DB): correct, wrong, missing,
 * stale and replayed signatures, a rotation with two secrets, and bad payloads that store nothing.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSignature } from '../src/capture/connectors/webhook/signature.js';
import { loadConfig } from '../src/config/config.js';
import { openSteno, type Steno } from '../src/context.js';
import { buildServer } from '../src/review/api/server.js';
import { createTestBackend, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';
import { message } from './support/messages.js';

const OLD_SECRET = 'old-secret-0123456789abcdefghijklmnop';
const NEW_SECRET = 'new-secret-0123456789abcdefghijklmnop';

describe(`the signed webhook on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno(
      { ...backend.config(), webhookSources: { crm: [OLD_SECRET, NEW_SECRET] } },
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

  const messages = async () =>
    Number((await rawQuery<{ n: number | string }>(backend, 'SELECT count(*) AS n FROM messages'))[0]!.n);
  const now = () => String(Math.floor(Date.now() / 1000));
  const post = (body: string, headers: Record<string, string>, source = 'crm') =>
    fetch(`${base}/capture/webhook/${source}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signed = (body: string, secret = NEW_SECRET, timestamp = now()) => ({
    'x-steno-timestamp': timestamp,
    'x-steno-signature': webhookSignature(secret, timestamp, Buffer.from(body)),
  });

  it('archives a signed message, once, and refuses the same delivery replayed', async () => {
    const body = JSON.stringify(message({ platformMessageId: 'crm-1', text: 'Buy 2000 HSBC at market' }));
    const headers = signed(body);
    const first = await post(body, headers);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ accepted: 1, created: 1, duplicate: 0 });
    expect(await messages()).toBe(1);
    const replay = await post(body, headers);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('a replay');
    // The same message delivered again, freshly signed, is already archived.
    const again = await post(body, signed(body, NEW_SECRET, String(Number(now()) + 1)));
    expect(again.status).toBe(200);
    expect(await messages()).toBe(1);
  });

  it('accepts either secret while one is rotated', async () => {
    const body = JSON.stringify([message({ platformMessageId: 'crm-2' }), message({ platformMessageId: 'crm-3' })]);
    const res = await post(body, signed(body, OLD_SECRET));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accepted: 2, created: 2, duplicate: 0 });
  });

  it('refuses wrong, missing, malformed and stale signatures before reading the body', async () => {
    const before = await messages();
    const body = JSON.stringify(message({ platformMessageId: 'crm-x' }));
    const stale = String(Number(now()) - 400);
    const cases: [Record<string, string>, string][] = [
      [signed(body, 'wrong-secret-0123456789abcdefghijklmnop'), 'does not match'],
      [{ 'x-steno-timestamp': now() }, 'sign the request'],
      [{ 'x-steno-signature': signed(body)['x-steno-signature'] }, 'sign the request'],
      [{ ...signed(body), 'x-steno-signature': 'sha256=abc' }, 'must be v1=<64 hex digits>'],
      [signed(body, NEW_SECRET, stale), 'more than 300 s from now'],
      [signed(body, NEW_SECRET, String(Number(now()) + 400)), 'more than 300 s from now'],
      [{ ...signed(body), 'x-steno-timestamp': 'yesterday' }, 'must be Unix seconds'],
      // Signed for one body, sent with another.
      [signed(JSON.stringify(message({ platformMessageId: 'crm-y' }))), 'does not match'],
    ];
    for (const [headers, text] of cases) {
      const res = await post(body, headers);
      expect(res.status, text).toBe(401);
      expect(await res.text(), text).toContain(text);
    }
    expect(await messages()).toBe(before);
  });

  it('refuses an unknown source and bad payloads, storing nothing', async () => {
    const before = await messages();
    const body = JSON.stringify(message({ platformMessageId: 'crm-z' }));
    expect((await post(body, signed(body), 'erp')).status).toBe(404);
    const notJson = '{"platform": "whatsapp",';
    const res = await post(notJson, signed(notJson));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not valid JSON');
    const badBatch = JSON.stringify([message({ platformMessageId: 'crm-ok' }), message({ sentAt: 'tuesday' })]);
    const bad = await post(badBatch, signed(badBatch));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('[1].sentAt');
    expect(await messages()).toBe(before);
  });
});

describe('webhook secrets in config', () => {
  it('reads sources from a file and names the source, never the secret, when one is bad', async () => {
    const backend = await createTestBackend();
    try {
      const good = join(backend.dataDir, 'good.json');
      await writeFile(good, JSON.stringify({ crm: [OLD_SECRET], 'order-desk': [OLD_SECRET, NEW_SECRET] }));
      expect(loadConfig({ ...backend.env, STENO_WEBHOOK_SECRETS_FILE: good }).webhookSources).toEqual({
        crm: [OLD_SECRET],
        'order-desk': [OLD_SECRET, NEW_SECRET],
      });
      const bad = join(backend.dataDir, 'bad.json');
      await writeFile(bad, JSON.stringify({ crm: ['short-secret'], 'Bad Name': [OLD_SECRET], erp: [] }));
      let text = '';
      try {
        loadConfig({ ...backend.env, STENO_WEBHOOK_SECRETS_FILE: bad });
      } catch (error) {
        text = (error as Error).message;
      }
      expect(text).toContain('STENO_WEBHOOK_SECRETS_FILE.crm: each secret must be a string of 32 to 1024 characters');
      expect(text).toContain('STENO_WEBHOOK_SECRETS_FILE.Bad Name: a source is');
      expect(text).toContain('STENO_WEBHOOK_SECRETS_FILE.erp: must be a list of one secret');
      expect(text).not.toContain('short-secret');
      expect(() =>
        loadConfig({ ...backend.env, STENO_WEBHOOK_SECRETS_FILE: join(backend.dataDir, 'none.json') }),
      ).toThrow('cannot read');
    } finally {
      await backend.cleanup();
    }
  });
});
