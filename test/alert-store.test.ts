/**
 * The alert projection's storage, on a real store (STENO_TEST_DB): alerts written only while the
 * projection's state is the one the step started from, replaced whole, found by id and dedup key, listed
 * newest first with filters and paging, counted; the rules' progress compared and set; chat orders read
 * by ledger index range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type StenoStore } from '../src/context.js';
import { StenoError } from '../src/core/errors.js';
import type { StoredAlert } from '../src/surveil/alerts/model.js';
import type { StoredOrder } from '../src/surveil/orders/archive.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';

function alert(leafIndex: number, fields: Partial<StoredAlert> = {}): StoredAlert {
  return {
    id: `rec-${leafIndex}`,
    leafIndex,
    updatedIndex: leafIndex,
    dedupKey: `off_channel:msg-${leafIndex}`,
    type: 'off_channel',
    rule: 'off_channel',
    severity: 'medium',
    policyVersion: 1,
    state: 'open',
    assignee: null,
    raisedAt: '2026-05-04T01:00:00.000Z',
    raisedBy: 'rules',
    subject: {
      messageId: `msg-${leafIndex}`,
      platformMessageId: `p${leafIndex}`,
      conversationId: 'conv-1',
      clientId: 'C1',
      orderId: null,
    },
    spans: [{ start: 0, end: 8, what: 'cue' }],
    evidence: { text: 'call me on my personal line' },
    task: null,
    approval: null,
    closeReason: null,
    history: [],
    ...fields,
  };
}

function order(messageIndex: number, ordinal = 0): StoredOrder {
  return {
    id: `${messageIndex}.${ordinal}`,
    messageIndex,
    messageId: `msg-${messageIndex}`,
    ordinal,
    platform: 'whatsapp',
    conversationId: 'conv-1',
    platformMessageId: `p${messageIndex}`,
    sentAtMs: Date.parse('2026-05-04T01:00:00Z') + messageIndex * 1000,
    messageKind: 'message',
    revises: null,
    revisedByOrderId: null,
    sender: '+85291234567',
    counterparts: [],
    clientId: 'C1',
    staffId: 'E1',
    action: 'new',
    side: 'buy',
    symbol: '0700.HK',
    quantity: 1000,
    orderType: 'limit',
    limitPrice: 350,
    timeInForce: null,
    confidence: 1,
    detail: { spans: {}, warnings: [], language: 'en' },
    changesOrderId: null,
    ackMessageIndex: null,
  };
}

const ids = (alerts: StoredAlert[]) => alerts.map((a) => a.id);
const conflict = (pattern: RegExp) =>
  expect.objectContaining({ code: 'conflict', message: expect.stringMatching(pattern) });

describe(`alert storage on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let store: StenoStore;
  beforeAll(async () => {
    backend = await createTestBackend();
    store = await openStore(backend.config());
  });
  afterAll(async () => {
    await store?.close();
    await backend?.cleanup();
  });

  it('writes alerts only while the projection is where the step started from', async () => {
    expect(await store.alertsState()).toBeNull();
    await expect(
      store.writeAlerts({ expectedState: 's0', state: 's1', reset: false, alerts: [alert(1)] }),
    ).rejects.toThrow(StenoError);
    expect(await store.alertsState()).toBeNull();

    await store.writeAlerts({ expectedState: null, state: 's1', reset: false, alerts: [alert(1), alert(2)] });
    expect(await store.alertsState()).toBe('s1');

    // A stale step: nothing of it is written.
    const stale = store.writeAlerts({ expectedState: null, state: 's2', reset: false, alerts: [alert(3)] });
    await expect(stale).rejects.toEqual(conflict(/alert projection was moved on by another process/));
    await expect(
      store.writeAlerts({ expectedState: 'other', state: 's2', reset: false, alerts: [alert(3)] }),
    ).rejects.toEqual(conflict(/alert projection/));
    expect(await store.alertsState()).toBe('s1');
    expect(await store.alertsByIds(['rec-3'])).toEqual([]);

    await store.writeAlerts({ expectedState: 's1', state: 's2', reset: false, alerts: [] });
    expect(await store.alertsState()).toBe('s2');
  });

  it('replaces an alert whole, and finds alerts by id and by dedup key', async () => {
    const changed = alert(2, {
      updatedIndex: 10,
      state: 'in_review',
      assignee: 'alice',
      severity: 'high',
      task: { kind: 'call_back', target: '+85291234567', instruction: 'call back', outcome: null },
      history: [
        {
          leafIndex: 10,
          recordId: 'rec-10',
          at: '2026-05-04T02:00:00.000Z',
          by: 'bob',
          action: 'assigned',
          details: { assignee: 'alice' },
        },
      ],
    });
    await store.writeAlerts({ expectedState: 's2', state: 's3', reset: false, alerts: [changed] });

    const found = await store.alertsByIds(['rec-2', 'rec-1', 'missing']);
    expect(found.sort((a, b) => a.leafIndex - b.leafIndex)).toEqual([alert(1), changed]);
    expect(await store.alertsByIds([])).toEqual([]);
    // The columns moved with the body.
    expect(ids(await store.listAlerts({ assignee: 'alice', limit: 10 }))).toEqual(['rec-2']);
    expect(ids(await store.listAlerts({ state: 'open', limit: 10 }))).toEqual(['rec-1']);

    const byKey = await store.alertIdsByDedupKey(['off_channel:msg-1', 'off_channel:msg-2', 'nope']);
    expect(byKey).toEqual(
      new Map([
        ['off_channel:msg-1', 'rec-1'],
        ['off_channel:msg-2', 'rec-2'],
      ]),
    );
    expect((await store.alertIdsByDedupKey([])).size).toBe(0);
  });

  it('keeps the last of an alert written twice in one step', async () => {
    await store.writeAlerts({
      expectedState: 's3',
      state: 's4',
      reset: false,
      alerts: [alert(4), alert(4, { state: 'escalated', updatedIndex: 11 })],
    });
    expect(await store.alertsByIds(['rec-4'])).toEqual([alert(4, { state: 'escalated', updatedIndex: 11 })]);
  });

  it('refuses a second alert with a dedup key another alert holds, writing nothing of the step', async () => {
    const duplicate = alert(5, { dedupKey: 'off_channel:msg-1' });
    await expect(
      store.writeAlerts({ expectedState: 's4', state: 's5', reset: false, alerts: [alert(6), duplicate] }),
    ).rejects.toThrow();
    expect(await store.alertsState()).toBe('s4');
    expect(await store.alertsByIds(['rec-5', 'rec-6'])).toEqual([]);
  });

  it('clears every alert on reset', async () => {
    await store.writeAlerts({ expectedState: 's4', state: 'r1', reset: true, alerts: [alert(7)] });
    expect(ids(await store.listAlerts({ limit: 100 }))).toEqual(['rec-7']);
    expect(await store.alertsByIds(['rec-1', 'rec-2', 'rec-4'])).toEqual([]);
    await store.writeAlerts({ expectedState: 'r1', state: 'r2', reset: true, alerts: [] });
    expect(await store.listAlerts({ limit: 100 })).toEqual([]);
    expect(await store.countAlerts()).toEqual([]);
    expect(await store.alertsState()).toBe('r2');
  });

  it('lists newest first with filters and pages backwards', async () => {
    const subject = (conversationId: string | null, clientId: string | null) => ({
      messageId: null,
      platformMessageId: null,
      conversationId,
      clientId,
      orderId: null,
    });
    const all = [
      alert(20),
      alert(21, { type: 'unentered_order', rule: 'unregistered_sender', severity: 'high' }),
      alert(22, { state: 'closed', closeReason: 'false positive', assignee: 'alice' }),
      alert(23, { subject: subject('conv-2', 'C2'), assignee: 'bob' }),
      alert(24, {
        subject: subject(null, null),
        severity: 'critical',
        type: 'return_guarantee',
        rule: 'return_guarantee',
      }),
      alert(25, { state: 'escalated', assignee: 'alice' }),
    ];
    // Written out of order: the list orders by the raising record's index, not by when rows were written.
    await store.writeAlerts({
      expectedState: 'r2',
      state: 'l1',
      reset: false,
      alerts: [all[3]!, all[0]!, all[5]!, all[1]!, all[4]!, all[2]!],
    });

    expect(ids(await store.listAlerts({ limit: 100 }))).toEqual([
      'rec-25',
      'rec-24',
      'rec-23',
      'rec-22',
      'rec-21',
      'rec-20',
    ]);
    expect(await store.listAlerts({ limit: 1 })).toEqual([all[5]]);
    expect(ids(await store.listAlerts({ state: 'open', limit: 100 }))).toEqual([
      'rec-24',
      'rec-23',
      'rec-21',
      'rec-20',
    ]);
    expect(ids(await store.listAlerts({ type: 'unentered_order', limit: 100 }))).toEqual(['rec-21']);
    expect(ids(await store.listAlerts({ rule: 'return_guarantee', limit: 100 }))).toEqual(['rec-24']);
    expect(ids(await store.listAlerts({ severity: 'medium', limit: 100 }))).toEqual([
      'rec-25',
      'rec-23',
      'rec-22',
      'rec-20',
    ]);
    expect(ids(await store.listAlerts({ assignee: 'alice', limit: 100 }))).toEqual(['rec-25', 'rec-22']);
    expect(ids(await store.listAlerts({ clientId: 'C2', limit: 100 }))).toEqual(['rec-23']);
    expect(ids(await store.listAlerts({ conversationId: 'conv-1', limit: 100 }))).toEqual([
      'rec-25',
      'rec-22',
      'rec-21',
      'rec-20',
    ]);
    expect(ids(await store.listAlerts({ assignee: 'alice', state: 'closed', limit: 100 }))).toEqual(['rec-22']);
    expect(await store.listAlerts({ assignee: 'nobody', limit: 100 })).toEqual([]);
    // A value is never part of the query text.
    expect(await store.listAlerts({ assignee: "alice' OR '1'='1", limit: 100 })).toEqual([]);

    // Paging backwards, two at a time.
    const pages: string[][] = [];
    let before: number | undefined;
    for (;;) {
      const page = await store.listAlerts({ limit: 2, ...(before === undefined ? {} : { beforeIndex: before }) });
      if (page.length === 0) break;
      pages.push(ids(page));
      before = page.at(-1)!.leafIndex;
    }
    expect(pages).toEqual([
      ['rec-25', 'rec-24'],
      ['rec-23', 'rec-22'],
      ['rec-21', 'rec-20'],
    ]);
    expect(ids(await store.listAlerts({ state: 'open', beforeIndex: 24, limit: 100 }))).toEqual([
      'rec-23',
      'rec-21',
      'rec-20',
    ]);
  });

  it('counts alerts by type, state and severity', async () => {
    const key = (c: { type: string; state: string; severity: string }) => `${c.type}/${c.state}/${c.severity}`;
    const counts = (await store.countAlerts()).sort((a, b) => key(a).localeCompare(key(b)));
    expect(counts).toEqual([
      { type: 'off_channel', state: 'closed', severity: 'medium', count: 1 },
      { type: 'off_channel', state: 'escalated', severity: 'medium', count: 1 },
      { type: 'off_channel', state: 'open', severity: 'medium', count: 2 },
      { type: 'return_guarantee', state: 'open', severity: 'critical', count: 1 },
      { type: 'unentered_order', state: 'open', severity: 'high', count: 1 },
    ]);
  });

  it('compares and sets how far the rules have read', async () => {
    expect(await store.rulesState()).toBeNull();
    await expect(store.setRulesState('x', 'a')).rejects.toEqual(conflict(/rules were moved on by another process/));
    expect(await store.rulesState()).toBeNull();
    await store.setRulesState(null, 'a');
    expect(await store.rulesState()).toBe('a');
    await expect(store.setRulesState(null, 'b')).rejects.toEqual(conflict(/rules were moved on/));
    await expect(store.setRulesState('stale', 'b')).rejects.toEqual(conflict(/rules were moved on/));
    expect(await store.rulesState()).toBe('a');
    await store.setRulesState('a', 'b');
    expect(await store.rulesState()).toBe('b');
    // The rules' state and the alert projection's are apart.
    expect(await store.alertsState()).toBe('l1');
  });

  it('reads chat orders by ledger index range, in index then ordinal order', async () => {
    await store.writeOrders({
      expectedState: await store.ordersState(),
      state: 'o1',
      reset: false,
      orders: [order(9, 1), order(3), order(5, 1), order(5), order(9), order(12), order(1)],
      acks: [],
    });
    const between = async (after: number, through: number, limit = 100) =>
      (await store.ordersBetween(after, through, limit)).map((o) => o.id);
    expect(await between(0, 100)).toEqual(['1.0', '3.0', '5.0', '5.1', '9.0', '9.1', '12.0']);
    // After is exclusive, through inclusive.
    expect(await between(3, 9)).toEqual(['5.0', '5.1', '9.0', '9.1']);
    expect(await between(1, 5, 2)).toEqual(['3.0', '5.0']);
    expect(await between(12, 100)).toEqual([]);
    expect(await between(5, 5)).toEqual([]);
    expect(await store.ordersBetween(4, 5, 10)).toEqual([order(5), order(5, 1)]);
  });
});
