/** `steno activity import FILE --format fix|orders-csv|executions-csv`: the firm's orders and executions. */
import { ACTIVITY_FORMATS, type ActivityFormat } from '../../capture/activity/model.js';
import { localOperator } from '../../capture/importers/source-file.js';
import { parse, UsageError } from '../args.js';
import { readBinaryFile } from '../files.js';
import { type Output, printable } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno activity import FILE --format fix|orders-csv|executions-csv [--json] [--data DIR]
  Archives the firm's account activity, which steno reconcile compares with the orders clients gave in chat.
  fix             FIX 4.2 / 4.4 tag=value logs, SOH or | delimited, one message per line or run together,
                  with or without log prefixes; NewOrderSingle (D), OrderCancelReplaceRequest (G),
                  OrderCancelRequest (F) and ExecutionReport (8). BodyLength (9) and CheckSum (10) are
                  checked: a bad message is reported with its line and reason and skipped, the rest imported.
  orders-csv      header order_id,account,symbol,side,quantity,order_type,limit_price,entered_at,channel,status
  executions-csv  header exec_id,order_id,account,symbol,side,quantity,price,executed_at
  A CSV is checked whole first: one bad row refuses the file (errors name line and column). Times are
  ISO 8601 with a UTC offset. Each event is recorded in the ledger once: importing a file again, or a log
  that overlaps one imported before, records nothing new. Exits 1 when a message was skipped.`;

/** Files are read whole; a larger log is split first. */
const MAX_FILE_BYTES = 1024 ** 3;

export async function activityCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(args, { format: { type: 'string' } }, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [action, file, ...extra] = positionals;
  if (action !== 'import') throw new UsageError(`give: steno activity import FILE --format …\n\n${USAGE}`);
  if (file === undefined || extra.length > 0) throw new UsageError(`give one FILE\n\n${USAGE}`);
  const format = values.format as ActivityFormat | undefined;
  if (format === undefined || !ACTIVITY_FORMATS.includes(format)) {
    throw new UsageError(`give --format ${ACTIVITY_FORMATS.join('|')}\n\n${USAGE}`);
  }
  const data = await readBinaryFile(file, MAX_FILE_BYTES);
  await using steno = await openFromArgs(values, true);
  const result = await steno.activity.importFile({ format, data, file, by: localOperator() });
  if (result.recorded > 0) await steno.ledger.checkpoint();
  for (const p of result.skipped) out.stderr(`${printable(file)}: line ${p.line}: skipped: ${printable(p.reason)}\n`);
  if (result.skippedCount > result.skipped.length) {
    out.stderr(`${printable(file)}: … and ${result.skippedCount - result.skipped.length} more skipped\n`);
  }
  // What was good is archived either way; a skipped message still makes the run a failure to look at.
  const exitCode = result.skippedCount > 0 ? 1 : 0;
  if (values.json) {
    out.stdout(`${JSON.stringify(result)}\n`);
    return exitCode;
  }
  const what = format === 'fix' ? 'message(s)' : 'row(s)';
  out.stdout(
    `${result.read} ${what} read, ${result.events} activity event(s): ${result.recorded} recorded, ` +
      `${result.known} already archived, ${result.skippedCount} skipped\n`,
  );
  return exitCode;
}
