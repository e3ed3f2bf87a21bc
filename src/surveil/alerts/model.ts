/**
 * Alerts as the ledger holds them. An alert is raised by an `alert` record whose content is the rule
 * engine's candidate; everything a person does to it afterwards (assigning it, commenting, moving it
 * through open → in review → escalated → closed, recording a task's outcome, approving an instruction)
 * is another `alert` record naming it, so who did what and when is provable like any message.
 *
 * `applyAlertRecord` folds one record into the alert it names. Pure: the projection and the tests use it.
 */
import type { RecordsByType } from '../../ledger/content.js';
import type { StoredOrder } from '../orders/archive.js';
import type { AlertCandidate, TaskKind } from '../rules/engine.js';
import type { RuleId, Severity } from '../rules/policy.js';

export const ALERT_RECORD = 'alert';

export const ALERT_STATES = ['open', 'in_review', 'escalated', 'closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** What a call-back or an out-of-band verification came to. */
export const TASK_OUTCOMES = [
  /** The client confirmed the order or instruction on the registered number. */
  'confirmed',
  /** The client was reached and did not confirm it. */
  'not_confirmed',
  /** The client could not be reached. */
  'unreachable',
  /** Not needed (the alert was a false positive); the note must say why. */
  'not_needed',
] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** The content of an `alert` ledger record: one of these. */
export type AlertRecordContent =
  | { action: 'raised'; by: string; alert: AlertCandidate }
  | { action: 'assigned'; by: string; alertId: string; assignee: string | null }
  | { action: 'commented'; by: string; alertId: string; text: string }
  | { action: 'state_changed'; by: string; alertId: string; from: AlertState; to: AlertState; reason: string | null }
  | { action: 'task_outcome'; by: string; alertId: string; outcome: TaskOutcome; note: string | null }
  | { action: 'approved'; by: string; alertId: string; note: string | null };

/** One entry of an alert's history: a record that named it. */
export interface AlertEvent {
  leafIndex: number;
  recordId: string;
  at: string;
  by: string;
  action: AlertRecordContent['action'] | 'raised_again';
  /** The record's own fields besides action, by and alertId (the assignee, the comment, the states …). */
  details: Record<string, unknown>;
}

export interface AlertTask {
  kind: TaskKind;
  target: string | null;
  instruction: string;
  /** The latest outcome recorded, with who recorded it and when. */
  outcome: { outcome: TaskOutcome; note: string | null; by: string; at: string; leafIndex: number } | null;
}

/** An alert as the projection holds it, and as the CLI and API show it. */
export interface StoredAlert {
  /** The id of the record that raised it. */
  id: string;
  /** The ledger index of the record that raised it. */
  leafIndex: number;
  /** The ledger index of the last record applied to it. */
  updatedIndex: number;
  dedupKey: string;
  type: string;
  rule: RuleId;
  severity: Severity;
  policyVersion: number;
  state: AlertState;
  assignee: string | null;
  raisedAt: string;
  raisedBy: string;
  subject: AlertCandidate['subject'];
  spans: AlertCandidate['spans'];
  evidence: Record<string, unknown>;
  task: AlertTask | null;
  approval: { by: string; at: string; note: string | null; leafIndex: number } | null;
  closeReason: string | null;
  history: AlertEvent[];
}

export interface AlertCriteria {
  state?: AlertState;
  type?: string;
  rule?: RuleId;
  severity?: Severity;
  assignee?: string;
  clientId?: string;
  conversationId?: string;
  /** Alerts raised before this ledger index (paging backwards). */
  beforeIndex?: number;
  limit: number;
}

export interface AlertsWrite {
  expectedState: string | null;
  state: string;
  /** Delete every row first (a rebuild). */
  reset: boolean;
  /** Inserted, or replaced where the alert id exists. */
  alerts: StoredAlert[];
}

/** What alerts and the rules runner need of storage. */
export interface AlertStorage extends RecordsByType {
  treeSize(): Promise<number>;
  /** The alert projection's progress as last written (null before the first write). */
  alertsState(): Promise<string | null>;
  /** Throws a `conflict` StenoError when the state is no longer `expectedState`. */
  writeAlerts(write: AlertsWrite): Promise<void>;
  alertsByIds(ids: readonly string[]): Promise<StoredAlert[]>;
  /** The alert id holding each of these dedup keys, where one does. */
  alertIdsByDedupKey(keys: readonly string[]): Promise<Map<string, string>>;
  /** Newest first (by the raising record's ledger index). */
  listAlerts(criteria: AlertCriteria): Promise<StoredAlert[]>;
  /** Alerts by type and state, for the summary. */
  countAlerts(): Promise<{ type: string; state: AlertState; severity: Severity; count: number }[]>;
  /** How far the rules have read (null before the first scan). */
  rulesState(): Promise<string | null>;
  /** Throws a `conflict` StenoError when the state is no longer `expectedState`. */
  setRulesState(expectedState: string | null, state: string): Promise<void>;
  /** Chat orders read from messages with ledger index in (afterIndex, throughIndex], by index then ordinal. */
  ordersBetween(afterIndex: number, throughIndex: number, limit: number): Promise<StoredOrder[]>;
}

/** The row values the stores write for an alert (ALERT_COLUMNS order). */
export function alertRowValues(a: StoredAlert) {
  return [
    a.id,
    a.dedupKey,
    a.leafIndex,
    a.updatedIndex,
    a.type,
    a.rule,
    a.severity,
    a.state,
    a.assignee,
    a.subject.conversationId,
    a.subject.clientId,
    JSON.stringify(a),
  ] as const;
}

/** Where a record sits in the ledger, as the fold needs it. */
export interface RecordPlace {
  leafIndex: number;
  recordId: string;
  /** The leaf's capturedAt. */
  at: string;
}

/** A new alert from the record that raised it. */
export function raisedAlert(place: RecordPlace, by: string, candidate: AlertCandidate): StoredAlert {
  return {
    id: place.recordId,
    leafIndex: place.leafIndex,
    updatedIndex: place.leafIndex,
    dedupKey: candidate.dedupKey,
    type: candidate.type,
    rule: candidate.rule,
    severity: candidate.severity,
    policyVersion: candidate.policyVersion,
    state: 'open',
    assignee: null,
    raisedAt: place.at,
    raisedBy: by,
    subject: candidate.subject,
    spans: candidate.spans,
    evidence: candidate.evidence,
    task: candidate.task === null ? null : { ...candidate.task, outcome: null },
    approval: null,
    closeReason: null,
    history: [
      { leafIndex: place.leafIndex, recordId: place.recordId, at: place.at, by, action: 'raised', details: {} },
    ],
  };
}

/**
 * The alert after one more record naming it. The record is what happened, so it is applied as written;
 * whether it was allowed was checked when it was written (AlertService). A raise of a key already held
 * (a re-run, a second node) is kept in the history and changes nothing else.
 */
export function applyAlertRecord(alert: StoredAlert, place: RecordPlace, content: AlertRecordContent): StoredAlert {
  const { action, by } = content;
  const event = (name: AlertEvent['action'], details: Record<string, unknown>): AlertEvent => ({
    leafIndex: place.leafIndex,
    recordId: place.recordId,
    at: place.at,
    by,
    action: name,
    details,
  });
  const next: StoredAlert = { ...alert, updatedIndex: Math.max(alert.updatedIndex, place.leafIndex) };
  switch (content.action) {
    case 'raised':
      next.history = [...alert.history, event('raised_again', { policyVersion: content.alert.policyVersion })];
      return next;
    case 'assigned':
      next.assignee = content.assignee;
      next.history = [...alert.history, event(action, { assignee: content.assignee })];
      return next;
    case 'commented':
      next.history = [...alert.history, event(action, { text: content.text })];
      return next;
    case 'state_changed':
      next.state = content.to;
      if (content.to === 'closed') next.closeReason = content.reason;
      next.history = [...alert.history, event(action, { from: content.from, to: content.to, reason: content.reason })];
      return next;
    case 'task_outcome':
      if (alert.task !== null) {
        next.task = {
          ...alert.task,
          outcome: { outcome: content.outcome, note: content.note, by, at: place.at, leafIndex: place.leafIndex },
        };
      }
      next.history = [...alert.history, event(action, { outcome: content.outcome, note: content.note })];
      return next;
    case 'approved':
      next.approval = { by, at: place.at, note: content.note, leafIndex: place.leafIndex };
      next.history = [...alert.history, event(action, { note: content.note })];
      return next;
  }
}
