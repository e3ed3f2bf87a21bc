/**
 * The order projection's tables, shared by both stores: the same columns on SQLite and PostgreSQL. The
 * columns are what queries filter on; `body` is the whole stored order (or confirmation) as JSON.
 */
import type { OrderCriteria, StoredAck, StoredOrder } from '../surveil/orders/archive.js';

/**
 * The projection's schema, as both stores' migration 4 creates it (the column types each store's own).
 * A later change to these tables is a new migration, not an edit here.
 */
export const ORDERS_TABLES = (t: { int: string; text: string; strict: string }) => `
  -- Orders read from archived messages: a projection, rebuilt from the ledger whenever needed.
  CREATE TABLE orders (
    order_id ${t.text} PRIMARY KEY,
    message_index ${t.int} NOT NULL,
    ordinal ${t.int} NOT NULL,
    conversation_id ${t.text} NOT NULL,
    sent_at ${t.int} NOT NULL,
    action ${t.text} NOT NULL,
    side ${t.text},
    symbol ${t.text} NOT NULL,
    client_id ${t.text},
    staff_id ${t.text},
    body ${t.text} NOT NULL
  )${t.strict};
  CREATE INDEX orders_by_message ON orders (message_index, ordinal);
  CREATE INDEX orders_by_conversation ON orders (conversation_id, sent_at);
  CREATE INDEX orders_by_symbol ON orders (symbol, message_index);
  CREATE INDEX orders_by_client ON orders (client_id, message_index);
  CREATE INDEX orders_by_staff ON orders (staff_id, message_index);
  CREATE INDEX orders_by_sent_at ON orders (sent_at);
  -- Confirmations staff sent ("Received: BUY …"), with the orders they repeat.
  CREATE TABLE order_acks (
    message_index ${t.int} PRIMARY KEY,
    conversation_id ${t.text} NOT NULL,
    sent_at ${t.int} NOT NULL,
    body ${t.text} NOT NULL
  )${t.strict};
  CREATE INDEX order_acks_by_conversation ON order_acks (conversation_id, sent_at);
`;

/** The meta key holding the projection's progress (OrderStorage.ordersState). */
export const ORDERS_STATE_KEY = 'orders_state';

export type OrderRowValues = [
  orderId: string,
  messageIndex: number,
  ordinal: number,
  conversationId: string,
  sentAtMs: number,
  action: string,
  side: string | null,
  symbol: string,
  clientId: string | null,
  staffId: string | null,
  body: string,
];

export const ORDER_COLUMNS =
  'order_id, message_index, ordinal, conversation_id, sent_at, action, side, symbol, client_id, staff_id, body';
export const ACK_COLUMNS = 'message_index, conversation_id, sent_at, body';

export function orderRowValues(o: StoredOrder): OrderRowValues {
  return [
    o.id,
    o.messageIndex,
    o.ordinal,
    o.conversationId,
    o.sentAtMs,
    o.action,
    o.side,
    o.symbol,
    o.clientId,
    o.staffId,
    JSON.stringify(o),
  ];
}

export function ackRowValues(a: StoredAck): [number, string, number, string] {
  return [a.messageIndex, a.conversationId, a.sentAtMs, JSON.stringify(a)];
}

export function fromBody<T>(row: { body: unknown }): T {
  return JSON.parse(row.body as string) as T;
}

/** The query for OrderStorage.findOrders; `placeholder(n)` writes the n-th parameter (from 1). */
export function findOrdersQuery(
  c: OrderCriteria,
  placeholder: (n: number) => string,
): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: string, value: unknown) => {
    params.push(value);
    where.push(condition.replace('?', placeholder(params.length)));
  };
  if (c.symbol !== undefined) add('symbol = ?', c.symbol);
  if (c.side !== undefined) add('side = ?', c.side);
  if (c.action !== undefined) add('action = ?', c.action);
  if (c.clientId !== undefined) add('client_id = ?', c.clientId);
  if (c.staffId !== undefined) add('staff_id = ?', c.staffId);
  if (c.conversationId !== undefined) add('conversation_id = ?', c.conversationId);
  if (c.messageIndex !== undefined) add('message_index = ?', c.messageIndex);
  if (c.fromMs !== undefined) add('sent_at >= ?', c.fromMs);
  if (c.toMs !== undefined) add('sent_at < ?', c.toMs);
  if (c.beforeIndex !== undefined) add('message_index < ?', c.beforeIndex);
  params.push(c.limit);
  const sql = `SELECT body FROM orders ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY message_index DESC, ordinal LIMIT ${placeholder(params.length)}`;
  return { sql, params };
}
