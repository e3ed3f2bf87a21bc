/** One alert in full, with the actions a reviewer or supervisor may take on it. */
import { type FormEvent, type KeyboardEvent, useId, useState } from 'react';
import { type Alert, TASK_OUTCOMES } from '../api/types';
import { conversationHref } from '../app/router';
import { Field, optionsOf, SelectField } from '../ui/Field';
import { formatTime, words } from '../ui/format';
import { ErrorMessage } from '../ui/Messages';

/** The inline form a shortcut or a button opened. */
export type AlertForm = 'assign' | 'close' | null;

interface Props {
  alert: Alert;
  form: AlertForm;
  onForm: (form: AlertForm) => void;
  onCloseForm: () => void;
  canWork: boolean;
  /** May assign alerts and approve them. */
  isSupervisor: boolean;
  username: string;
  busy: boolean;
  error: unknown;
  act: (action: string, body: Record<string, unknown>, done: string) => Promise<boolean>;
}

export function AlertDetail({
  alert,
  form,
  onForm,
  onCloseForm,
  canWork,
  isSupervisor,
  username,
  busy,
  error,
  act,
}: Props) {
  const headingId = useId();
  const closed = alert.state === 'closed';
  return (
    <section className="alert-detail" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {words(alert.type)} <span className={`severity severity--${alert.severity}`}>{alert.severity}</span>{' '}
        <span className="tag">{words(alert.state)}</span>
      </h2>
      <dl className="facts">
        <dt>Rule</dt>
        <dd>{words(alert.rule)}</dd>
        <dt>Raised</dt>
        <dd>
          <time dateTime={alert.raisedAt}>{formatTime(alert.raisedAt)}</time> by {alert.raisedBy} (policy version{' '}
          {alert.policyVersion}, ledger #{alert.leafIndex})
        </dd>
        <dt>Assignee</dt>
        <dd>{alert.assignee ?? 'unassigned'}</dd>
        {alert.subject.conversationId !== null && (
          <>
            <dt>Conversation</dt>
            <dd>
              <a href={conversationHref(alert.subject.conversationId)}>{alert.subject.conversationId}</a>
            </dd>
          </>
        )}
        {alert.subject.clientId !== null && (
          <>
            <dt>Client</dt>
            <dd>{alert.subject.clientId}</dd>
          </>
        )}
        {alert.subject.orderId !== null && (
          <>
            <dt>Order</dt>
            <dd>{alert.subject.orderId}</dd>
          </>
        )}
        {alert.spans.length > 0 && (
          <>
            <dt>Found</dt>
            <dd>
              {alert.spans.map((s) => (
                <mark key={`${s.start}-${s.end}`} className="cue">
                  {s.what}
                </mark>
              ))}
            </dd>
          </>
        )}
        {alert.closeReason !== null && (
          <>
            <dt>Closed because</dt>
            <dd>{alert.closeReason}</dd>
          </>
        )}
        {alert.approval !== null && (
          <>
            <dt>Approved</dt>
            <dd>
              by {alert.approval.by}, <time dateTime={alert.approval.at}>{formatTime(alert.approval.at)}</time>
              {alert.approval.note !== null && `: ${alert.approval.note}`}
            </dd>
          </>
        )}
      </dl>

      {alert.task !== null && <TaskView alert={alert} canWork={canWork && !closed} busy={busy} act={act} />}

      {canWork && !closed && (
        <div className="actions">
          {isSupervisor && (
            <button type="button" onClick={() => onForm('assign')} aria-keyshortcuts="a">
              Assign…
            </button>
          )}
          {alert.state === 'open' && (
            <button type="button" disabled={busy} onClick={() => void act('review', {}, 'review started.')}>
              Start review
            </button>
          )}
          {alert.state !== 'escalated' && (
            <button
              type="button"
              disabled={busy}
              onClick={() => void act('escalate', {}, 'escalated.')}
              aria-keyshortcuts="e"
            >
              Escalate
            </button>
          )}
          {isSupervisor && alert.approval === null && (
            <button type="button" disabled={busy} onClick={() => void act('approve', {}, 'approved.')}>
              Approve
            </button>
          )}
          <button type="button" onClick={() => onForm('close')} aria-keyshortcuts="c">
            Close…
          </button>
        </div>
      )}
      {form === 'assign' && (
        <AssignForm initial={alert.assignee ?? username} busy={busy} act={act} onCancel={onCloseForm} />
      )}
      {form === 'close' && <CloseForm busy={busy} act={act} onCancel={onCloseForm} />}
      <ErrorMessage error={error} />

      {canWork && <CommentForm busy={busy} act={act} />}

      <h3>Evidence</h3>
      <dl className="facts evidence">
        {Object.entries(alert.evidence).map(([key, value]) => (
          <div key={key}>
            <dt>{words(key)}</dt>
            <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
          </div>
        ))}
      </dl>

      <h3>History</h3>
      <ol className="history">
        {alert.history.map((event) => (
          <li key={event.leafIndex}>
            <time dateTime={event.at}>{formatTime(event.at)}</time> <strong>{event.by}</strong> {words(event.action)}
            {describeDetails(event.details)}
          </li>
        ))}
      </ol>
    </section>
  );
}

function describeDetails(details: Record<string, unknown>): string {
  const parts = Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${words(key)}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

/** Escape leaves an inline form. */
const escapeTo = (onCancel: () => void) => (event: KeyboardEvent) => {
  if (event.key === 'Escape') {
    event.preventDefault();
    onCancel();
  }
};

type Act = Props['act'];

function AssignForm({
  initial,
  busy,
  act,
  onCancel,
}: {
  initial: string;
  busy: boolean;
  act: Act;
  onCancel: () => void;
}) {
  const [assignee, setAssignee] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const name = assignee.trim();
    void act('assign', { assignee: name === '' ? null : name }, name === '' ? 'unassigned.' : `assigned to ${name}.`);
  };
  return (
    <form className="inline-form" onSubmit={submit} onKeyDown={escapeTo(onCancel)} aria-label="Assign the alert">
      <Field
        label="Assign to (empty to unassign)"
        value={assignee}
        onChange={setAssignee}
        autoFocus
        hint="Enter assigns, Escape cancels."
      />
      <button type="submit" className="primary" disabled={busy}>
        Assign
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

function CloseForm({ busy, act, onCancel }: { busy: boolean; act: Act; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act('close', { reason: reason.trim() }, 'closed.');
  };
  return (
    <form className="inline-form" onSubmit={submit} onKeyDown={escapeTo(onCancel)} aria-label="Close the alert">
      <Field
        label="Why is it closed?"
        value={reason}
        onChange={setReason}
        required
        autoFocus
        hint="Enter closes the alert, Escape cancels."
      />
      <button type="submit" className="primary" disabled={busy || reason.trim() === ''}>
        Close alert
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

function CommentForm({ busy, act }: { busy: boolean; act: Act }) {
  const [text, setText] = useState('');
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act('comment', { text: text.trim() }, 'comment added.').then((taken) => taken && setText(''));
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={id}>Comment</label>
        <textarea id={id} value={text} onChange={(e) => setText(e.target.value)} rows={2} />
      </div>
      <button type="submit" disabled={busy || text.trim() === ''}>
        Add comment
      </button>
    </form>
  );
}

function TaskView({ alert, canWork, busy, act }: { alert: Alert; canWork: boolean; busy: boolean; act: Act }) {
  const task = alert.task!;
  const [outcome, setOutcome] = useState<string>(TASK_OUTCOMES[0]);
  const [note, setNote] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act('task', { outcome, note: note.trim() === '' ? null : note.trim() }, 'task outcome recorded.');
  };
  return (
    <div className="task">
      <h3>Task: {words(task.kind)}</h3>
      <p>{task.instruction}</p>
      {task.target !== null && <p>Who: {task.target}</p>}
      {task.outcome !== null && (
        <p>
          Outcome: <strong>{words(task.outcome.outcome)}</strong>, recorded by {task.outcome.by}{' '}
          <time dateTime={task.outcome.at}>{formatTime(task.outcome.at)}</time>
          {task.outcome.note !== null && `: ${task.outcome.note}`}
        </p>
      )}
      {canWork && (
        <form className="inline-form" onSubmit={submit}>
          <SelectField label="Outcome" value={outcome} onChange={setOutcome} options={optionsOf(TASK_OUTCOMES)} />
          <Field label="Note" value={note} onChange={setNote} />
          <button type="submit" disabled={busy}>
            Record outcome
          </button>
        </form>
      )}
    </div>
  );
}
