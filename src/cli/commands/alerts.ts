/**
 * `steno alerts`: run the rules, and work the alert queue (list, show, assign, comment, review, escalate,
 * record a task's outcome, approve a verified instruction, close with a reason). Every action is a
 * ledger record naming who took it.
 */
import { localOperator } from '../../capture/importers/source-file.js';
import { StenoError } from '../../core/errors.js';
import type { StoredAlert } from '../../surveil/alerts/model.js';
import { parse, UsageError } from '../args.js';
import { type Output, printable } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno alerts <action> [options] [--json] [--data DIR]
  scan                          run the rules over what is new in the archive and raise alerts
  list [--state S] [--type T] [--rule R] [--severity S] [--assignee NAME] [--client ID]
       [--limit N] [--before INDEX]
                                the queue, newest first (states: open, in_review, escalated, closed)
  summary                       alerts by type, state and severity
  show ID                       one alert: evidence, spans, task, history
  assign ID NAME                give it to a reviewer (--unassign to take it back)
  comment ID TEXT               add a comment
  review ID                     open → in_review
  escalate ID [--reason TEXT]   open or in_review → escalated
  task ID --outcome O [--note TEXT]
                                record what the call-back or out-of-band verification came to:
                                confirmed, not_confirmed, unreachable, not_needed (a note is needed
                                for any outcome but confirmed)
  approve ID [--note TEXT]      approve a third-party transfer instruction: refused until an
                                out-of-band verification is recorded as confirmed
  close ID --reason TEXT        close it; an alert with a task needs the task's outcome first
  Actions are recorded in the ledger as the local user (user@host) unless --by NAME is given.`;

export async function alertsCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      state: { type: 'string' },
      type: { type: 'string' },
      rule: { type: 'string' },
      severity: { type: 'string' },
      assignee: { type: 'string' },
      client: { type: 'string' },
      limit: { type: 'string' },
      before: { type: 'string' },
      outcome: { type: 'string' },
      note: { type: 'string' },
      reason: { type: 'string' },
      unassign: { type: 'boolean', default: false },
      by: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [action, id, ...rest] = positionals;
  const by = values.by ?? localOperator();
  const needId = (extra: number) => {
    if (id === undefined) throw new UsageError(`steno alerts ${action}: give the alert ID\n\n${USAGE}`);
    if (rest.length > extra) throw new UsageError(`unexpected argument ${rest[extra]}\n\n${USAGE}`);
    return id;
  };
  const show = (alert: StoredAlert) => {
    out.stdout(values.json ? `${JSON.stringify(alert)}\n` : describe(alert));
    return 0;
  };

  switch (action) {
    case 'scan': {
      if (id !== undefined) throw new UsageError(`unexpected argument ${id}\n\n${USAGE}`);
      await using steno = await openFromArgs(values, true);
      const report = await steno.rules.scan();
      if (report.raised > 0) await steno.ledger.checkpoint();
      if (values.json) {
        out.stdout(`${JSON.stringify(report)}\n`);
        return 0;
      }
      if (report.waiting !== undefined) out.stderr(`steno: ${report.waiting}\n`);
      const types = Object.entries(report.byType)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      out.stdout(
        `policy ${report.policyVersion}: read ${report.messages} message(s), ${report.orders} chat order(s), ` +
          `${report.activity} new activity event(s)` +
          (report.reconciled === null ? '' : `; reconciled ${report.reconciled.from} .. ${report.reconciled.to}`) +
          `\n${report.raised} alert(s) raised${types === '' ? '' : ` (${types})`}, ${report.known} already raised\n`,
      );
      return 0;
    }
    case 'list': {
      if (id !== undefined) throw new UsageError(`unexpected argument ${id}\n\n${USAGE}`);
      await using steno = await openFromArgs(values, false);
      const alerts = await steno.alerts.list({
        state: values.state,
        type: values.type,
        rule: values.rule,
        severity: values.severity,
        assignee: values.assignee,
        clientId: values.client,
        limit: values.limit === undefined ? undefined : integer('--limit', values.limit),
        beforeIndex: values.before === undefined ? undefined : integer('--before', values.before),
      });
      if (values.json) {
        out.stdout(alerts.map((a) => `${JSON.stringify(a)}\n`).join(''));
        return 0;
      }
      for (const a of alerts) {
        const who = a.assignee === null ? '' : ` → ${printable(a.assignee, 40)}`;
        const about = a.subject.clientId ?? a.subject.orderId ?? a.subject.conversationId ?? '';
        out.stdout(
          `${a.id}  ${a.raisedAt.slice(0, 19)}Z  ${a.severity.padEnd(8)} ${a.state.padEnd(9)} ${a.type}  ${printable(about, 60)}${who}\n`,
        );
      }
      if (alerts.length === 0) out.stderr('no alerts match\n');
      return 0;
    }
    case 'summary': {
      await using steno = await openFromArgs(values, false);
      const rows = await steno.alerts.summary();
      if (values.json) {
        out.stdout(`${JSON.stringify(rows)}\n`);
        return 0;
      }
      for (const r of rows) out.stdout(`${r.type}\t${r.state}\t${r.severity}\t${r.count}\n`);
      return 0;
    }
    case 'show': {
      const alertId = needId(0);
      await using steno = await openFromArgs(values, false);
      return show(await steno.alerts.get(alertId));
    }
    case 'assign': {
      const alertId = needId(values.unassign ? 0 : 1);
      const name = values.unassign ? null : rest[0];
      if (name === undefined) throw new UsageError(`steno alerts assign ID NAME (or --unassign)\n\n${USAGE}`);
      await using steno = await openFromArgs(values, false);
      return show(await steno.alerts.assign(alertId, name, by));
    }
    case 'comment': {
      const alertId = needId(1);
      if (rest[0] === undefined) throw new UsageError(`steno alerts comment ID TEXT\n\n${USAGE}`);
      await using steno = await openFromArgs(values, false);
      return show(await steno.alerts.comment(alertId, rest[0], by));
    }
    case 'review':
    case 'escalate': {
      const alertId = needId(0);
      await using steno = await openFromArgs(values, false);
      const to = action === 'review' ? 'in_review' : 'escalated';
      return show(await steno.alerts.move(alertId, to, by, values.reason ?? null));
    }
    case 'task': {
      const alertId = needId(0);
      if (values.outcome === undefined) throw new UsageError(`steno alerts task ID --outcome O\n\n${USAGE}`);
      await using steno = await openFromArgs(values, false);
      return show(await steno.alerts.recordTaskOutcome(alertId, values.outcome, values.note ?? null, by));
    }
    case 'approve': {
      const alertId = needId(0);
      await using steno = await openFromArgs(values, false);
      return show(await steno.alerts.approve(alertId, values.note ?? null, by));
    }
    case 'close': {
      const alertId = needId(0);
      if (values.reason === undefined) throw new UsageError(`steno alerts close ID --reason TEXT\n\n${USAGE}`);
      await using steno = await openFromArgs(values, false);
      return show(await steno.alerts.close(alertId, values.reason, by));
    }
    default:
      throw new UsageError(
        `${action === undefined ? 'give an action' : `unknown action "${printable(action, 40)}"`}\n\n${USAGE}`,
      );
  }
}

function integer(flag: string, value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new StenoError('invalid_input', `${flag} must be a non-negative integer`);
  return Number(value);
}

/** An alert for a terminal: every value from outside made printable. */
function describe(a: StoredAlert): string {
  const lines = [
    `alert ${a.id} (ledger index ${a.leafIndex})`,
    `  ${a.type} [${a.rule}], ${a.severity}, ${a.state}${a.assignee === null ? '' : `, assigned to ${printable(a.assignee, 80)}`}`,
    `  raised ${a.raisedAt} under policy ${a.policyVersion}`,
  ];
  const s = a.subject;
  for (const [name, value] of [
    ['message', s.messageId],
    ['platform message', s.platformMessageId],
    ['conversation', s.conversationId],
    ['client', s.clientId],
    ['order', s.orderId],
  ] as const) {
    if (value !== null) lines.push(`  ${name}: ${printable(value, 120)}`);
  }
  for (const span of a.spans) lines.push(`  highlight ${span.start}..${span.end}: ${printable(span.what, 80)}`);
  if (a.task !== null) {
    const o = a.task.outcome;
    lines.push(
      `  task: ${a.task.kind}${a.task.target === null ? '' : ` (${printable(a.task.target, 80)})`}: ${printable(a.task.instruction, 300)}`,
      `  outcome: ${o === null ? 'not recorded' : `${o.outcome} by ${printable(o.by, 80)} at ${o.at}${o.note === null ? '' : `: ${printable(o.note, 200)}`}`}`,
    );
  }
  if (a.approval !== null) lines.push(`  approved by ${printable(a.approval.by, 80)} at ${a.approval.at}`);
  if (a.closeReason !== null) lines.push(`  closed: ${printable(a.closeReason, 300)}`);
  lines.push(`  evidence: ${printable(JSON.stringify(a.evidence), 2000)}`, '  history:');
  for (const h of a.history) {
    const details = Object.keys(h.details).length === 0 ? '' : ` ${printable(JSON.stringify(h.details), 300)}`;
    lines.push(`    ${h.at} #${h.leafIndex} ${h.action} by ${printable(h.by, 80)}${details}`);
  }
  return `${lines.join('\n')}\n`;
}
