/**
 * Reconciliation as the console shows it: each exception with the desk and day it belongs to, counts
 * by type, desk and day, and the chat-to-entry delay as a histogram. A desk-scoped caller sees the
 * exceptions of their desks' conversations; an order the firm entered with no chat instruction has no
 * conversation, so only callers who see every desk see those.
 */
import type { Directory } from '../capture/directory/directory.js';
import type { ReconcileException } from '../surveil/reconcile/reconcile.js';
import { distribution, type ReconcileReport } from '../surveil/reconcile/service.js';
import { dayOf } from './dashboard.js';

/** Upper bounds of the delay histogram's buckets, in minutes; the last bucket is everything slower. */
const DELAY_BUCKETS_MINUTES = [1, 2, 5, 10, 15, 30] as const;

export interface ExceptionRow extends ReconcileException {
  desk: string | null;
  day: string | null;
  conversationId: string | null;
}

export interface ReconciliationView {
  period: ReconcileReport['period'];
  chatOrders: number;
  /** The firm-wide figures; null for a caller behind a desk's barrier. */
  firmOrders: number | null;
  exceptions: ExceptionRow[];
  byType: Record<string, number>;
  byDesk: Record<string, number>;
  byDay: { day: string; type: string; count: number }[];
  delays: ReconcileReport['delays'] & { histogram: { upToMinutes: number | null; count: number }[] };
  unreconciled: ReconcileReport['unreconciled'] | null;
}

export function reconciliationView(
  report: ReconcileReport,
  directory: Directory,
  scope: { desks: readonly string[]; conversations: ReadonlySet<string> } | null,
): ReconciliationView {
  const visible = scope?.conversations ?? null;
  const rows: ExceptionRow[] = [];
  for (const e of report.exceptions) {
    const chat = (e.details.chatOrder ?? null) as { conversationId?: string; sentAt?: string; staffId?: string } | null;
    const firm = (e.details.firmOrder ?? null) as { enteredAt?: string } | null;
    const conversationId = chat?.conversationId ?? null;
    if (visible !== null && (conversationId === null || !visible.has(conversationId))) continue;
    const staff = chat?.staffId ? directory.get('staff', chat.staffId) : undefined;
    const at = chat?.sentAt ?? firm?.enteredAt;
    rows.push({
      ...e,
      conversationId,
      desk: staff?.kind === 'staff' ? staff.desk : null,
      day: at === undefined ? null : dayOf(Date.parse(at)),
    });
  }
  const byType: Record<string, number> = {};
  const byDesk: Record<string, number> = {};
  const byDay = new Map<string, { day: string; type: string; count: number }>();
  for (const r of rows) {
    byType[r.type] = (byType[r.type] ?? 0) + 1;
    const desk = r.desk ?? 'unknown';
    byDesk[desk] = (byDesk[desk] ?? 0) + 1;
    if (r.day === null) continue;
    const key = `${r.day} ${r.type}`;
    const cell = byDay.get(key) ?? { day: r.day, type: r.type, count: 0 };
    cell.count++;
    byDay.set(key, cell);
  }
  const matches =
    scope === null ? report.matches : report.matches.filter((m) => m.desk !== null && scope.desks.includes(m.desk));
  const histogram = [...DELAY_BUCKETS_MINUTES, null].map((upToMinutes) => ({ upToMinutes, count: 0 }));
  for (const m of matches) {
    const minutes = m.delayMs / 60_000;
    const i = DELAY_BUCKETS_MINUTES.findIndex((limit) => minutes <= limit);
    histogram[i === -1 ? histogram.length - 1 : i]!.count++;
  }
  return {
    period: report.period,
    chatOrders: report.chatOrders,
    firmOrders: report.firmOrders,
    exceptions: rows,
    byType,
    byDesk,
    byDay: [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day) || a.type.localeCompare(b.type)),
    delays: { ...(scope === null ? report.delays : distribution(matches.map((m) => m.delayMs))), histogram },
    unreconciled: report.unreconciled,
  };
}
