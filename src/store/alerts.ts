/**
 * The alert projection's table, shared by both stores: one row per alert, folded from the `alert`
 * ledger records (raised, assigned, commented, state changed, task outcome, approved). The columns are
 * what the queue filters and sorts on; `body` is the whole alert (StoredAlert) as JSON.
 */
import type { AlertCriteria } from '../surveil/alerts/model.js';

/**
 * The projection's schema, as both stores' migration 6 creates it (the column types each store's own).
 * A later change to this table is a new migration, not an edit here.
 */
export const ALERT_TABLES = (t: { int: string; text: string; strict: string }) => `
  -- Alerts folded from alert ledger records: a projection, rebuilt from the ledger when needed.
  CREATE TABLE alerts (
    alert_id ${t.text} PRIMARY KEY,
    dedup_key ${t.text} NOT NULL UNIQUE,
    leaf_index ${t.int} NOT NULL,
    updated_index ${t.int} NOT NULL,
    type ${t.text} NOT NULL,
    rule ${t.text} NOT NULL,
    severity ${t.text} NOT NULL,
    state ${t.text} NOT NULL,
    assignee ${t.text},
    conversation_id ${t.text},
    client_id ${t.text},
    body ${t.text} NOT NULL
  )${t.strict};
  CREATE INDEX alerts_by_index ON alerts (leaf_index);
  CREATE INDEX alerts_by_state ON alerts (state, leaf_index);
  CREATE INDEX alerts_by_type ON alerts (type, leaf_index);
  CREATE INDEX alerts_by_assignee ON alerts (assignee, leaf_index);
  CREATE INDEX alerts_by_client ON alerts (client_id, leaf_index);
`;

/** The meta key holding the alert projection's progress (AlertStorage.alertsState). */
export const ALERTS_STATE_KEY = 'alerts_state';
/** The meta key holding how far the rules have read the ledger (AlertStorage.rulesState). */
export const RULES_STATE_KEY = 'rules_state';

export const ALERT_COLUMNS =
  'alert_id, dedup_key, leaf_index, updated_index, type, rule, severity, state, assignee, conversation_id, client_id, body';

/** One projection row, in ALERT_COLUMNS order. */
export type AlertRowValues = [
  alertId: string,
  dedupKey: string,
  leafIndex: number,
  updatedIndex: number,
  type: string,
  rule: string,
  severity: string,
  state: string,
  assignee: string | null,
  conversationId: string | null,
  clientId: string | null,
  body: string,
];

/**
 * The queue's query (AlertStorage.listAlerts), newest first: only fixed column names go into the text,
 * every value is bound; `placeholder(n)` writes the n-th parameter's marker.
 */
export function listAlertsQuery(
  c: AlertCriteria,
  placeholder: (n: number) => string,
): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, op: '=' | '<', value: unknown) => {
    params.push(value);
    where.push(`${column} ${op} ${placeholder(params.length)}`);
  };
  if (c.state !== undefined) add('state', '=', c.state);
  if (c.type !== undefined) add('type', '=', c.type);
  if (c.rule !== undefined) add('rule', '=', c.rule);
  if (c.severity !== undefined) add('severity', '=', c.severity);
  if (c.assignee !== undefined) add('assignee', '=', c.assignee);
  if (c.clientId !== undefined) add('client_id', '=', c.clientId);
  if (c.conversationId !== undefined) add('conversation_id', '=', c.conversationId);
  if (c.beforeIndex !== undefined) add('leaf_index', '<', c.beforeIndex);
  params.push(c.limit);
  const sql = `SELECT body FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY leaf_index DESC LIMIT ${placeholder(params.length)}`;
  return { sql, params };
}
