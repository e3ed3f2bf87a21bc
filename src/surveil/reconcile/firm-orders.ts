/**
 * The firm's orders as reconciliation sees them: each order's archived events (entry, replacement and
 * cancellation requests, execution reports, later states in a CSV exported again) folded into one
 * history — what was entered and when, each change, whether and when it was cancelled, and its fills.
 */
import type { StoredActivity } from '../../capture/activity/archive.js';
import type { ActivitySide, FirmOrderStatus, FirmOrderType } from '../../capture/activity/model.js';

/** A change to the order: its new terms, and when it took effect (null: a CSV says so, not when). */
export interface FirmOrderVersion {
  atMs: number | null;
  quantity: number | null;
  orderType: FirmOrderType | null;
  limitPrice: number | null;
  recordId: string;
}

export interface FirmFill {
  execId: string;
  quantity: number;
  price: number;
  atMs: number | null;
  recordId: string;
}

export interface FirmOrder {
  /** The order as first entered (its first ClOrdID, or the CSV's order_id). */
  orderId: string;
  account: string | null;
  /** As the firm's system wrote it (`700`, `0700.HK`, `AAPL`). */
  symbol: string;
  side: ActivitySide | null;
  /** The terms it was entered with; null where the only record is a later state of it. */
  entered: { quantity: number | null; orderType: FirmOrderType | null; limitPrice: number | null } | null;
  enteredAtMs: number;
  channel: string | null;
  /** The latest status any source reported. */
  status: FirmOrderStatus | null;
  versions: FirmOrderVersion[];
  /** When it was cancelled (or asked to be); null time when a CSV says so without a time. */
  cancelled: { atMs: number | null } | null;
  fills: FirmFill[];
  /** When the fills reached the order's quantity, if they did. */
  filledAtMs: number | null;
  /** Built from execution reports alone: no record of the order's entry is archived. */
  fromExecutionsOnly: boolean;
  /** The ledger records behind it, for the evidence of an exception. */
  records: { recordId: string; leafIndex: number; kind: string }[];
}

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** Folds archived activity (in ledger order) into orders, one per root order id. */
export function buildFirmOrders(activity: readonly StoredActivity[]): FirmOrder[] {
  const byRoot = new Map<string, StoredActivity[]>();
  for (const a of activity) {
    const list = byRoot.get(a.rootOrderId);
    if (list === undefined) byRoot.set(a.rootOrderId, [a]);
    else list.push(a);
  }
  const orders: FirmOrder[] = [];
  for (const [root, events] of byRoot) {
    const order = foldOrder(root, events);
    if (order !== null) orders.push(order);
  }
  return orders;
}

