import { describe, expect, it } from 'vitest';
import type { StoredActivity } from '../../capture/activity/archive.js';
import type { ActivityEvent } from '../../capture/activity/model.js';
import { Directory } from '../../capture/directory/directory.js';
import type { StoredOrder } from '../orders/archive.js';
import { buildFirmOrders } from './firm-orders.js';
import { type ReconcileOptions, reconcile } from './reconcile.js';

const T0 = Date.parse('2026-05-04T01:00:00Z');
const min = (m: number) => T0 + m * 60_000;
const iso = (m: number) => new Date(min(m)).toISOString();

function directory(): Directory {
  const d = new Directory();
  d.apply(
    {
      kind: 'client',
      id: 'C1',
      name: 'Chan',
      accounts: ['A1'],
      handles: ['whatsapp:+85291234567'],
      verifiedAt: null,
      verifiedBy: null,
      verificationMethod: null,
      acknowledgement: null,
      imInstructed: false,
    },
    0,
  );
  d.apply({ kind: 'staff', id: 'E1', name: 'Wong', desk: 'Desk A', supervisorId: null, handles: [] }, 0);
  return d;
}

let orderSeq = 0;
function chat(minute: number, fields: Partial<StoredOrder>): StoredOrder {
  const n = orderSeq++;
  return {
    id: `${n}.0`,
    messageIndex: n,
    messageId: `msg-${n}`,
    ordinal: 0,
    platform: 'whatsapp',
    conversationId: 'c',
    platformMessageId: `p${n}`,
    sentAtMs: min(minute),
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
    ...fields,
  };
}

let leaf = 0;
function activity(event: ActivityEvent, recordedMinute = 600): StoredActivity {
  const n = leaf++;
  return {
    key: `k${n}`,
    leafIndex: n,
    recordId: `r${n}`,
    recordedAt: iso(recordedMinute),
    format: 'fix',
    file: 'f',
    line: n + 1,
    rootOrderId: event.kind === 'order' || event.kind === 'execution' ? event.orderId : event.origOrderId,
    event,
  };
}

const order = (minute: number, fields: Partial<Extract<ActivityEvent, { kind: 'order' }>> = {}): ActivityEvent => ({
  kind: 'order',
  orderId: 'O1',
  account: 'A1',
  symbol: '700',
  side: 'buy',
  quantity: 1000,
  orderType: 'limit',
  limitPrice: 350,
  at: iso(minute),
  channel: null,
  status: 'new',
  ...fields,
});

const fill = (minute: number, quantity: number, price: number, orderId = 'O1'): ActivityEvent => ({
  kind: 'execution',
  execId: `X${minute}-${quantity}`,
  orderId,
  origOrderId: null,
  brokerOrderId: null,
  execType: 'partial_fill',
  status: null,
  account: 'A1',
  symbol: '700',
  side: 'buy',
  orderQuantity: null,
  limitPrice: null,
  lastQuantity: quantity,
  lastPrice: price,
  cumQuantity: null,
  leavesQuantity: null,
  avgPrice: null,
  at: iso(minute),
});

const OPTIONS: ReconcileOptions = {
  fromMs: min(-600),
  toMs: min(600),
  windowMs: 30 * 60_000,
  slaMs: 5 * 60_000,
  deskSlaMs: {},
  nowMs: min(10_000),
};

function run(chatOrders: StoredOrder[], events: ActivityEvent[], options: Partial<ReconcileOptions> = {}) {
  return reconcile({
    chatOrders,
    firmOrders: buildFirmOrders(events.map((e) => activity(e))),
    directory: directory(),
    symbolOf: (s) => (s === '700' ? '0700.HK' : s),
    options: { ...OPTIONS, ...options },
  });
}
const types = (r: ReturnType<typeof run>) => r.exceptions.map((e) => e.type);

