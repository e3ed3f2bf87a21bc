/**
 * The console's API on a real server and store: signing in through every stage, sessions, CSRF,
 * lockout and rate limits, every role's boundaries, desks as information barriers, and the access log.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_RECORD } from '../src/audit/access.js';
import { MEDIA_RECORD, type MediaRecordContent } from '../src/capture/media/fetcher.js';
import { openSteno, type Steno } from '../src/context.js';
import { canonicalBytes } from '../src/core/canonical-json.js';
import { sha256Hex } from '../src/core/hash.js';
import { newRecordId } from '../src/core/ids.js';
import { prepareRecord } from '../src/ledger/log.js';
import { buildServer } from '../src/review/api/server.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';
import { ConsoleClient, NEW_PASSWORD, PASSWORD, userClient } from './support/console.js';
import { CHAT, message } from './support/messages.js';
import { unzipTo } from './support/unzip.js';

const STAFF_CSV = `employee_id,name,desk,supervisor_id,handles
S1,RM Wong,equities-hk,,whatsapp:+85298765432
S2,Trader Lee,fixed-income,,whatsapp:+85290000002
`;
const INSTRUMENTS_CSV = `symbol,name,aliases,lot_size,currency,exchange
0005.HK,HSBC Holdings,HSBC|滙豐,400,HKD,HKEX
0700.HK,Tencent Holdings,Tencent|騰訊,100,HKD,HKEX
`;
const PDF = Buffer.from('%PDF-1.4 bond term sheet');
/** Desk fixed-income's conversation: equities-hk must not see it. */
const BOND_CHAT = [
  message({
    conversationId: 'conv-fi-001',
    platformMessageId: 'b1',
    sender: '+85291111111',
    recipients: ['+85290000002'],
    account: '+85290000002',
    text: '騰訊 bonds: buy 5mm please',
    attachments: [
      {
        filename: 'terms.pdf',
        contentType: 'application/pdf',
        sha256: sha256Hex(PDF),
        size: PDF.length,
        data: PDF.toString('base64'),
      },
    ],
  }),
  message({
    conversationId: 'conv-fi-001',
    platformMessageId: 'b2',
    sender: '+85291111111',
    recipients: ['+85290000002'],
    text: 'call me on Signal instead',
  }),
];
/** Equities-hk's conversation, with a message the off-channel rule raises an alert on. */
const HK_CHAT = [
  ...CHAT.filter((m) => m.conversationId === 'conv-hk-001'),
  message({ platformMessageId: 'm7', text: 'let us move to Signal, 加我微信', sentAt: '2026-05-04T10:30:00+08:00' }),
];

