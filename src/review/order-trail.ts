/**
 * One chat order's trail, for the console's order view: the order as read from the message, the firm
 * order it was matched with (its entry, changes and fills) and how long entry took, the exceptions
 * reconciliation found for it, and the confirmation text to send the client.
 */
import type { StoredActivity } from '../capture/activity/archive.js';
import type { MessageContent } from '../capture/model.js';
import { StenoError } from '../core/errors.js';
import type { ContentReader } from '../ledger/content.js';
import type { AckLanguage } from '../surveil/orders/acknowledge.js';
import type { OrderArchive, OrderView } from '../surveil/orders/archive.js';
import { buildFirmOrders, type FirmOrder } from '../surveil/reconcile/firm-orders.js';
import type { ReconcileException } from '../surveil/reconcile/reconcile.js';
import type { ReconcileService } from '../surveil/reconcile/service.js';

const ORDER_ID = /^(\d{1,15})\.(\d{1,4})$/;

export interface FirmOrderView {
  orderId: string;
  account: string | null;
  symbol: string;
  side: string | null;
  entered: FirmOrder['entered'];
  enteredAt: string;
  channel: string | null;
  status: string | null;
  changes: { at: string | null; quantity: number | null; orderType: string | null; limitPrice: number | null }[];
  cancelledAt: string | null;
  fills: { execId: string; quantity: number; price: number; at: string | null }[];
}

export interface OrderTrail {
  order: OrderView;
  /** The text of the message the order was read from: what the order's spans point into. */
  text: string | null;
  firmOrder: FirmOrderView | null;
  delayMs: number | null;
  exceptions: ReconcileException[];
  acknowledgement: { language: AckLanguage; text: string } | null;
}

export async function orderTrail(
  deps: {
    orders: OrderArchive;
    reconcile: ReconcileService;
    contents: ContentReader;
    activity: { forPeriod(fromMs: number, toMs: number): Promise<StoredActivity[]> };
  },
  orderId: string,
  /** Whether the caller may see the order's conversation; one they may not is not found, as a missing one. */
  visible: (conversationId: string) => Promise<boolean> = async () => true,
): Promise<OrderTrail> {
  const id = ORDER_ID.exec(orderId);
  if (id === null) {
    throw new StenoError('invalid_input', 'an order id is "<message ledger index>.<n>", as /api/v1/orders gives it');
  }
  const order = (await deps.orders.find({ messageIndex: Number(id[1]), limit: 1000 })).find((o) => o.id === orderId);
  if (order === undefined || !(await visible(order.conversationId))) {
    throw new StenoError('not_found', `no order ${orderId}`);
  }
  const sentAtMs = Date.parse(order.sentAt);
  // The period is the message's own instant: only its orders are reconciled, against firm orders
  // entered in the window after it.
  const report = await deps.reconcile.run({ fromMs: sentAtMs, toMs: sentAtMs + 1 });
  const match = report.matches.find((m) => m.chatOrderId === orderId) ?? null;
  const exceptions = report.exceptions.filter(
    (e) => (e.details.chatOrder as { id?: string } | undefined)?.id === orderId,
  );
  let firmOrder: FirmOrderView | null = null;
  if (match !== null) {
    const activity = await deps.activity.forPeriod(sentAtMs - report.windowMs, sentAtMs + 2 * report.windowMs);
    const found = buildFirmOrders(activity).find((f) => f.orderId === match.orderId);
    if (found !== undefined) firmOrder = viewOf(found);
  }
  const stored = (await deps.contents.readContents([order.messageIndex])).get(order.messageIndex);
  const text =
    stored === undefined ? null : ((JSON.parse(stored.content.toString('utf8')) as MessageContent).text ?? null);
  const acks = await deps.orders.acknowledgement(order.messageId);
  const ack = acks.acknowledgements.find((a) => a.orderId === orderId);
  return {
    order,
    text,
    firmOrder,
    delayMs: match?.delayMs ?? null,
    exceptions,
    acknowledgement: ack === undefined ? null : { language: ack.language, text: ack.text },
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function viewOf(f: FirmOrder): FirmOrderView {
  return {
    orderId: f.orderId,
    account: f.account,
    symbol: f.symbol,
    side: f.side,
    entered: f.entered,
    enteredAt: new Date(f.enteredAtMs).toISOString(),
    channel: f.channel,
    status: f.status,
    changes: f.versions.map((v) => ({
      at: iso(v.atMs),
      quantity: v.quantity,
      orderType: v.orderType,
      limitPrice: v.limitPrice,
    })),
    cancelledAt: f.cancelled === null ? null : iso(f.cancelled.atMs),
    fills: f.fills.map((x) => ({ execId: x.execId, quantity: x.quantity, price: x.price, at: iso(x.atMs) })),
  };
}
