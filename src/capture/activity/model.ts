/**
 * Account activity: what the firm did with client orders, as its order management system and FIX
 * sessions record it. Every source (a FIX log, an orders CSV, an executions CSV) is read into these
 * events; each is archived as one `activity` ledger record, and reconciliation compares them with the
 * orders clients gave in chat (SFC circular 3b and 4a).
 */

export const ACTIVITY_FORMATS = ['fix', 'orders-csv', 'executions-csv'] as const;
export type ActivityFormat = (typeof ACTIVITY_FORMATS)[number];

export type ActivitySide = 'buy' | 'sell';
export type FirmOrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'other';

/** The order states a source can report, in one vocabulary for FIX (OrdStatus, 39) and CSV (`status`). */
export const FIRM_ORDER_STATUSES = [
  'new',
  'partially_filled',
  'filled',
  'cancelled',
  'replaced',
  'rejected',
  'expired',
  'done_for_day',
  'pending',
] as const;
export type FirmOrderStatus = (typeof FIRM_ORDER_STATUSES)[number];

/**
 * An order as the firm entered it (FIX NewOrderSingle, 35=D; a row of an orders CSV). A CSV exported
 * again later may give the same order in a new state (replaced, cancelled, filled): that is a new event.
 */
export interface FirmOrderEvent {
  kind: 'order';
  /** ClOrdID (11), or the CSV's `order_id`. */
  orderId: string;
  account: string | null;
  symbol: string;
  side: ActivitySide | null;
  quantity: number | null;
  orderType: FirmOrderType | null;
  limitPrice: number | null;
  /** When it was entered (TransactTime 60, else SendingTime 52; `entered_at`), ISO 8601 UTC. */
  at: string | null;
  /** How the instruction reached the firm (`IM`, `phone`, …), where the source says. */
  channel: string | null;
  status: FirmOrderStatus | null;
}

/** A request to change an order (OrderCancelReplaceRequest, 35=G): `orderId` is the new ClOrdID. */
export interface ReplaceRequestEvent {
  kind: 'replace_request';
  orderId: string;
  /** OrigClOrdID (41): the order it replaces. */
  origOrderId: string;
  account: string | null;
  symbol: string;
  side: ActivitySide | null;
  quantity: number | null;
  orderType: FirmOrderType | null;
  limitPrice: number | null;
  at: string | null;
}

/** A request to cancel an order (OrderCancelRequest, 35=F). */
export interface CancelRequestEvent {
  kind: 'cancel_request';
  orderId: string;
  origOrderId: string;
  account: string | null;
  symbol: string;
  side: ActivitySide | null;
  quantity: number | null;
  at: string | null;
}

/**
 * What happened to an order (ExecutionReport, 35=8; a row of an executions CSV), with FIX 4.2's and
 * 4.4's ExecType (150) read into one vocabulary: 4.2's partial fill (1) and fill (2) and 4.4's trade (F,
 * told apart by OrdStatus) are both `partial_fill` or `fill`; a report without ExecType is read from
 * OrdStatus (39).
 */
export type ExecutionType =
  | 'new'
  | 'partial_fill'
  | 'fill'
  | 'replaced'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  | 'done_for_day'
  | 'pending'
  | 'trade_cancel'
  | 'trade_correct'
  | 'status'
  | 'other';

export interface ExecutionEvent {
  kind: 'execution';
  /** ExecID (17), or the CSV's `exec_id`. */
  execId: string;
  /** ClOrdID (11), or the CSV's `order_id`. */
  orderId: string;
  /** OrigClOrdID (41), on reports of a replacement or cancellation. */
  origOrderId: string | null;
  /** The broker's or exchange's OrderID (37). */
  brokerOrderId: string | null;
  execType: ExecutionType;
  status: FirmOrderStatus | null;
  account: string | null;
  symbol: string | null;
  side: ActivitySide | null;
  /** The order's quantity and limit as the report states them (after a replacement, the new ones). */
  orderQuantity: number | null;
  limitPrice: number | null;
  /** This fill: LastShares/LastQty (32) and LastPx (31); null when the report is not a fill. */
  lastQuantity: number | null;
  lastPrice: number | null;
  cumQuantity: number | null;
  leavesQuantity: number | null;
  avgPrice: number | null;
  at: string | null;
}

export type ActivityEvent = FirmOrderEvent | ReplaceRequestEvent | CancelRequestEvent | ExecutionEvent;

/** A problem with one message or row: reported with where it is, and skipped or refused. */
export interface ActivityProblem {
  line: number;
  reason: string;
}