describe(`the console's API on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let base: string;
  const clients: Record<string, ConsoleClient> = {};

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno(backend.config(), { createKey: true });
    await steno.directory.importCsv('staff', STAFF_CSV, { file: 'staff.csv', by: 'test' });
    await steno.instruments.importCsv(INSTRUMENTS_CSV, { file: 'instruments.csv', by: 'test' });
    await steno.ingest.ingest(steno.ingest.validate([...CHAT, ...HK_CHAT.slice(-1), ...BOND_CHAT], (i) => `[${i}]`));
    // Every sign-in here comes from one address: the per-address limit has a test of its own below.
    app = await buildServer(steno, { signInsPerMinute: 1000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    clients.admin = await userClient(steno, base, { username: 'ada', role: 'admin' });
    clients.reviewer = await userClient(steno, base, { username: 'rita', role: 'reviewer', desks: ['equities-hk'] });
    clients.supervisor = await userClient(steno, base, { username: 'sam', role: 'supervisor', desks: ['equities-hk'] });
    clients.auditor = await userClient(steno, base, { username: 'otto', role: 'auditor' });
  });
  afterAll(async () => {
    await app?.close();
    await steno?.close();
    await backend?.cleanup();
  });

  it('takes an admin through changing the one-time password and enrolling TOTP before anything else', async () => {
    const { oneTimePassword } = await steno.accounts.create({ username: 'newadmin', role: 'admin' });
    const client = new ConsoleClient(base);
    const first = await client.call('POST', '/api/v1/session', { username: 'newadmin', password: oneTimePassword });
    expect(first.status).toBe(200);
    const session = (await first.json()) as { stage: string; csrfToken: string };
    expect(session.stage).toBe('change-password');
    client.csrf = session.csrfToken;
    // Nothing else is reachable before the stages are done.
    const early = await client.call('GET', '/api/v1/users');
    expect(early.status).toBe(401);
    expect(await early.text()).toContain('change-password');
    const weak = await client.call('POST', '/api/v1/session/password', { current: oneTimePassword, next: 'short' });
    expect(weak.status).toBe(400);
    const changed = await client.json<{ stage: string }>('POST', '/api/v1/session/password', {
      current: oneTimePassword,
      next: NEW_PASSWORD,
    });
    expect(changed.stage).toBe('enroll-totp');
    expect((await client.call('GET', '/api/v1/users')).status).toBe(401);
    const { secret, uri } = await client.json<{ secret: string; uri: string }>('POST', '/api/v1/session/totp/setup');
    expect(uri).toContain(`secret=${secret}`);
    const wrong = await client.call('POST', '/api/v1/session/totp/confirm', { code: '000000' });
    expect([401, 429]).toContain(wrong.status);
    const ready = await client.json<{ stage: string }>('POST', '/api/v1/session/totp/confirm', {
      code: await client.freshCode(secret),
    });
    expect(ready.stage).toBe('ready');
    expect((await client.call('GET', '/api/v1/users')).status).toBe(200);

    // The next sign-in asks for a code, and a code works once.
    client.totpSecret = secret;
    const again = new ConsoleClient(base);
    again.totpSecret = secret;
    const second = await again.json<{ stage: string; csrfToken: string }>('POST', '/api/v1/session', {
      username: 'newadmin',
      password: NEW_PASSWORD,
    });
    expect(second.stage).toBe('totp');
    again.csrf = second.csrfToken;
    const code = await again.freshCode(secret);
    expect((await again.json<{ stage: string }>('POST', '/api/v1/session/totp', { code })).stage).toBe('ready');
    const replay = new ConsoleClient(base);
    const third = await replay.json<{ csrfToken: string }>('POST', '/api/v1/session', {
      username: 'newadmin',
      password: NEW_PASSWORD,
    });
    replay.csrf = third.csrfToken;
    expect((await replay.call('POST', '/api/v1/session/totp', { code })).status).toBe(401);
  });

  it('keeps the session in an HttpOnly, SameSite=Strict cookie and stores only its hash', async () => {
    const client = new ConsoleClient(base);
    const res = await client.call('POST', '/api/v1/session', { username: 'rita', password: NEW_PASSWORD });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^steno_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const token = client.cookie!.split('=')[1]!;
    expect(await steno.store.findSession(Buffer.from(token))).toBeNull();
    const users = await steno.store.listUsers();
    expect(users.find((u) => u.username === 'rita')!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(users)).not.toContain(NEW_PASSWORD);
    // Signing out ends the session.
    client.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
    expect((await client.call('DELETE', '/api/v1/session')).status).toBe(204);
    expect((await new ConsoleClient(base).call('GET', '/api/v1/session')).status).toBe(401);
  });

  it('refuses a change without the CSRF token, or from another origin', async () => {
    const reviewer = clients.reviewer!;
    const csrf = reviewer.csrf;
    reviewer.csrf = null;
    const alert = '01a1fdf5-c7b5-73e4-92a1-f1256c0d5209';
    const without = await reviewer.call('POST', `/api/v1/alerts/${alert}/comment`, { text: 'x' });
    expect(without.status).toBe(403);
    expect(await without.text()).toContain('X-CSRF-Token');
    reviewer.csrf = 'wrong'.repeat(5);
    expect((await reviewer.call('POST', `/api/v1/alerts/${alert}/comment`, { text: 'x' })).status).toBe(403);
    reviewer.csrf = csrf;
    const foreign = await reviewer.call(
      'POST',
      `/api/v1/alerts/${alert}/comment`,
      { text: 'x' },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    const signInElsewhere = await new ConsoleClient(base).call(
      'POST',
      '/api/v1/session',
      { username: 'rita', password: NEW_PASSWORD },
      { origin: 'https://evil.example' },
    );
    expect(signInElsewhere.status).toBe(403);
  });

  it('answers a wrong password and an unknown user alike, and locks an account after five failures', async () => {
    await steno.accounts.create({ username: 'lou', role: 'auditor', password: PASSWORD });
    const client = new ConsoleClient(base);
    const unknown = await client.call('POST', '/api/v1/session', { username: 'nobody', password: PASSWORD });
    const wrong = await client.call('POST', '/api/v1/session', { username: 'lou', password: 'not the password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await unknown.text()).toBe(await wrong.text());
    // A password typed into the username field is not kept: the failed sign-in names no one.
    const typo = await client.call('POST', '/api/v1/session', { username: 'Hunter2-is-my-pass', password: 'x' });
    expect(typo.status).toBe(401);
    const [failed] = await steno.access.list({ action: 'sign-in.failed', limit: 1 });
    expect(failed!.actor).toBe('user:?');
    for (let i = 0; i < 4; i++) {
      expect(
        (await client.call('POST', '/api/v1/session', { username: 'lou', password: 'nope nope nope' })).status,
      ).toBe(401);
    }
    const locked = await client.call('POST', '/api/v1/session', { username: 'lou', password: PASSWORD });
    expect(locked.status).toBe(401);
    // Locked, even with the right password; and said as a wrong password is, so as not to confirm the name.
    const lockedText = await locked.text();
    expect(lockedText).toContain('locked');
    expect(lockedText).toBe(
      await (await client.call('POST', '/api/v1/session', { username: 'nobody', password: PASSWORD })).text(),
    );
    // An admin's reset unlocks it, with a new one-time password.
    const reset = await clients.admin!.json<{ oneTimePassword: string }>('POST', '/api/v1/users/lou/reset');
    const after = await client.call('POST', '/api/v1/session', { username: 'lou', password: reset.oneTimePassword });
    expect(after.status).toBe(200);
    expect(((await after.json()) as { stage: string }).stage).toBe('change-password');
  });

  it('refuses malformed sign-ins and account changes, naming the field', async () => {
    const client = new ConsoleClient(base);
    expect((await client.call('POST', '/api/v1/session', ['not', 'an', 'object'])).status).toBe(400);
    expect((await client.call('POST', '/api/v1/session', { username: 'rita' })).status).toBe(400);
    // Before anyone is known, a body over 4 KiB is refused unread.
    const long = await client.call('POST', '/api/v1/session', { username: 'rita', password: 'x'.repeat(10_000) });
    expect(long.status).toBe(413);
    const tooLong = await client.call('POST', '/api/v1/session', { username: 'rita', password: 'x'.repeat(1000) });
    expect(tooLong.status).toBe(400);
    const admin = clients.admin!;
    const bad = [
      [{ username: '<script>', role: 'reviewer', desks: ['equities-hk'] }, 'username'],
      [{ username: 'vic', role: 'root' }, 'role'],
      [{ username: 'vic', role: 'reviewer', desks: [] }, 'desks'],
      [{ username: 'vic', role: 'reviewer', desks: 'equities-hk' }, 'desks'],
    ] as const;
    for (const [body, where] of bad) {
      const res = await admin.call('POST', '/api/v1/users', body);
      expect(res.status).toBe(400);
      const error = ((await res.json()) as { error: { problems: { where: string }[] } }).error;
      expect(error.problems[0]!.where).toBe(where);
    }
    expect((await admin.call('PATCH', '/api/v1/users/rita', { password: 'x' })).status).toBe(400);
    expect((await admin.call('PATCH', '/api/v1/users/nobody', { role: 'auditor' })).status).toBe(404);
    expect((await admin.call('POST', '/api/v1/users', { username: 'rita', role: 'auditor' })).status).toBe(409);
    expect((await steno.accounts.list()).some((u) => u.username === 'vic')).toBe(false);
  });

  it('refuses bad paging, tokens and export selections by name, and stores nothing for them', async () => {
    const reviewer = clients.reviewer!;
    for (const path of [
      '/api/v1/conversations/conv-hk-001?limit=0',
      '/api/v1/conversations/conv-hk-001?limit=5001',
      '/api/v1/conversations/conv-hk-001?before=-1',
    ]) {
      const res = await reviewer.call('GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(((await res.json()) as { error: { problems: { where: string }[] } }).error.problems[0]!.where).toMatch(
        /^(limit|before)$/,
      );
    }
    expect((await clients.auditor!.call('GET', '/api/v1/audit?limit=5000')).status).toBe(400);
    const tokensBefore = (await steno.tokens.list()).length;
    const admin = clients.admin!;
    for (const [body, where] of [
      [{ name: 'ok-name', scopes: ['root'] }, '--scope'],
      [{ name: 'bad name!', scopes: ['read'] }, '--name'],
      [{ name: 'ok-name', scopes: 'read' }, 'scopes'],
      [{ scopes: ['read'] }, 'name'],
    ] as const) {
      const res = await admin.call('POST', '/api/v1/tokens', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { problems: { where: string }[] } }).error.problems[0]!.where).toBe(where);
    }
    expect((await steno.tokens.list()).length).toBe(tokensBefore);
    const badExport = await reviewer.call('POST', '/api/v1/exports', { q: '"unclosed' });
    expect(badExport.status).toBe(400);
    expect((await reviewer.call('POST', '/api/v1/exports', { from: 'last week' })).status).toBe(400);
  });

  it('gives each role what it may do and nothing else', async () => {
    const policy = (await steno.policies.inForce()).policy;
    const cases: [string, string, unknown, Record<string, number>][] = [
      ['GET', '/api/v1/search?q=HSBC', undefined, { admin: 403, reviewer: 200, supervisor: 200, auditor: 200 }],
      ['GET', '/api/v1/orders', undefined, { admin: 403, reviewer: 200, supervisor: 200, auditor: 200 }],
      ['GET', '/api/v1/alerts', undefined, { admin: 403, reviewer: 200, supervisor: 200, auditor: 200 }],
      [
        'GET',
        '/api/v1/conversations/conv-hk-001',
        undefined,
        { admin: 403, reviewer: 200, supervisor: 200, auditor: 200 },
      ],
      ['GET', '/api/v1/users', undefined, { admin: 200, reviewer: 403, supervisor: 403, auditor: 403 }],
      ['GET', '/api/v1/tokens', undefined, { admin: 200, reviewer: 403, supervisor: 403, auditor: 403 }],
      ['GET', '/api/v1/audit', undefined, { admin: 403, reviewer: 403, supervisor: 403, auditor: 200 }],
      ['GET', '/api/v1/policy', undefined, { admin: 200, reviewer: 200, supervisor: 200, auditor: 200 }],
      ['PUT', '/api/v1/policy', policy, { admin: 200, reviewer: 403, supervisor: 403, auditor: 403 }],
      ['POST', '/api/v1/alerts/scan', undefined, { admin: 403, reviewer: 200, supervisor: 200, auditor: 403 }],
      ['GET', '/api/v1/dashboard', undefined, { admin: 200, reviewer: 200, supervisor: 200, auditor: 200 }],
      ['GET', '/api/v1/reconciliation', undefined, { admin: 403, reviewer: 200, supervisor: 200, auditor: 200 }],
      ['POST', '/api/v1/exports/preview', {}, { admin: 403, reviewer: 200, supervisor: 200, auditor: 200 }],
      ['GET', '/api/v1/directory/staff', undefined, { admin: 200, reviewer: 200, supervisor: 200, auditor: 200 }],
      ['GET', '/api/v1/desks', undefined, { admin: 200, reviewer: 200, supervisor: 200, auditor: 200 }],
      ['DELETE', '/api/v1/tokens/none', undefined, { admin: 404, reviewer: 403, supervisor: 403, auditor: 403 }],
      ['POST', '/api/v1/messages', message(), { admin: 403, reviewer: 403, supervisor: 403, auditor: 403 }],
      [
        'POST',
        '/api/v1/users',
        { username: 'x', role: 'auditor' },
        { admin: 201, reviewer: 403, supervisor: 403, auditor: 403 },
      ],
      ['POST', '/api/v1/users/x/reset', undefined, { admin: 200, reviewer: 403, supervisor: 403, auditor: 403 }],
    ];
    for (const [method, path, body, expected] of cases) {
      for (const [role, status] of Object.entries(expected)) {
        const res = await clients[role]!.call(method, path, body);
        expect({ role, method, path, status: res.status }).toEqual({ role, method, path, status });
      }
    }
  });

  it('lets only a supervisor assign and sign off alerts', async () => {
    await steno.rules.scan();
    const { alerts } = await clients.supervisor!.json<{
      alerts: { id: string; subject: { conversationId: string } }[];
    }>('GET', '/api/v1/alerts');
    // Both desks' conversations raised alerts; the supervisor of equities-hk sees theirs only.
    expect(new Set(alerts.map((a) => a.subject.conversationId))).toEqual(new Set(['conv-hk-001']));
    const all = await clients.auditor!.json<{ alerts: { id: string; subject: { conversationId: string } }[] }>(
      'GET',
      '/api/v1/alerts',
    );
    expect(new Set(all.alerts.map((a) => a.subject.conversationId))).toEqual(new Set(['conv-hk-001', 'conv-fi-001']));
    // A page is filled past the alerts behind the barrier, so a page of one is never empty while any remain.
    const newestFirst = all.alerts.map((a) => a.subject.conversationId);
    expect(newestFirst[0]).toBe('conv-fi-001');
    const one = await clients.supervisor!.json<{ alerts: { subject: { conversationId: string } }[] }>(
      'GET',
      '/api/v1/alerts?limit=1',
    );
    expect(one.alerts.map((a) => a.subject.conversationId)).toEqual(['conv-hk-001']);
    const other = all.alerts.find((a) => a.subject.conversationId === 'conv-fi-001')!;
    expect((await clients.supervisor!.call('GET', `/api/v1/alerts/${other.id}`)).status).toBe(404);
    expect((await clients.supervisor!.call('POST', `/api/v1/alerts/${other.id}/comment`, { text: 'x' })).status).toBe(
      404,
    );
    // The summary counts what the caller may see, too.
    const summary = await clients.supervisor!.json<{ counts: { count: number }[] }>('GET', '/api/v1/alerts/summary');
    expect(summary.counts.reduce((n, c) => n + c.count, 0)).toBe(
      (await clients.supervisor!.json<{ alerts: unknown[] }>('GET', '/api/v1/alerts?limit=1000')).alerts.length,
    );
    const everything = await clients.auditor!.json<{ counts: { count: number }[] }>('GET', '/api/v1/alerts/summary');
    expect(everything.counts.reduce((n, c) => n + c.count, 0)).toBe(all.alerts.length);
    const id = alerts[0]!.id;
    const reviewerAssign = await clients.reviewer!.call('POST', `/api/v1/alerts/${id}/assign`, { assignee: 'rita' });
    expect(reviewerAssign.status).toBe(403);
    expect(await reviewerAssign.text()).toContain('alerts.assign');
    expect((await clients.reviewer!.call('POST', `/api/v1/alerts/${id}/approve`, {})).status).toBe(403);
    expect((await clients.auditor!.call('POST', `/api/v1/alerts/${id}/comment`, { text: 'x' })).status).toBe(403);
    const assigned = await clients.supervisor!.json<{ assignee: string; history: { by: string }[] }>(
      'POST',
      `/api/v1/alerts/${id}/assign`,
      { assignee: 'rita' },
    );
    expect(assigned.assignee).toBe('rita');
    expect(assigned.history.at(-1)!.by).toBe('user:sam');
    const commented = await clients.reviewer!.json<{ history: { by: string }[] }>(
      'POST',
      `/api/v1/alerts/${id}/comment`,
      { text: 'looked at it' },
    );
    expect(commented.history.at(-1)!.by).toBe('user:rita');
  });

  it("keeps a reviewer inside their desks: other desks' conversations, messages and attachments do not exist", async () => {
    const reviewer = clients.reviewer!;
    const auditor = clients.auditor!;
    const own = await reviewer.json<{ desks: string[]; messages: { content: { text: string } }[] }>(
      'GET',
      '/api/v1/conversations/conv-hk-001',
    );
    expect(own.desks).toEqual(['equities-hk']);
    expect(own.messages.length).toBe(HK_CHAT.length);
    const other = await reviewer.call('GET', '/api/v1/conversations/conv-fi-001');
    expect(other.status).toBe(404);
    expect((await reviewer.call('GET', '/api/v1/conversations/no-such-conversation')).status).toBe(404);
    // Search finds 騰訊 in both conversations for the auditor, only in its own desk's for the reviewer.
    const q = `/api/v1/search?q=${encodeURIComponent('騰訊')}`;
    const mine = await reviewer.json<{ results: { conversationId: string }[]; terms: string[] }>('GET', q);
    expect(new Set(mine.results.map((r) => r.conversationId))).toEqual(new Set(['conv-hk-001']));
    expect(mine.terms.join('')).toBe('騰訊');
    const all = await auditor.json<{ results: { conversationId: string }[] }>('GET', q);
    expect(new Set(all.results.map((r) => r.conversationId))).toEqual(
      new Set(['conv-hk-001', 'conv-fi-001', 'wx-group-9']),
    );
    expect((await reviewer.call('GET', `${q}&desk=fixed-income`)).status).toBe(403);
    expect((await auditor.call('GET', `${q}&desk=no-such-desk`)).status).toBe(400);
    const byDesk = await auditor.json<{ results: { conversationId: string }[] }>('GET', `${q}&desk=fixed-income`);
    expect(new Set(byDesk.results.map((r) => r.conversationId))).toEqual(new Set(['conv-fi-001']));
    // The attachment is the auditor's to open and not the reviewer's.
    const bond = await auditor.json<{ messages: { leafIndex: number }[] }>('GET', '/api/v1/conversations/conv-fi-001');
    const attachment = `/api/v1/messages/${bond.messages[0]!.leafIndex}/attachments/${sha256Hex(PDF)}`;
    const download = await auditor.call('GET', attachment);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-disposition')).toContain('attachment; filename="terms.pdf"');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PDF);
    expect((await reviewer.call('GET', attachment)).status).toBe(404);
  });

  it('records every search, view and administrative change in the ledger, for auditors to read and export', async () => {
    const before = (await steno.store.recordsOfType(ACCESS_RECORD)).length;
    await clients.reviewer!.json('GET', `/api/v1/search?q=HSBC&platform=whatsapp`);
    await clients.reviewer!.json('GET', '/api/v1/conversations/conv-hk-001');
    await clients.admin!.json('PATCH', '/api/v1/users/sam', { desks: ['equities-hk', 'fixed-income'] });
    const records = await steno.store.recordsOfType(ACCESS_RECORD);
    expect(records.length).toBe(before + 3);
    const { events } = await clients.auditor!.json<{
      events: { action: string; actor: string; from: string; target: string | null; detail: Record<string, unknown> }[];
    }>('GET', '/api/v1/audit?limit=3');
    expect(events.map((e) => [e.action, e.actor, e.target])).toEqual([
      ['user.change', 'user:ada', 'sam'],
      ['conversation.view', 'user:rita', 'conv-hk-001'],
      ['search', 'user:rita', null],
    ]);
    expect(events[0]!.detail).toEqual({ desks: ['equities-hk', 'fixed-income'] });
    expect(events[2]!.detail).toMatchObject({ q: 'HSBC', platform: 'whatsapp' });
    expect(events[2]!.from).toBe('127.0.0.1');
    const onlyRita = await clients.auditor!.json<{ events: { actor: string }[] }>(
      'GET',
      '/api/v1/audit?actor=user:rita',
    );
    expect(onlyRita.events.every((e) => e.actor === 'user:rita')).toBe(true);
    expect((await clients.auditor!.call('GET', '/api/v1/audit?from=yesterday')).status).toBe(400);
    // Sign-ins, failed ones included, are in it too.
    const signIns = await clients.auditor!.json<{ events: unknown[] }>('GET', '/api/v1/audit?action=sign-in.failed');
    expect(signIns.events.length).toBeGreaterThan(0);
    const exported = await clients.auditor!.call('GET', '/api/v1/audit/export');
    expect(exported.headers.get('content-disposition')).toContain('steno-access-log.jsonl');
    const lines = (await exported.text()).trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(before + 4);
    expect(JSON.parse(lines[0]!)).toMatchObject({ action: 'audit.export', actor: 'user:otto' });
    // A supervisor's new desk applies at once: the bond conversation is now theirs to read.
    expect((await clients.supervisor!.call('GET', '/api/v1/conversations/conv-fi-001')).status).toBe(200);
  });

  it("previews and downloads an evidence package of the caller's desks only, which verifies offline", async () => {
    const reviewer = clients.reviewer!;
    const everything = await reviewer.json<{ messages: number; conversations: number }>(
      'POST',
      '/api/v1/exports/preview',
      {},
    );
    expect(everything).toEqual({ messages: HK_CHAT.length, conversations: 1, attachments: 0 });
    const auditorView = await clients.auditor!.json<{ messages: number; attachments: number }>(
      'POST',
      '/api/v1/exports/preview',
      { q: '騰訊' },
    );
    expect(auditorView).toMatchObject({ attachments: 1 });
    expect(auditorView.messages).toBeGreaterThan(1);
    const bad = await reviewer.call('POST', '/api/v1/exports/preview', { conversation: 'conv-hk-001', limit: 5 });
    expect(bad.status).toBe(400);
    expect((await reviewer.call('POST', '/api/v1/exports/preview', { desk: 'fixed-income' })).status).toBe(403);
    expect((await clients.admin!.call('POST', '/api/v1/exports/preview', {})).status).toBe(403);

    const res = await reviewer.call('POST', '/api/v1/exports', { q: '騰訊' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="steno-evidence-.*\.zip"$/);
    const dir = join(backend.dataDir, 'downloaded');
    await unzipTo(Buffer.from(await res.arrayBuffer()), dir);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { records: number };
    expect(manifest.records).toBe(1);
    const content = await readFile(join(dir, 'content.jsonl'), 'utf8');
    expect(content).toContain('conv-hk-001');
    expect(content).not.toContain('conv-fi-001');
    const verified = await runSteno(['verify-package', dir, '--key', steno.verifierKey], {});
    expect(verified.stdout).toContain('OK');
    expect(verified.code).toBe(0);
    const { events } = await clients.auditor!.json<{ events: { action: string; detail: unknown }[] }>(
      'GET',
      '/api/v1/audit?action=export',
    );
    expect(events[0]!.detail).toMatchObject({ selection: { q: '騰訊' }, records: 1 });
    // Nothing is left behind in the data folder.
    expect(await readdir(join(backend.dataDir, 'exports'))).toEqual([]);
  });

  it("shows each role the dashboard's figures it may see, the ledger's state and the last verification", async () => {
    const verified = await runSteno(['verify'], backend.env);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    type Figures = {
      messagesPerDay: { day: string; platform: string; count: number }[];
      alerts: { byType: { type: string; open: number }[]; openByAge: { age: string; count: number }[] };
      ledger: { treeSize: number; latestCheckpoint: unknown; lastVerification: { ok: boolean; records: number } };
    };
    const auditor = await clients.auditor!.json<Figures>('GET', '/api/v1/dashboard?days=366');
    const whatsappMay4 = auditor.messagesPerDay.find((d) => d.day === '2026-05-04' && d.platform === 'whatsapp');
    expect(whatsappMay4?.count).toBe(CHAT.filter((m) => m.platform === 'whatsapp').length + 3);
    expect(auditor.alerts.byType.find((t) => t.type === 'off_channel')?.open).toBeGreaterThanOrEqual(1);
    expect(auditor.alerts.openByAge.map((a) => a.age)).toEqual(['<1d', '1-3d', '3-7d', '>7d']);
    expect(auditor.ledger.lastVerification).toMatchObject({ ok: true });
    expect(auditor.ledger.lastVerification.records).toBeGreaterThan(0);
    const reviewer = await clients.reviewer!.json<Figures>('GET', '/api/v1/dashboard?days=366');
    const reviewerMay4 = reviewer.messagesPerDay.find((d) => d.day === '2026-05-04' && d.platform === 'whatsapp');
    expect(reviewerMay4?.count).toBe(HK_CHAT.length);
    const admin = await clients.admin!.json<Figures>('GET', '/api/v1/dashboard');
    expect(admin.messagesPerDay).toEqual([]);
    expect(admin.alerts.byType).toEqual([]);
    expect(admin.ledger.treeSize).toBeGreaterThan(0);
    expect((await clients.auditor!.call('GET', '/api/v1/dashboard?days=0')).status).toBe(400);
  });

  it('serves the reconciliation view to readers, with the delay histogram, and refuses a bad period', async () => {
    type View = { chatOrders: number; unreconciled: { noClient: number }; delays: { histogram: unknown[] } };
    // The fixtures' clients are not in the directory: their chat orders are counted as unreconciled.
    const view = await clients.auditor!.json<View>('GET', '/api/v1/reconciliation?from=2026-05-01&to=2026-05-31');
    expect(view.chatOrders).toBeGreaterThan(0);
    expect(view.unreconciled.noClient).toBeGreaterThan(0);
    expect(view.delays.histogram).toHaveLength(7);
    // Behind a desk's barrier, the firm-wide totals are left out and the chat orders are the desk's own.
    const mine = await clients.reviewer!.json<{ chatOrders: number; firmOrders: null; unreconciled: null }>(
      'GET',
      '/api/v1/reconciliation?from=2026-05-01&to=2026-05-31',
    );
    expect(mine).toMatchObject({ firmOrders: null, unreconciled: null });
    expect(mine.chatOrders).toBeGreaterThan(0);
    expect(mine.chatOrders).toBeLessThan(view.chatOrders);
    expect((await clients.reviewer!.call('GET', '/api/v1/reconciliation?from=May')).status).toBe(400);
    expect((await clients.admin!.call('GET', '/api/v1/reconciliation')).status).toBe(403);
  });

  it('ends the sessions of a disabled user at once', async () => {
    const client = await userClient(steno, base, { username: 'dora', role: 'auditor' });
    expect((await client.call('GET', '/api/v1/alerts')).status).toBe(200);
    await clients.admin!.json('PATCH', '/api/v1/users/dora', { disabled: true });
    expect((await client.call('GET', '/api/v1/alerts')).status).toBe(401);
    expect(
      (await new ConsoleClient(base).call('POST', '/api/v1/session', { username: 'dora', password: NEW_PASSWORD }))
        .status,
    ).toBe(401);
  });

  it('sends the security headers, and serves no debug, metrics or heap endpoints', async () => {
    for (const path of ['/', '/api/v1/search', '/healthz']) {
      const res = await fetch(`${base}${path}`);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    for (const path of ['/debug', '/metrics', '/heapdump', '/debug/pprof', '/api/v1/debug', '/index.html/../../etc']) {
      expect((await fetch(`${base}${path}`)).status).toBe(404);
    }
  });

  it('shows media fetched after its message on the message, and serves it to those who may see it', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await steno.blobs.put(sha256Hex(png), png);
    type View = { messages: { leafIndex: number; media: { outcome: string; attachment: { sha256: string } }[] }[] };
    const view = await clients.reviewer!.json<View>('GET', '/api/v1/conversations/conv-hk-001');
    const target = view.messages[0]!;
    expect(target.media).toEqual([]);
    const media: MediaRecordContent = {
      message: {
        id: 'm',
        index: target.leafIndex,
        platform: 'whatsapp',
        conversationId: 'conv-hk-001',
        platformMessageId: 'm1',
      },
      connector: 'whatsapp',
      channel: 'whatsapp:+85298765432',
      mediaId: 'media-1',
      outcome: 'fetched',
      attachment: { filename: 'chart.png', contentType: 'image/png', sha256: sha256Hex(png), size: png.length },
      attempts: 1,
    };
    await steno.ledger.append(async (_tx, appender) =>
      appender.append(prepareRecord(MEDIA_RECORD, newRecordId(), canonicalBytes(media))),
    );
    const after = await clients.reviewer!.json<View>('GET', '/api/v1/conversations/conv-hk-001');
    expect(after.messages[0]!.media).toEqual([
      expect.objectContaining({ outcome: 'fetched', attachment: expect.objectContaining({ sha256: sha256Hex(png) }) }),
    ]);
    const path = `/api/v1/messages/${target.leafIndex}/attachments/${sha256Hex(png)}`;
    const image = await clients.reviewer!.call('GET', path);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('content-security-policy')).toContain('sandbox');
    // Outside the desk it is not found, as the message is not.
    const outsider = await userClient(steno, base, { username: 'fred', role: 'reviewer', desks: ['fixed-income'] });
    expect((await outsider.call('GET', path)).status).toBe(404);
  });

  it('shows a reviewer a new conversation of their desk from its first message', async () => {
    const reviewer = clients.reviewer!;
    // Archived after the reviewer's desk was worked out is theirs from its first message.
    expect((await reviewer.call('GET', '/api/v1/conversations/conv-hk-002')).status).toBe(404);
    await steno.ingest.ingest(
      steno.ingest.validate(
        [message({ conversationId: 'conv-hk-002', platformMessageId: 'n1', text: 'hello' })],
        () => '',
      ),
    );
    expect((await reviewer.call('GET', '/api/v1/conversations/conv-hk-002')).status).toBe(200);
  });

  it('limits sign-in attempts from one address to 20 a minute', async () => {
    const limited = await buildServer(steno);
    try {
      const client = new ConsoleClient(await limited.listen({ host: '127.0.0.1', port: 0 }));
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) {
        const res = await client.call('POST', '/api/v1/session', { username: 'ghost', password: 'whatever it is' });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429]);
    } finally {
      await limited.close();
    }
  });
});
