/**
 * The alert queue: a list with one selected alert and its detail beside it. Reviewers work it from the
 * keyboard whenever focus is not in a text field: j/k to move, e to escalate, c to close, and a to assign
 * for supervisors.
 */
import { type KeyboardEvent as ReactKeyboardEvent, useEffect, useEffectEvent, useMemo, useState } from 'react';
import { api, query } from '../api/client';
import { ALERT_STATES, type Alert, SEVERITIES } from '../api/types';
import { REVIEWER_ROLES, useSession } from '../app/session';
import { optionsOf, SelectField } from '../ui/Field';
import { formatTime, words } from '../ui/format';
import { useAction } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';
import { AlertDetail, type AlertForm } from './AlertDetail';

const PAGE_SIZE = 100;

const SORTS = {
  newest: (a: Alert, b: Alert) => b.leafIndex - a.leafIndex,
  oldest: (a: Alert, b: Alert) => a.leafIndex - b.leafIndex,
  severity: (a: Alert, b: Alert) =>
    SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || b.leafIndex - a.leafIndex,
} as const;
type Sort = keyof typeof SORTS;

/** Keys typed into these are text, not shortcuts. */
function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement)
    return true;
  return (
    target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type)
  );
}

export function AlertsPage() {
  const { session } = useSession();
  const canWork = REVIEWER_ROLES.includes(session.user.role);
  // Assigning and signing off are a supervisor's (docs/console.md).
  const isSupervisor = session.user.role === 'supervisor';
  const [filters, setFilters] = useState({ state: '', type: '', severity: '' });
  const [sort, setSort] = useState<Sort>('newest');
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [more, setMore] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [form, setForm] = useState<AlertForm>(null);
  const [outcome, setOutcome] = useState('');
  const load = useAction();
  const work = useAction();

  const listQuery = query({ ...filters, limit: PAGE_SIZE });
  const { run } = load;
  useEffect(() => {
    let current = true;
    void run(async () => {
      const answer = await api<{ alerts: Alert[] }>('GET', `/api/v1/alerts${listQuery}`);
      if (!current) return;
      setAlerts(answer.alerts);
      setMore(answer.alerts.length === PAGE_SIZE);
      setSelectedId((id) => (answer.alerts.some((a) => a.id === id) ? id : (answer.alerts[0]?.id ?? null)));
    });
    return () => {
      current = false;
    };
  }, [listQuery, run]);

  const loadOlder = () =>
    void load.run(async () => {
      if (alerts === null || alerts.length === 0) return;
      const before = Math.min(...alerts.map((a) => a.leafIndex));
      const answer = await api<{ alerts: Alert[] }>(
        'GET',
        `/api/v1/alerts${query({ ...filters, limit: PAGE_SIZE, before })}`,
      );
      setAlerts([...alerts, ...answer.alerts]);
      setMore(answer.alerts.length === PAGE_SIZE);
    });

  const select = (id: string) => {
    setSelectedId(id);
    setForm(null);
  };

  const sorted = useMemo(() => (alerts === null ? [] : [...alerts].sort(SORTS[sort])), [alerts, sort]);
  const selected = sorted.find((a) => a.id === selectedId) ?? null;

  const move = (step: number) => {
    const at = sorted.findIndex((a) => a.id === selectedId);
    const next = sorted[Math.max(0, Math.min(sorted.length - 1, at === -1 ? 0 : at + step))];
    if (next === undefined) return;
    select(next.id);
    focusRow(next);
  };

  /** Runs an action on the selected alert (the answer is the alert as it now stands); true when it was taken. */
  const act = async (action: string, body: Record<string, unknown>, done: string) => {
    let taken = false;
    await work.run(async () => {
      if (selected === null) return;
      const updated = await api<Alert>('POST', `/api/v1/alerts/${encodeURIComponent(selected.id)}/${action}`, body);
      setAlerts((list) => list?.map((a) => (a.id === updated.id ? updated : a)) ?? null);
      setForm(null);
      setOutcome(`${words(updated.type)} alert: ${done}`);
      focusRow(updated);
      taken = true;
    });
    return taken;
  };

  const onShortcut = useEffectEvent((event: KeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTextEntry(event.target)) return;
    if (event.key === 'j') move(1);
    else if (event.key === 'k') move(-1);
    else if (isSupervisor && selected !== null && event.key === 'a') setForm('assign');
    else if (canWork && selected !== null && event.key === 'e') void act('escalate', {}, 'escalated.');
    else if (canWork && selected !== null && event.key === 'c') setForm('close');
    else return;
    event.preventDefault();
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onShortcut(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  const onListKey = (event: ReactKeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      move(event.key === 'ArrowDown' ? 1 : -1);
    }
  };

  const closeForm = () => {
    setForm(null);
    work.setError(null);
    if (selected !== null) focusRow(selected);
  };

  return (
    <>
      <PageHeading title="Alerts" />
      <div className="toolbar">
        <SelectField
          label="State"
          value={filters.state}
          onChange={(state) => setFilters((f) => ({ ...f, state }))}
          options={optionsOf(ALERT_STATES)}
          anyLabel="Any state"
        />
        <SelectField
          label="Severity"
          value={filters.severity}
          onChange={(severity) => setFilters((f) => ({ ...f, severity }))}
          options={optionsOf(SEVERITIES)}
          anyLabel="Any severity"
        />
        <SelectField
          label="Type"
          value={filters.type}
          onChange={(type) => setFilters((f) => ({ ...f, type }))}
          options={optionsOf(ALERT_TYPES)}
          anyLabel="Any type"
        />
        <SelectField
          label="Sort"
          value={sort}
          onChange={(value) => setSort(value as Sort)}
          options={[
            { value: 'newest', label: 'Newest first' },
            { value: 'oldest', label: 'Oldest first' },
            { value: 'severity', label: 'Most severe first' },
          ]}
        />
      </div>
      <p className="shortcuts">
        Keys (outside text fields): <kbd>j</kbd>/<kbd>k</kbd> next/previous
        {canWork && (
          <>
            {' '}
            {isSupervisor && (
              <>
                · <kbd>a</kbd> assign{' '}
              </>
            )}
            · <kbd>e</kbd> escalate · <kbd>c</kbd> close
          </>
        )}
      </p>
      <StatusLine>{load.busy ? 'Loading alerts…' : outcome}</StatusLine>
      <ErrorMessage error={load.error} />
      {alerts !== null && alerts.length === 0 && <p className="empty">No alerts match.</p>}
      {alerts !== null && alerts.length > 0 && (
        <div className="queue">
          <div className="alert-list">
            <table className="data alert-table">
              <caption className="visually-hidden">Alerts; the selected one is shown beside the list</caption>
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  <th scope="col">Type</th>
                  <th scope="col">State</th>
                  <th scope="col">Assignee</th>
                  <th scope="col">Raised</th>
                </tr>
              </thead>
              <tbody onKeyDown={onListKey}>
                {sorted.map((a) => (
                  <tr key={a.id} className={a.id === selectedId ? 'selected' : undefined} onClick={() => select(a.id)}>
                    <td>
                      <span className={`severity severity--${a.severity}`}>{a.severity}</span>
                    </td>
                    <td>
                      <button
                        type="button"
                        id={optionId(a)}
                        className="row-select"
                        aria-current={a.id === selectedId ? 'true' : undefined}
                        tabIndex={a.id === selectedId ? 0 : -1}
                      >
                        {words(a.type)}
                      </button>
                    </td>
                    <td>{words(a.state)}</td>
                    <td>{a.assignee ?? 'unassigned'}</td>
                    <td>
                      <time dateTime={a.raisedAt}>{formatTime(a.raisedAt)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {more && (
              <button type="button" onClick={loadOlder} disabled={load.busy}>
                Older alerts
              </button>
            )}
          </div>
          {selected !== null && (
            <AlertDetail
              key={selected.id}
              alert={selected}
              form={form}
              onForm={setForm}
              onCloseForm={closeForm}
              canWork={canWork}
              isSupervisor={isSupervisor}
              username={session.user.username}
              busy={work.busy}
              error={work.error}
              act={act}
            />
          )}
        </div>
      )}
    </>
  );
}

/** Element ids from the ledger index: record ids are the server's to choose. */
const optionId = (alert: Alert) => `alert-${alert.leafIndex}`;

/** Focus follows the selection, so the list scrolls to it and a screen reader reads it. */
const focusRow = (alert: Alert) => document.getElementById(optionId(alert))?.focus();

/** The rules' alert types and the reconciliation exceptions' (README, "Rules and alerts"). */
const ALERT_TYPES = [
  'unregistered_sender',
  'third_party_transfer',
  'off_channel',
  'return_guarantee',
  'off_record',
  'order_message_deleted',
  'unusual_activity',
  'low_turnover',
  'unentered_order',
  'order_without_instruction',
  'side_mismatch',
  'quantity_mismatch',
  'price_mismatch',
  'late_entry',
  'amend_not_applied',
  'cancel_not_applied',
  'channel_silent',
  'signature_failures',
  'capture_gap',
] as const;