function foldOrder(root: string, events: StoredActivity[]): FirmOrder | null {
  let order: FirmOrder | null = null;
  const fills = new Map<string, FirmFill>();
  const cancelledFills = new Set<string>();
  const pendingExec: StoredActivity[] = [];
  for (const a of events) {
    const e = a.event;
    if (e.kind !== 'order') continue;
    const atMs = ms(e.at);
    if (order === null) {
      const replacedAlready = e.status === 'replaced';
      order = {
        orderId: root,
        account: e.account,
        symbol: e.symbol,
        side: e.side,
        entered: replacedAlready ? null : { quantity: e.quantity, orderType: e.orderType, limitPrice: e.limitPrice },
        enteredAtMs: atMs ?? Date.parse(a.recordedAt),
        channel: e.channel,
        status: e.status,
        versions: replacedAlready
          ? [
              {
                atMs: null,
                quantity: e.quantity,
                orderType: e.orderType,
                limitPrice: e.limitPrice,
                recordId: a.recordId,
              },
            ]
          : [],
        cancelled: e.status === 'cancelled' ? { atMs: null } : null,
        fills: [],
        filledAtMs: null,
        fromExecutionsOnly: false,
        records: [],
      };
      continue;
    }
    // The same order again (a CSV exported later, a resent NewOrderSingle): a later state of it.
    const last = order.versions.at(-1) ?? order.entered;
    if (last?.quantity !== e.quantity || last?.limitPrice !== e.limitPrice || last?.orderType !== e.orderType) {
      order.versions.push({
        atMs: null,
        quantity: e.quantity,
        orderType: e.orderType,
        limitPrice: e.limitPrice,
        recordId: a.recordId,
      });
    }
    if (e.status !== null) order.status = e.status;
    if (e.status === 'cancelled' && order.cancelled === null) order.cancelled = { atMs: null };
  }
  for (const a of events) {
    const e = a.event;
    if (e.kind === 'order') continue;
    if (order === null) {
      if (e.kind !== 'execution') continue;
      // No entry archived: the order as its first execution report describes it.
      order = {
        orderId: root,
        account: e.account,
        symbol: e.symbol ?? '',
        side: e.side,
        entered:
          e.orderQuantity === null ? null : { quantity: e.orderQuantity, orderType: null, limitPrice: e.limitPrice },
        enteredAtMs: ms(e.at) ?? Date.parse(a.recordedAt),
        channel: null,
        status: null,
        versions: [],
        cancelled: null,
        fills: [],
        filledAtMs: null,
        fromExecutionsOnly: true,
        records: [],
      };
    }
    order.account ??= e.account;
    if (e.kind === 'replace_request') {
      order.versions.push({
        atMs: ms(e.at),
        quantity: e.quantity,
        orderType: e.orderType,
        limitPrice: e.limitPrice,
        recordId: a.recordId,
      });
    } else if (e.kind === 'cancel_request') {
      order.cancelled ??= { atMs: ms(e.at) };
    } else pendingExec.push(a);
  }
  if (order === null) return null;
  for (const a of pendingExec) {
    const e = a.event;
    if (e.kind !== 'execution') continue;
    if (e.status !== null) order.status = e.status;
    const atMs = ms(e.at);
    switch (e.execType) {
      case 'partial_fill':
      case 'fill':
      case 'trade_correct':
        if (e.lastQuantity !== null && e.lastQuantity > 0 && e.lastPrice !== null) {
          fills.set(e.execId, {
            execId: e.execId,
            quantity: e.lastQuantity,
            price: e.lastPrice,
            atMs,
            recordId: a.recordId,
          });
        }
        break;
      case 'trade_cancel':
        cancelledFills.add(e.execId);
        break;
      case 'replaced':
        // Confirms a replacement; a request already archived said the same, at the time it was asked.
        if (!order.versions.some((v) => v.quantity === e.orderQuantity && v.limitPrice === e.limitPrice)) {
          order.versions.push({
            atMs,
            quantity: e.orderQuantity,
            orderType: null,
            limitPrice: e.limitPrice,
            recordId: a.recordId,
          });
        }
        break;
      case 'cancelled':
      case 'expired':
      case 'done_for_day':
        if (e.execType === 'cancelled') order.cancelled ??= { atMs };
        break;
      default:
        break;
    }
  }
  for (const a of events) order.records.push({ recordId: a.recordId, leafIndex: a.leafIndex, kind: a.event.kind });
  order.fills = [...fills.values()]
    .filter((f) => !cancelledFills.has(f.execId))
    .sort((x, y) => (x.atMs ?? 0) - (y.atMs ?? 0));
  const target = order.versions.at(-1)?.quantity ?? order.entered?.quantity ?? null;
  let cumulative = 0;
  for (const f of order.fills) {
    cumulative += f.quantity;
    if (target !== null && cumulative >= target && order.filledAtMs === null) order.filledAtMs = f.atMs;
  }
  if (order.status === 'filled' && order.filledAtMs === null && order.fills.length > 0) {
    order.filledAtMs = order.fills.at(-1)!.atMs;
  }
  return order;
}
