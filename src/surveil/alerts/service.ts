/**
 * Alerts: raising them (once per dedup key, however often a rule finds the same thing), the queue, and
 * what reviewers do with them. Every action is checked against the alert as it stands, then written as
 * an `alert` ledger record; the projection folds those records into one row per alert, following the
 * ledger with the compare-and-set progress the other projections use.
 */
import { canonicalBytes } from '../../core/canonical-json.js';
import { CatchUpRunner, parseRecordProgress, type RecordProgress } from '../../core/catch-up.js';
import { StenoError } from '../../core/errors.js';
import { newRecordId, RECORD_ID_PATTERN } from '../../core/ids.js';
import { type Ledger, type LedgerWriteTx, type PreparedRecord, prepareRecord } from '../../ledger/log.js';
import { parseLeaf } from '../../ledger/records.js';
import type { AlertCandidate } from '../rules/engine.js';
import { RULE_IDS, type RuleId, SEVERITIES, type Severity } from '../rules/policy.js';
import {
  ALERT_RECORD,
  ALERT_STATES,
  type AlertCriteria,
  type AlertRecordContent,
  type AlertState,
  type AlertStorage,
  type AlertsWrite,
  applyAlertRecord,
  raisedAlert,
  type StoredAlert,
  TASK_OUTCOMES,
  type TaskOutcome,
} from './model.js';

/** Bumped when the projection's rows change meaning: it is then rebuilt from the ledger. */
export const ALERT_PROJECTION_VERSION = 1;
const RECORDS_PER_READ = 5000;
const RECORDS_PER_APPEND = 2000;
export const DEFAULT_ALERT_LIMIT = 100;
export const MAX_ALERT_LIMIT = 1000;
/** Bounds on what people write: a name, a comment, a reason. */
const MAX_NAME_CHARS = 128;
const MAX_TEXT_CHARS = 4000;

export interface RaiseResult {
  raised: number;
  /** Candidates whose key an alert already holds. */
  known: number;
  ids: string[];
  /** Alerts raised, by type. */
  byType: Record<string, number>;
}

export interface AlertFilters {
  state?: string;
  type?: string;
  rule?: string;
  severity?: string;
  assignee?: string;
  clientId?: string;
  conversationId?: string;
  beforeIndex?: number;
  limit?: number;
}

export class AlertService<Tx extends LedgerWriteTx = LedgerWriteTx> {
  private readonly runner = new CatchUpRunner(() => this.run());

  constructor(
    private readonly ledger: Ledger<Tx>,
    private readonly storage: AlertStorage,
  ) {}

  /** Raises each candidate no alert holds the key of yet, as one `alert` record each. */
  async raise(candidates: readonly AlertCandidate[], by: string): Promise<RaiseResult> {
    await this.catchUp();
    const byKey = new Map<string, AlertCandidate>();
    for (const c of candidates) if (!byKey.has(c.dedupKey)) byKey.set(c.dedupKey, c);
    const held = await this.storage.alertIdsByDedupKey([...byKey.keys()]);
    const fresh = [...byKey.values()].filter((c) => !held.has(c.dedupKey));
    const capturedAt = new Date().toISOString();
    const ids: string[] = [];
    for (let i = 0; i < fresh.length; i += RECORDS_PER_APPEND) {
      const records: PreparedRecord[] = fresh.slice(i, i + RECORDS_PER_APPEND).map((alert) => {
        const id = newRecordId();
        ids.push(id);
        const content: AlertRecordContent = { action: 'raised', by, alert };
        return prepareRecord(ALERT_RECORD, id, canonicalBytes(content), capturedAt);
      });
      await this.ledger.append(async (_tx, appender) => {
        for (const r of records) appender.append(r);
      });
    }
    if (fresh.length > 0) await this.catchUp();
    const byType: Record<string, number> = {};
    for (const c of fresh) byType[c.type] = (byType[c.type] ?? 0) + 1;
    return { raised: fresh.length, known: candidates.length - fresh.length, ids, byType };
  }

  async list(filters: AlertFilters = {}): Promise<StoredAlert[]> {
    await this.catchUp();
    return this.storage.listAlerts(checkFilters(filters));
  }

  async get(id: string): Promise<StoredAlert> {
    if (!RECORD_ID_PATTERN.test(id)) {
      throw new StenoError('invalid_input', `"${id.slice(0, 60)}" is not an alert id (the id steno alerts list shows)`);
    }
    await this.catchUp();
    const [alert] = await this.storage.alertsByIds([id]);
    if (alert === undefined) throw new StenoError('not_found', `no alert has id ${id}`);
    return alert;
  }

  /** Alerts by type, state and severity. */
  async summary(): Promise<{ type: string; state: AlertState; severity: Severity; count: number }[]> {
    await this.catchUp();
    return this.storage.countAlerts();
  }

