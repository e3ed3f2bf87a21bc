/**
 * Rules, alerts and policies on a real store (STENO_TEST_DB), through the real `steno` command and a
 * real HTTP server: a day of chat and the firm's activity scanned under a recorded policy, every rule
 * raising what it should (and the near misses nothing), alerts worked from open to closed with every
 * step in the ledger, a transfer instruction refused approval until its verification is recorded.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSteno, type Steno } from '../src/context.js';
import { buildServer } from '../src/review/api/server.js';
import type { StoredAlert } from '../src/surveil/alerts/model.js';
import { createTestBackend, rawExec, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';
import { jsonLines, runSteno } from './support/cli.js';
import { message } from './support/messages.js';

const MASTER = `symbol,name,aliases,lot_size,currency,exchange
0005.HK,HSBC Holdings,HSBC|匯豐|汇丰,400,HKD,XHKG
0700.HK,Tencent Holdings,Tencent|騰訊|腾讯,100,HKD,XHKG
8001.HK,Thin Co,Thin,1000,HKD,XHKG
`;
const STAFF = `employee_id,name,desk,supervisor_id,handles
E1,Wong Ka Ho,HK Equities,,whatsapp:+85298765432
`;
// C1 sends orders by IM; C2 trades by phone; C3's handle was never verified.
const CLIENTS = `client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed
C1,Chan Tai Man,ACC-001,whatsapp:+85291234567,2026-03-01,E1,video call,ack-C1.pdf,true
C2,Ho Siu Ling,ACC-002,whatsapp:+85290001111,2026-03-02,E1,in branch,ack-C2.pdf,false
C3,Lee Mei,ACC-003,whatsapp:+85293334444,,,,,true
`;
const C1 = '+85291234567';
const C3 = '+85293334444';
const RM = '+85298765432';
const STRANGER = '+85295550000';

/** Minutes after 09:00 Hong Kong time on 4 May 2026. */
const at = (minute: number) => new Date(Date.parse('2026-05-04T09:00:00+08:00') + minute * 60_000).toISOString();
const chat = (id: string, minute: number, text: string, sender = C1, extra: Record<string, unknown> = {}) =>
  message({
    platformMessageId: id,
    conversationId: `conv-${sender}`,
    sentAt: at(minute),
    text,
    sender,
    recipients: [sender === RM ? C1 : RM],
    account: RM,
    direction: sender === RM ? 'outbound' : 'inbound',
    ...extra,
  });

const CHAT = [
  chat('a1', 0, 'buy 10k 700 @352'),
  chat('a2', 5, 'buy 2000 HSBC @60', STRANGER),
  chat('a3', 10, 'sell 500 700 @360', C3),
  chat('a4', 15, 'call me on my personal cell later'),
  chat('a5', 20, "please transfer HK$500,000 to my brother's account 123-456-789 at HSBC"),
  chat('a6', 25, 'This one is guaranteed 20% return, no risk at all', RM, { conversationId: `conv-${C1}` }),
  chat('a7', 30, 'buy 1000 HSBC @59'),
  chat('a8', 31, '', C1, { kind: 'delete', refersTo: 'a7', text: undefined }),
  // Near misses: none of these may raise anything.
  chat('n1', 35, 'I will call you back after the meeting'),
  chat('n2', 36, 'is this guaranteed?'),
  chat('n3', 37, "don't delete anything"),
];

const ORDERS_CSV = `order_id,account,symbol,side,quantity,order_type,limit_price,entered_at,channel,status
O1,ACC-001,0700.HK,buy,10000,limit,352,${at(2)},IM,new
O7,ACC-001,0005.HK,buy,1000,limit,59,${at(32)},IM,new
O9,ACC-001,0005.HK,sell,400,limit,61,${at(50)},IM,new
O10,ACC-002,8001.HK,buy,2000000,limit,1,${at(360)},phone,filled
`;

