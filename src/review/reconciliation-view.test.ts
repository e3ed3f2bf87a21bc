import { describe, expect, it } from 'vitest';
import { Directory } from '../capture/directory/directory.js';
import type { ReconcileReport } from '../surveil/reconcile/service.js';
import { reconciliationView } from './reconciliation-view.js';

const directory = new Directory();
directory.apply({ kind: 'staff', id: 'S1', name: 'RM Wong', desk: 'equities', supervisorId: null, handles: [] }, 0);
directory.apply({ kind: 'staff', id: 'S2', name: 'Lee', desk: 'bonds', supervisorId: null, handles: [] }, 0);

const chat = (conversationId: string, staffId: string, sentAt: string) => ({
  chatOrder: { conversationId, staffId, sentAt },
});
const MINUTE = 60_000;

const report: ReconcileReport = {
  period: { from: '2026-05-01T00:00:00.000Z', to: '2026-06-01T00:00:00.000Z' },
  windowMs: 30 * MINUTE,
  slaMs: 5 * MINUTE,
  deskSlaMs: {},
  chatOrders: 4,
  firmOrders: 3,
  exceptions: [
    {
      type: 'late_entry',
      messageId: 'm1',
      platformMessageId: 'p1',
      orderId: 'F1',
      details: chat('c-eq', 'S1', '2026-05-04T01:00:00Z'),
    },
    {
      type: 'unentered_order',
      messageId: 'm2',
      platformMessageId: 'p2',
      orderId: null,
      details: chat('c-eq', 'S1', '2026-05-05T01:00:00Z'),
    },
    {
      type: 'side_mismatch',
      messageId: 'm3',
      platformMessageId: 'p3',
      orderId: 'F3',
      details: chat('c-bond', 'S2', '2026-05-04T02:00:00Z'),
    },
    {
      type: 'order_without_instruction',
      messageId: null,
      platformMessageId: null,
      orderId: 'F4',
      details: { firmOrder: { enteredAt: '2026-05-06T03:00:00Z' } },
    },
  ],
  matches: [
    { messageId: 'm1', chatOrderId: 'o1', orderId: 'F1', delayMs: 9 * MINUTE, desk: 'equities' },
    { messageId: 'm5', chatOrderId: 'o5', orderId: 'F5', delayMs: 30 * 1000, desk: 'equities' },
    { messageId: 'm3', chatOrderId: 'o3', orderId: 'F3', delayMs: 45 * MINUTE, desk: 'bonds' },
  ],
  unreconciled: { noClient: 0, noAccount: 0, changeOfUnknownOrder: 0 },
  delays: { count: 3, p50: 9 * MINUTE, p90: 45 * MINUTE, p99: 45 * MINUTE, max: 45 * MINUTE },
};

describe('reconciliationView', () => {
  it('counts exceptions by type, desk and day, and the delays in minutes', () => {
    const view = reconciliationView(report, directory, null);
    expect(view.exceptions.map((e) => [e.type, e.desk, e.day])).toEqual([
      ['late_entry', 'equities', '2026-05-04'],
      ['unentered_order', 'equities', '2026-05-05'],
      ['side_mismatch', 'bonds', '2026-05-04'],
      ['order_without_instruction', null, '2026-05-06'],
    ]);
    expect(view.byDesk).toEqual({ equities: 2, bonds: 1, unknown: 1 });
    expect(view.byDay).toEqual([
      { day: '2026-05-04', type: 'late_entry', count: 1 },
      { day: '2026-05-04', type: 'side_mismatch', count: 1 },
      { day: '2026-05-05', type: 'unentered_order', count: 1 },
      { day: '2026-05-06', type: 'order_without_instruction', count: 1 },
    ]);
    expect(view.delays.histogram).toEqual([
      { upToMinutes: 1, count: 1 },
      { upToMinutes: 2, count: 0 },
      { upToMinutes: 5, count: 0 },
      { upToMinutes: 10, count: 1 },
      { upToMinutes: 15, count: 0 },
      { upToMinutes: 30, count: 0 },
      { upToMinutes: null, count: 1 },
    ]);
    expect(view.delays.p50).toBe(9 * MINUTE);
  });

  it("shows a desk-scoped reader their desks' exceptions and delays only", () => {
    const view = reconciliationView(report, directory, { desks: ['equities'], conversations: new Set(['c-eq']) });
    expect(view.exceptions.map((e) => e.messageId)).toEqual(['m1', 'm2']);
    expect(view.byType).toEqual({ late_entry: 1, unentered_order: 1 });
    expect(view.delays.count).toBe(2);
    expect(view.delays.max).toBe(9 * MINUTE);
  });
});