  /** Gives the alert to a reviewer (null takes it back to the queue). */
  async assign(id: string, assignee: string | null, by: string): Promise<StoredAlert> {
    const alert = await this.get(id);
    notClosed(alert, 'assigned');
    const to = assignee === null ? null : text(assignee, 'assignee', MAX_NAME_CHARS);
    if (alert.assignee === to) return alert;
    return this.write({ action: 'assigned', by, alertId: id, assignee: to });
  }

  async comment(id: string, comment: string, by: string): Promise<StoredAlert> {
    await this.get(id);
    return this.write({ action: 'commented', by, alertId: id, text: text(comment, 'comment', MAX_TEXT_CHARS) });
  }

  /** open → in_review → escalated; closing is `close`, which needs a reason. */
  async move(id: string, to: string, by: string, reason: string | null = null): Promise<StoredAlert> {
    const alert = await this.get(id);
    if (to !== 'in_review' && to !== 'escalated') {
      throw new StenoError('invalid_input', `an alert moves to in_review or escalated here (close it with a reason)`);
    }
    notClosed(alert, `moved to ${to}`);
    if (alert.state === to) throw new StenoError('conflict', `alert ${id} is already ${to}`);
    if (to === 'in_review' && alert.state === 'escalated') {
      throw new StenoError('conflict', `alert ${id} is escalated; it goes back to review only by being closed`);
    }
    const why = reason === null ? null : text(reason, 'reason', MAX_TEXT_CHARS);
    return this.write({ action: 'state_changed', by, alertId: id, from: alert.state, to, reason: why });
  }

  /**
   * Closes the alert with a reason. An alert with a task (a call-back, an out-of-band verification) is
   * closed only once the task's outcome is recorded: the circular asks for the check, not the alert.
   */
  async close(id: string, reason: string, by: string): Promise<StoredAlert> {
    const alert = await this.get(id);
    notClosed(alert, 'closed');
    const why = text(reason, 'reason', MAX_TEXT_CHARS);
    if (alert.task !== null && alert.task.outcome === null) {
      throw new StenoError(
        'conflict',
        `alert ${id} needs its ${alert.task.kind.replaceAll('_', '-')} outcome recorded before it is closed ` +
          `(steno alerts task ${id} --outcome ${TASK_OUTCOMES.join('|')})`,
      );
    }
    return this.write({ action: 'state_changed', by, alertId: id, from: alert.state, to: 'closed', reason: why });
  }

  /** Records what the call-back or out-of-band verification came to. */
  async recordTaskOutcome(id: string, outcome: string, note: string | null, by: string): Promise<StoredAlert> {
    const alert = await this.get(id);
    if (alert.task === null) throw new StenoError('conflict', `alert ${id} (${alert.type}) has no task to record`);
    notClosed(alert, 'given a task outcome');
    if (!(TASK_OUTCOMES as readonly string[]).includes(outcome)) {
      throw new StenoError(
        'invalid_input',
        `outcome must be one of ${TASK_OUTCOMES.join(', ')}, not "${outcome.slice(0, 40)}"`,
      );
    }
    const why = note === null ? null : text(note, 'note', MAX_TEXT_CHARS);
    if (why === null && outcome !== 'confirmed') {
      throw new StenoError('invalid_input', `an outcome of ${outcome} needs a note saying what happened`);
    }
    return this.write({ action: 'task_outcome', by, alertId: id, outcome: outcome as TaskOutcome, note: why });
  }

  /**
   * Approves the instruction behind a third-party transfer alert, which is refused until an out-of-band
   * verification is recorded as confirmed (SFC 2c).
   */
  async approve(id: string, note: string | null, by: string): Promise<StoredAlert> {
    const alert = await this.get(id);
    if (alert.task?.kind !== 'out_of_band_verification') {
      throw new StenoError('conflict', `alert ${id} (${alert.type}) carries no instruction to approve`);
    }
    notClosed(alert, 'approved');
    if (alert.approval !== null) throw new StenoError('conflict', `alert ${id} was approved already`);
    if (alert.task.outcome?.outcome !== 'confirmed') {
      throw new StenoError(
        'conflict',
        `the instruction may not be approved without a recorded out-of-band verification: record it first ` +
          `(steno alerts task ${id} --outcome confirmed)` +
          (alert.task.outcome === null ? '' : `; the outcome recorded is ${alert.task.outcome.outcome}`),
      );
    }
    const why = note === null ? null : text(note, 'note', MAX_TEXT_CHARS);
    return this.write({ action: 'approved', by, alertId: id, note: why });
  }

  /** Brings the projection up to every alert record in the ledger; returns how many it folded in. */
  catchUp(): Promise<number> {
    return this.runner.catchUp();
  }

  private async write(content: Exclude<AlertRecordContent, { action: 'raised' }>): Promise<StoredAlert> {
    const record = prepareRecord(ALERT_RECORD, newRecordId(), canonicalBytes(content), new Date().toISOString());
    await this.ledger.append(async (_tx, appender) => appender.append(record));
    await this.catchUp();
    const [alert] = await this.storage.alertsByIds([content.alertId]);
    return alert!;
  }