/** C2's usual day: 100 HSBC; then one day of 2,000,000 shares of a thin stock. */
function executionsCsv(): string {
  const rows = ['exec_id,order_id,account,symbol,side,quantity,price,executed_at'];
  let day = Date.parse('2026-04-01T02:00:00Z');
  for (let i = 0; i < 20; i++, day += 86_400_000) {
    rows.push(`H${i},HIST-${i},ACC-002,0005.HK,buy,100,60,${new Date(day).toISOString()}`);
  }
  rows.push(`X10,O10,ACC-002,8001.HK,buy,2000000,1,${at(361)}`);
  return `${rows.join('\n')}\n`;
}

function turnoverCsv(): string {
  const rows = ['symbol,date,turnover'];
  for (let d = 10; d <= 30; d++) rows.push(`8001.HK,2026-04-${String(d).padStart(2, '0')},5000000`);
  return `${rows.join('\n')}\n`;
}

interface ScanReport {
  policyVersion: number;
  raised: number;
  known: number;
  byType: Record<string, number>;
  reconciled: { from: string; to: string } | null;
}

describe(`rules and alerts on ${TEST_DB}`, () => {
  let backend: TestBackend;
  const steno = (...args: string[]) => runSteno(args, backend.env);
  const file = async (name: string, text: string) => {
    const path = join(backend.dataDir, name);
    await writeFile(path, text);
    return path;
  };
  const ok = async (...args: string[]) => {
    const result = await steno(...args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result;
  };
  const scan = async () => JSON.parse((await ok('alerts', 'scan', '--json')).stdout) as ScanReport;
  const list = async (...args: string[]) =>
    jsonLines<StoredAlert>((await ok('alerts', 'list', '--json', ...args)).stdout);
  const act = async (...args: string[]) => JSON.parse((await ok('alerts', ...args, '--json')).stdout) as StoredAlert;
  const only = async (type: string) => {
    const found = await list('--type', type);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const countRecords = async (type: string) =>
    Number(
      (
        await rawQuery<{ n: number | string }>(
          backend,
          `SELECT count(*) AS n FROM ledger_leaves WHERE record_type = '${type}'`,
        )
      )[0]!.n,
    );
  let first: ScanReport;

  beforeAll(async () => {
    backend = await createTestBackend();
    await ok('directory', 'import', 'staff', await file('staff.csv', STAFF));
    await ok('directory', 'import', 'clients', await file('clients.csv', CLIENTS));
    await ok('instruments', 'import', await file('master.csv', MASTER));
    await ok('ingest', await file('chat.jsonl', CHAT.map((m) => JSON.stringify(m)).join('\n')));
    await ok('activity', 'import', await file('orders.csv', ORDERS_CSV), '--format', 'orders-csv');
    await ok('activity', 'import', await file('executions.csv', executionsCsv()), '--format', 'executions-csv');
    await ok('turnover', 'import', await file('turnover.csv', turnoverCsv()));
    first = await scan();
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('raises what each rule finds, once, under the default policy it records', async () => {
    expect(first.byType).toEqual({
      unregistered_sender: 2,
      off_channel: 1,
      third_party_transfer: 1,
      return_guarantee: 1,
      order_message_deleted: 1,
      unentered_order: 1,
      order_without_instruction: 1,
      unusual_activity: 2,
      low_turnover: 1,
    });
    expect(first.reconciled).not.toBeNull();
    const policy = JSON.parse((await ok('policy', 'show', '--json')).stdout) as { version: number; by: string };
    expect(policy.by).toBe('steno (default policy)');
    expect(first.policyVersion).toBe(policy.version);
    const alerts = await list('--limit', '1000');
    expect(alerts).toHaveLength(first.raised);
    for (const a of alerts) {
      expect(a.policyVersion).toBe(policy.version);
      expect(a.state).toBe('open');
    }
    // A second scan, and a third after nothing new, raise nothing and record nothing.
    const records = await countRecords('alert');
    expect(records).toBe(first.raised);
    const again = await scan();
    expect(again.raised).toBe(0);
    // Nothing new: nothing is reconciled again.
    expect(again.reconciled).toBeNull();
    expect(await countRecords('alert')).toBe(records);
  });

  it('leaves the near misses alone and points each text alert at its words', async () => {
    const alerts = await list('--limit', '1000');
    const messageIds = new Set(alerts.map((a) => a.subject.platformMessageId));
    for (const id of ['n1', 'n2', 'n3', 'a1']) expect(messageIds.has(id)).toBe(false);
    const offChannel = await only('off_channel');
    expect(offChannel.subject.platformMessageId).toBe('a4');
    expect(offChannel.subject.clientId).toBe('C1');
    const text = 'call me on my personal cell later';
    expect(offChannel.spans.length).toBeGreaterThan(0);
    for (const span of offChannel.spans) expect(text.slice(span.start, span.end).length).toBeGreaterThan(0);
    expect(offChannel.task).toBeNull();
    const guarantee = await only('return_guarantee');
    expect(guarantee.subject.platformMessageId).toBe('a6');
    expect(guarantee.evidence.fromFirm).toBe(true);
  });

  it('asks for a call-back on orders from unknown or unverified senders', async () => {
    const found = await list('--type', 'unregistered_sender');
    const byMessage = new Map(found.map((a) => [a.subject.platformMessageId, a]));
    const stranger = byMessage.get('a2')!;
    expect(stranger.evidence.reason).toBe('sender_not_in_directory');
    expect(stranger.task?.kind).toBe('call_back');
    expect(stranger.task?.target).toBeNull();
    const unverified = byMessage.get('a3')!;
    expect(unverified.evidence.reason).toBe('handle_not_verified');
    expect(unverified.subject.clientId).toBe('C3');
    expect(unverified.task?.target).toBe(`whatsapp:${C3}`);
    expect(unverified.severity).toBe('high');
  });

  it('finds the deleted order message, the reconciliation exceptions and unusual trading', async () => {
    const deleted = await only('order_message_deleted');
    expect(deleted.subject.platformMessageId).toBe('a8');
    expect(deleted.evidence.orders).toMatchObject([{ side: 'buy', quantity: 1000 }]);
    expect((await only('unentered_order')).subject.platformMessageId).toBe('a3');
    expect((await only('order_without_instruction')).subject.orderId).toBe('O9');
    const spikes = await list('--type', 'unusual_activity');
    expect(spikes.map((s) => s.evidence.measure).sort()).toEqual(['value', 'volume']);
    for (const s of spikes) expect(s.subject.clientId).toBe('C2');
    const thin = await only('low_turnover');
    expect(thin.subject.orderId).toBe('O10');
    expect(thin.evidence.share).toBeCloseTo(0.4);
  });

  it('moves an alert from open to closed, every step a ledger record with who did it', async () => {
    const alert = await only('off_channel');
    const before = await countRecords('alert');
    expect((await act('assign', alert.id, 'reviewer-1', '--by', 'supervisor-1')).assignee).toBe('reviewer-1');
    await act('comment', alert.id, 'Client asked to move to a personal phone; checking', '--by', 'reviewer-1');
    expect((await act('review', alert.id, '--by', 'reviewer-1')).state).toBe('in_review');
    expect((await act('escalate', alert.id, '--reason', 'repeat pattern', '--by', 'reviewer-1')).state).toBe(
      'escalated',
    );
    const noReason = await steno('alerts', 'close', alert.id);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
    const closed = await act(
      'close',
      alert.id,
      '--reason',
      'Reminded the client of the recorded channels',
      '--by',
      'supervisor-1',
    );
    expect(closed.state).toBe('closed');
    expect(closed.closeReason).toBe('Reminded the client of the recorded channels');
    expect(closed.history.map((h) => [h.action, h.by])).toEqual([
      ['raised', 'steno rules'],
      ['assigned', 'supervisor-1'],
      ['commented', 'reviewer-1'],
      ['state_changed', 'reviewer-1'],
      ['state_changed', 'reviewer-1'],
      ['state_changed', 'supervisor-1'],
    ]);
    expect(await countRecords('alert')).toBe(before + 5);
    // Closed is closed: no more assignment, and the queue filters by state.
    const late = await steno('alerts', 'assign', alert.id, 'someone');
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('is closed');
    expect((await list('--state', 'closed')).map((a) => a.id)).toEqual([alert.id]);
    expect(await countRecords('alert')).toBe(before + 5);
  });

  it('closes a call-back alert only once its outcome is recorded', async () => {
    const alert = (await list('--type', 'unregistered_sender')).find((a) => a.subject.platformMessageId === 'a3')!;
    const early = await steno('alerts', 'close', alert.id, '--reason', 'looks fine');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('outcome recorded before it is closed');
    const noNote = await steno('alerts', 'task', alert.id, '--outcome', 'unreachable');
    expect(noNote.code).toBe(1);
    expect(noNote.stderr).toContain('needs a note');
    const bad = await steno('alerts', 'task', alert.id, '--outcome', 'maybe');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('outcome must be one of confirmed, not_confirmed, unreachable, not_needed');
    const recorded = await act('task', alert.id, '--outcome', 'confirmed', '--note', 'Called +852 9333 4444 on file');
    expect(recorded.task?.outcome).toMatchObject({ outcome: 'confirmed', note: 'Called +852 9333 4444 on file' });
    expect((await act('close', alert.id, '--reason', 'Client confirmed by call-back')).state).toBe('closed');
  });

  it('refuses to approve a transfer instruction without a recorded out-of-band verification', async () => {
    const alert = await only('third_party_transfer');
    expect(alert.task?.kind).toBe('out_of_band_verification');
    const early = await steno('alerts', 'approve', alert.id);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('may not be approved without a recorded out-of-band verification');
    await act('task', alert.id, '--outcome', 'not_confirmed', '--note', 'Client did not recognise the request');
    const stillNot = await steno('alerts', 'approve', alert.id);
    expect(stillNot.code).toBe(1);
    expect(stillNot.stderr).toContain('the outcome recorded is not_confirmed');
    await act('task', alert.id, '--outcome', 'confirmed', '--note', 'Called back on the registered number');
    const approved = await act('approve', alert.id, '--note', 'Verified by call-back', '--by', 'ops-1');
    expect(approved.approval).toMatchObject({ by: 'ops-1', note: 'Verified by call-back' });
    const twice = await steno('alerts', 'approve', alert.id);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('approved already');
    // Approval is not possible on an alert that carries no instruction.
    const wrong = await steno('alerts', 'approve', (await only('return_guarantee')).id);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('no instruction to approve');
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    const before = await countRecords('alert');
    const cases: [string[], number, string][] = [
      [['alerts', 'show', 'not-an-id'], 1, 'is not an alert id'],
      [['alerts', 'show', '0190a000-0000-7000-8000-000000000000'], 1, 'no alert has id'],
      [['alerts', 'list', '--state', 'pending'], 1, 'state must be one of open, in_review, escalated, closed'],
      [['alerts', 'list', '--limit', '0'], 1, 'limit must be between 1 and 1000'],
      [['alerts', 'list', '--severity', 'huge'], 1, 'severity must be one of'],
      [['alerts', 'frobnicate'], 2, 'unknown action "frobnicate"'],
      [['alerts', 'comment', (await only('low_turnover')).id, '   '], 1, 'the comment is empty'],
      [
        ['alerts', 'assign', (await only('low_turnover')).id, 'x'.repeat(200)],
        1,
        'the assignee is over 128 characters',
      ],
    ];
    for (const [args, code, message] of cases) {
      const result = await steno(...args);
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(result.code, args.join(' ')).toBe(code);
    }
    expect(await countRecords('alert')).toBe(before);
  });

  it('records a new policy, refuses a bad one naming the setting, and alerts name the version', async () => {
    const policies = await countRecords('policy');
    const bad = await steno(
      'policy',
      'set',
      await file('bad-policy.json', JSON.stringify({ rules: { off_channel: { severity: 'urgent' }, nonsense: {} } })),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('rules.off_channel.severity: must be one of low, medium, high, critical');
    expect(bad.stderr).toContain('rules.nonsense: is not a rule');
    const badThreshold = await steno(
      'policy',
      'set',
      await file('bad-threshold.json', JSON.stringify({ thresholds: { low_turnover: { minShare: 'lots' } } })),
    );
    expect(badThreshold.code).toBe(1);
    expect(badThreshold.stderr).toContain('thresholds.low_turnover.minShare: must be a number');
    const notJson = await steno('policy', 'set', await file('not-json.json', '{rules:'));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('is not JSON');
    expect(await countRecords('policy')).toBe(policies);

    const policyFile = await file(
      'policy.json',
      JSON.stringify({
        rules: { off_channel: { enabled: false }, return_guarantee: { severity: 'critical' } },
        thresholds: { unusual_activity: { minHistoryDays: 20 } },
      }),
    );
    const set = JSON.parse((await ok('policy', 'set', policyFile, '--json')).stdout) as {
      version: number;
      policy: { thresholds: { unusual_activity: { minHistoryDays: number; zThreshold: number } } };
    };
    expect(set.policy.thresholds.unusual_activity).toMatchObject({ minHistoryDays: 20, zThreshold: 5 });
    expect((await ok('policy', 'show')).stdout).toContain(
      'thresholds unusual_activity: {"windowDays":60,"minHistoryDays":20',
    );
    expect(await countRecords('policy')).toBe(policies + 1);
    // Setting the same policy again records nothing.
    await ok('policy', 'set', policyFile);
    expect(await countRecords('policy')).toBe(policies + 1);

    await ok(
      'ingest',
      await file(
        'later.jsonl',
        [
          chat('b1', 400, 'text me on my personal whatsapp instead'),
          chat('b2', 401, 'I promise you guaranteed returns on this one', RM, { conversationId: `conv-${C1}` }),
        ]
          .map((m) => JSON.stringify(m))
          .join('\n'),
      ),
    );
    const report = await scan();
    expect(report.policyVersion).toBe(set.version);
    expect(report.byType).toEqual({ return_guarantee: 1 });
    const raised = (await list('--type', 'return_guarantee')).find((a) => a.subject.platformMessageId === 'b2')!;
    expect(raised.policyVersion).toBe(set.version);
    expect(raised.severity).toBe('critical');
  });

  it('rebuilds the alert queue from the ledger alone, and the ledger still verifies', async () => {
    const before = await list('--limit', '1000');
    await rawExec(backend, 'DELETE FROM alerts');
    await rawExec(backend, "DELETE FROM meta WHERE key = 'alerts_state'");
    const after = await list('--limit', '1000');
    expect(after).toEqual(before);
    await ok('verify');
  });
});

describe(`the alert API on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let base: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno(backend.config(), { createKey: true });
    for (const [name, scopes] of [
      ['connector', ['ingest']],
      ['reader', ['read']],
      ['reviewer', ['read', 'review']],
      ['admin', ['read', 'admin']],
    ] as const) {
      tokens[name] = (await steno.tokens.create({ name, scopes: [...scopes] })).token;
    }
    app = await buildServer(steno);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await steno?.close();
    await backend?.cleanup();
  });

  const call = (method: string, path: string, token: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** The server reads what is ingested for alerts by itself; wait until it has. */
  async function waitForAlerts(type: string): Promise<StoredAlert[]> {
    for (let i = 0; i < 100; i++) {
      const res = await call('GET', `/api/v1/alerts?type=${type}`, tokens.reader!);
      const { alerts } = (await res.json()) as { alerts: StoredAlert[] };
      if (alerts.length > 0) return alerts;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${type} alert was raised`);
  }

  it('raises alerts by itself from what is ingested, and serves the queue to readers', async () => {
    const res = await call('POST', '/api/v1/messages', tokens.connector!, [
      message({ platformMessageId: 'w1', text: 'let us move to Signal, 加我微信' }),
      message({ platformMessageId: 'w2', text: 'see you at the meeting' }),
    ]);
    expect(res.status).toBe(201);
    const [alert] = await waitForAlerts('off_channel');
    expect(alert!.subject.platformMessageId).toBe('w1');
    const one = await call('GET', `/api/v1/alerts/${alert!.id}`, tokens.reader!);
    expect(one.status).toBe(200);
    expect(((await one.json()) as StoredAlert).id).toBe(alert!.id);
    const summary = (await (await call('GET', '/api/v1/alerts/summary', tokens.reader!)).json()) as {
      counts: { type: string; count: number }[];
    };
    expect(summary.counts).toEqual([{ type: 'off_channel', state: 'open', severity: 'medium', count: 1 }]);
    const policy = await call('GET', '/api/v1/policy', tokens.reader!);
    expect(policy.status).toBe(200);
  });

  it('lets only review tokens act, and records the token as who acted', async () => {
    const [alert] = await waitForAlerts('off_channel');
    const path = `/api/v1/alerts/${alert!.id}`;
    expect((await call('POST', `${path}/assign`, tokens.reader!, { assignee: 'r1' })).status).toBe(403);
    expect((await call('POST', `${path}/assign`, 'steno_nope', { assignee: 'r1' })).status).toBe(401);
    const assigned = await call('POST', `${path}/assign`, tokens.reviewer!, { assignee: 'r1' });
    expect(assigned.status).toBe(200);
    const body = (await assigned.json()) as StoredAlert;
    expect(body.assignee).toBe('r1');
    expect(body.history.at(-1)).toMatchObject({ action: 'assigned', by: 'token:reviewer' });
    const closed = await call('POST', `${path}/close`, tokens.reviewer!, { reason: 'Discussed with RM' });
    expect(((await closed.json()) as StoredAlert).state).toBe('closed');
  });

  it('answers bad requests with what was wrong', async () => {
    const [alert] = await waitForAlerts('off_channel');
    const cases: [string, string, unknown, number, string][] = [
      ['POST', `/api/v1/alerts/${alert!.id}/close`, {}, 400, 'reason is required'],
      ['POST', `/api/v1/alerts/${alert!.id}/assign`, {}, 400, 'assignee is required'],
      ['POST', `/api/v1/alerts/${alert!.id}/comment`, { text: 42 }, 400, 'text must be a string'],
      ['POST', `/api/v1/alerts/${alert!.id}/comment`, '[1,2]', 400, 'the body must be a JSON object'],
      ['POST', `/api/v1/alerts/${alert!.id}/frobnicate`, {}, 404, 'no alert action'],
      ['GET', '/api/v1/alerts/nope', undefined, 400, 'is not an alert id'],
      ['GET', '/api/v1/alerts?state=pending', undefined, 400, 'state must be one of'],
      ['GET', '/api/v1/alerts?limit=5000', undefined, 400, 'limit must be between 1 and 1000'],
    ];
    for (const [method, path, body, status, text] of cases) {
      const res = await call(method, path, tokens.reviewer!, body);
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(await res.text(), `${method} ${path}`).toContain(text);
    }
  });

  it('sets policy with an admin token only', async () => {
    const policy = { rules: { off_channel: { severity: 'high' } } };
    expect((await call('PUT', '/api/v1/policy', tokens.reviewer!, policy)).status).toBe(403);
    const bad = await call('PUT', '/api/v1/policy', tokens.admin!, { rules: { off_channel: { enabled: 'yes' } } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('rules.off_channel.enabled: must be true or false');
    const set = await call('PUT', '/api/v1/policy', tokens.admin!, policy);
    expect(set.status).toBe(201);
    const recorded = (await set.json()) as { version: number; by: string };
    expect(recorded.by).toBe('token:admin');
    expect((await call('PUT', '/api/v1/policy', tokens.admin!, policy)).status).toBe(200);
    const current = (await (await call('GET', '/api/v1/policy', tokens.reader!)).json()) as { version: number };
    expect(current.version).toBe(recorded.version);
  });
});
