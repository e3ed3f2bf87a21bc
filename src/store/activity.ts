/**
 * The account-activity projection's table, shared by both stores: one row per archived activity record
 * (a FIX message or CSV row the firm's systems wrote), with the firm order it belongs to worked out.
 * The columns are what reconciliation selects on; `body` is the stored event as JSON.
 */

/**
 * The projection's schema, as both stores' migration 5 creates it (the column types each store's own).
 * A later change to this table is a new migration, not an edit here.
 */
export const ACTIVITY_TABLES = (t: { int: string; text: string; strict: string }) => `
  -- Account activity read from activity ledger records: a projection, rebuilt from the ledger when needed.
  CREATE TABLE activity (
    event_key ${t.text} PRIMARY KEY,
    leaf_index ${t.int} NOT NULL,
    kind ${t.text} NOT NULL,
    order_id ${t.text} NOT NULL,
    root_order_id ${t.text} NOT NULL,
    account ${t.text},
    at_ms ${t.int},
    body ${t.text} NOT NULL
  )${t.strict};
  CREATE INDEX activity_by_order ON activity (order_id);
  CREATE INDEX activity_by_root ON activity (root_order_id);
  CREATE INDEX activity_by_time ON activity (at_ms);
`;

/** The meta key holding the projection's progress (ActivityStorage.activityState). */
export const ACTIVITY_STATE_KEY = 'activity_state';

export const ACTIVITY_COLUMNS = 'event_key, leaf_index, kind, order_id, root_order_id, account, at_ms, body';

/** One projection row, in ACTIVITY_COLUMNS order. */
export type ActivityRowValues = [
  eventKey: string,
  leafIndex: number,
  kind: string,
  orderId: string,
  rootOrderId: string,
  account: string | null,
  atMs: number | null,
  body: string,
];

/** The rows of the firm orders with activity in a period (reconciliation's read); `$n` placeholders. */
export function activityForPeriodQuery(placeholder: (n: number) => string): string {
  return `SELECT body FROM activity WHERE root_order_id IN (
      SELECT root_order_id FROM activity WHERE at_ms >= ${placeholder(1)} AND at_ms < ${placeholder(2)})
    ORDER BY leaf_index`;
}

/** The count and time span of the events recorded in a range of ledger indexes; `$n` placeholders. */
export function activitySpanQuery(placeholder: (n: number) => string): string {
  return `SELECT count(*) AS events, min(at_ms) AS from_ms, max(at_ms) AS to_ms FROM activity
    WHERE leaf_index > ${placeholder(1)} AND leaf_index <= ${placeholder(2)}`;
}

/** A span row as either driver returns it (PostgreSQL gives bigints as strings). */
export function activitySpanFromRow(row: {
  events: number | string;
  from_ms: number | string | null;
  to_ms: number | string | null;
}) {
  return {
    events: Number(row.events),
    fromMs: row.from_ms === null ? null : Number(row.from_ms),
    toMs: row.to_ms === null ? null : Number(row.to_ms),
  };
}