  private async run(): Promise<number> {
    let expected = await this.storage.alertsState();
    const previous = parseRecordProgress(expected);
    const reset = previous === null || previous.version !== ALERT_PROJECTION_VERSION;
    let state: RecordProgress = reset ? { version: ALERT_PROJECTION_VERSION, through: -1 } : previous;
    let first = reset;
    const end = (await this.storage.treeSize()) - 1;
    let folded = 0;
    while (state.through < end) {
      const records = (await this.storage.recordsOfType(ALERT_RECORD, state.through, RECORDS_PER_READ)).filter(
        (r) => r.index <= end,
      );
      if (records.length === 0) break;
      const parsed = records.flatMap((r) =>
        r.content === null
          ? []
          : [
              {
                place: { leafIndex: r.index, recordId: r.id, at: parseLeaf(r.leaf).capturedAt },
                content: JSON.parse(r.content.toString('utf8')) as AlertRecordContent,
              },
            ],
      );
      // The alerts this batch touches, as stored (none after a reset: they are being rebuilt).
      const changed = new Map<string, StoredAlert>();
      const idByKey = new Map<string, string>();
      if (!first) {
        const keys = parsed.flatMap((p) => (p.content.action === 'raised' ? [p.content.alert.dedupKey] : []));
        for (const [key, id] of await this.storage.alertIdsByDedupKey(keys)) idByKey.set(key, id);
        const ids = new Set([...idByKey.values()]);
        for (const p of parsed) if (p.content.action !== 'raised') ids.add(p.content.alertId);
        for (const a of await this.storage.alertsByIds([...ids])) changed.set(a.id, a);
      }
      for (const { place, content } of parsed) {
        if (content.action === 'raised') {
          const heldBy = idByKey.get(content.alert.dedupKey);
          const held = heldBy === undefined ? undefined : changed.get(heldBy);
          if (held !== undefined) changed.set(held.id, applyAlertRecord(held, place, content));
          else {
            changed.set(place.recordId, raisedAlert(place, content.by, content.alert));
            idByKey.set(content.alert.dedupKey, place.recordId);
          }
          continue;
        }
        const alert = changed.get(content.alertId);
        // A record naming an alert the ledger does not hold changes nothing (verify reports the ledger).
        if (alert !== undefined) changed.set(alert.id, applyAlertRecord(alert, place, content));
      }
      const next: RecordProgress = { version: ALERT_PROJECTION_VERSION, through: records.at(-1)!.index };
      const write: AlertsWrite = {
        expectedState: expected,
        state: JSON.stringify(next),
        reset: first,
        alerts: [...changed.values()],
      };
      await this.storage.writeAlerts(write);
      expected = write.state;
      state = next;
      first = false;
      folded += parsed.length;
    }
    if (first) {
      await this.storage.writeAlerts({
        expectedState: expected,
        state: JSON.stringify(state),
        reset: true,
        alerts: [],
      });
    }
    return folded;
  }
}

function notClosed(alert: StoredAlert, what: string): void {
  if (alert.state === 'closed') {
    throw new StenoError(
      'conflict',
      `alert ${alert.id} is closed (${alert.closeReason ?? 'no reason'}); it cannot be ${what}`,
    );
  }
}

/** A name, comment or reason someone typed: trimmed, not empty, bounded, without control characters. */
function text(value: string, what: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new StenoError('invalid_input', `the ${what} is empty`);
  if (trimmed.length > max) throw new StenoError('invalid_input', `the ${what} is over ${max} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(trimmed)) {
    throw new StenoError('invalid_input', `the ${what} holds control characters`);
  }
  return trimmed;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new StenoError('invalid_input', `${name} must be one of ${allowed.join(', ')}`, {
    problems: [{ where: name, message: `must be one of ${allowed.join(', ')}` }],
  });
}

function checkFilters(f: AlertFilters): AlertCriteria {
  const limit = f.limit ?? DEFAULT_ALERT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ALERT_LIMIT) {
    throw new StenoError('invalid_input', `limit must be between 1 and ${MAX_ALERT_LIMIT}`, {
      problems: [{ where: 'limit', message: `must be between 1 and ${MAX_ALERT_LIMIT}` }],
    });
  }
  const criteria: AlertCriteria = { limit };
  const state = oneOf(f.state, ALERT_STATES, 'state');
  if (state !== undefined) criteria.state = state;
  const rule = oneOf(f.rule, RULE_IDS, 'rule') as RuleId | undefined;
  if (rule !== undefined) criteria.rule = rule;
  const severity = oneOf(f.severity, SEVERITIES, 'severity');
  if (severity !== undefined) criteria.severity = severity;
  for (const key of ['type', 'assignee', 'clientId', 'conversationId'] as const) {
    const value = f[key];
    if (value === undefined) continue;
    if (value === '' || value.length > 256) {
      throw new StenoError('invalid_input', `${key} must be 1 to 256 characters`, {
        problems: [{ where: key, message: 'must be 1 to 256 characters' }],
      });
    }
    criteria[key] = value;
  }
  if (f.beforeIndex !== undefined) criteria.beforeIndex = f.beforeIndex;
  return criteria;
}