describe('reconcile', () => {
  it('pairs a firm order stamped up to a minute before the message (clocks differ), not more', () => {
    expect(types(run([chat(10, {})], [order(9.5)]))).toEqual([]);
    expect(types(run([chat(10, {})], [order(8)]))).toEqual(['unentered_order']);
  });

  it('reports nothing for an instruction whose window has not passed yet', () => {
    const r = run([chat(10, {})], [], { nowMs: min(20) });
    expect(r.exceptions).toEqual([]);
    expect(types(run([chat(10, {})], [], { nowMs: min(41) }))).toEqual(['unentered_order']);
  });

  it('does not expect an order the client cancelled in chat before it was entered', () => {
    const o = chat(10, {});
    const cancel = chat(12, { action: 'cancel', side: null, quantity: null, limitPrice: null, changesOrderId: o.id });
    expect(types(run([o, cancel], []))).toEqual([]);
  });

  it('compares entry with the terms asked for by then: an amendment before entry is not a mismatch', () => {
    const o = chat(10, {});
    const amend = chat(11, {
      action: 'amend',
      side: null,
      quantity: 2000,
      limitPrice: null,
      orderType: null,
      changesOrderId: o.id,
    });
    expect(types(run([o, amend], [order(12, { quantity: 2000 })]))).toEqual([]);
    expect(types(run([o, amend], [order(12, { quantity: 1000 })]))).toEqual(['quantity_mismatch']);
  });

  it('takes a replacement a CSV reports without a time as applied, and checks its terms', () => {
    const o = chat(10, {});
    const amend = chat(20, { action: 'amend', side: null, quantity: null, limitPrice: 351, changesOrderId: o.id });
    const replaced = order(11, { limitPrice: 351, status: 'replaced' });
    expect(types(run([o, amend], [order(11), replaced]))).toEqual([]);
    const wrong = order(11, { limitPrice: 352, status: 'replaced' });
    const r = run([o, amend], [order(11), wrong]);
    expect(types(r)).toEqual(['price_mismatch']);
    expect(r.exceptions[0]!.details).toMatchObject({ expected: 351, actual: 352 });
    expect(r.exceptions[0]!.messageId).toBe(amend.messageId);
  });

  it('does not ask for an amendment or cancellation of an order already filled', () => {
    const o = chat(10, {});
    const cancel = chat(20, { action: 'cancel', side: null, quantity: null, limitPrice: null, changesOrderId: o.id });
    expect(types(run([o, cancel], [order(11), fill(12, 1000, 349)]))).toEqual([]);
    expect(types(run([o, cancel], [order(11), fill(12, 400, 349)]))).toEqual(['cancel_not_applied']);
  });

  it('flags a sale filled below the client limit, and a market order entered as a limit', () => {
    const sell = chat(10, { side: 'sell', limitPrice: 360 });
    const r = run([sell], [order(11, { side: 'sell', limitPrice: 360 }), fill(12, 1000, 359.8)]);
    expect(types(r)).toEqual(['price_mismatch']);
    expect(r.exceptions[0]!.details).toMatchObject({ reason: 'fill_worse_than_limit' });
    const market = chat(10, { orderType: 'market', limitPrice: null });
    expect(run([market], [order(11, { limitPrice: 355 })]).exceptions[0]!.details).toMatchObject({
      expected: 'market',
      actual: 355,
    });
  });

  it('pairs the closest terms when a client gives two orders in the same stock', () => {
    const a = chat(10, { quantity: 1000 });
    const b = chat(11, { quantity: 5000 });
    const r = run([a, b], [order(12, { orderId: 'F5', quantity: 5000 }), order(13, { orderId: 'F1', quantity: 1000 })]);
    expect(r.exceptions).toEqual([]);
    expect(r.matches.map((m) => [m.chatOrderId, m.orderId])).toEqual([
      [a.id, 'F1'],
      [b.id, 'F5'],
    ]);
  });

  it('uses the desk service level of the staff member in the conversation', () => {
    expect(types(run([chat(10, {})], [order(18)]))).toEqual(['late_entry']);
    expect(types(run([chat(10, {})], [order(18)], { deskSlaMs: { 'Desk A': 10 * 60_000 } }))).toEqual([]);
  });

  it('counts what it cannot reconcile instead of guessing an account', () => {
    const r = run([chat(10, { clientId: null }), chat(11, { clientId: 'C9' })], []);
    expect(r.exceptions).toEqual([]);
    expect(r.unreconciled).toEqual({ noClient: 1, noAccount: 1, changeOfUnknownOrder: 0 });
  });

  it('reads an order known only from its execution reports', () => {
    const [firm] = buildFirmOrders([
      activity({ ...fill(11, 1000, 350), orderQuantity: 1000, limitPrice: 350 } as ActivityEvent),
    ]);
    expect(firm).toMatchObject({ fromExecutionsOnly: true, entered: { quantity: 1000 }, filledAtMs: min(11) });
    expect(types(run([chat(10, {})], [{ ...fill(11, 1000, 350), orderQuantity: 1000 } as ActivityEvent]))).toEqual([]);
  });
});
