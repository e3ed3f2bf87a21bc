/** `steno reconcile`: chat orders against the firm's orders and executions, one line per exception. */
import { parseDateFilter } from '../../review/search.js';
import { parse, UsageError } from '../args.js';
import { type Output, printable } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno reconcile [--from DATE] [--to DATE] [--window MINUTES] [--sla MINUTES]
                       [--desk-sla DESK=MINUTES]... [--json] [--data DIR]
  Compares the orders clients gave in chat (steno orders list) with the firm's orders and executions
  (steno activity import) for the clients' accounts in the directory, and prints each exception:
    unentered_order            a chat order with no firm order entered within the window
    order_without_instruction  a firm order on an IM account (channel IM, or an IM-instructed client) with
                               no chat order behind it
    side_mismatch, quantity_mismatch, price_mismatch
                               the firm's order differs from what the client wrote (a fill worse than the
                               client's limit is a price_mismatch too)
    late_entry                 entered later than the SLA after the message
    amend_not_applied, cancel_not_applied
                               the client amended or cancelled in chat and the firm's order was not
  --from, --to   the period (ISO 8601; a date alone is a whole UTC day); default: everything until now
  --window       how long after the message a firm order may be entered and pair with it (default 30)
  --sla          entry later than this is late (default 5); --desk-sla overrides it for a desk
  --json         one JSON object per exception: {"type","messageId","platformMessageId","orderId","details"}`;

export async function reconcileCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      window: { type: 'string' },
      sla: { type: 'string' },
      'desk-sla': { type: 'string', multiple: true },
    },
    USAGE,
  );
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}\n\n${USAGE}`);
  const deskSlaMs: Record<string, number> = {};
  for (const entry of values['desk-sla'] ?? []) {
    const match = /^([^=]*[^=\s][^=]*)=(.+)$/.exec(entry);
    if (match === null) throw new UsageError(`--desk-sla: give DESK=MINUTES, not "${entry}"\n\n${USAGE}`);
    deskSlaMs[match[1]!.trim()] = minutes('--desk-sla', match[2]!.trim());
  }
  await using steno = await openFromArgs(values, false);
  const report = await steno.reconcile.run({
    fromMs: values.from === undefined ? undefined : parseDateFilter(values.from, '--from'),
    toMs: values.to === undefined ? undefined : parseDateFilter(values.to, '--to', 'to'),
    windowMs: values.window === undefined ? undefined : minutes('--window', values.window),
    slaMs: values.sla === undefined ? undefined : minutes('--sla', values.sla),
    deskSlaMs,
  });
  if (values.json) {
    out.stdout(report.exceptions.map((e) => `${JSON.stringify(e)}\n`).join(''));
    return 0;
  }
  const d = report.delays;
  const min = (ms: number | null) => (ms === null ? '-' : `${(ms / 60_000).toFixed(1)} min`);
  out.stdout(
    `${report.period.from} .. ${report.period.to}: ${report.chatOrders} chat order(s), ${report.firmOrders} firm order(s), ` +
      `${report.matches.length} matched, ${report.exceptions.length} exception(s)\n` +
      `chat-to-entry delay over ${d.count} matched: p50 ${min(d.p50)}, p90 ${min(d.p90)}, p99 ${min(d.p99)}, max ${min(d.max)}\n`,
  );
  const u = report.unreconciled;
  if (u.noClient + u.noAccount + u.changeOfUnknownOrder > 0) {
    out.stdout(
      `not reconciled: ${u.noClient} from senders the directory does not know, ${u.noAccount} from clients with no account on record, ` +
        `${u.changeOfUnknownOrder} amendment(s) or cancellation(s) of an order the chat does not show\n`,
    );
  }
  for (const e of report.exceptions) {
    const what = e.messageId === null ? '' : ` message ${e.messageId}`;
    const order = e.orderId === null ? '' : ` firm order ${printable(e.orderId)}`;
    out.stdout(`${e.type}${what}${order}\n`);
  }
  return 0;
}

function minutes(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+(?:\.\d+)?$/.test(value) || !Number.isFinite(n)) {
    throw new UsageError(`${flag}: "${value}" is not a number of minutes`);
  }
  return Math.round(n * 60_000);
}
