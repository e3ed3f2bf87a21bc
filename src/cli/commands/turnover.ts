/** `steno turnover import FILE.csv`: reference turnover for the low-turnover rule. */
import { localOperator } from '../../capture/importers/source-file.js';
import { StenoError } from '../../core/errors.js';
import { parse, UsageError } from '../args.js';
import { readBinaryFile } from '../files.js';
import { type Output, printable } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno turnover import FILE.csv [--json] [--data DIR]
  Records each stock's daily turnover (header symbol,date,turnover; more columns may follow), which the
  low-turnover rule compares orders with. The file is checked whole first: one bad row refuses it, with
  line and column named. Importing the same file again records nothing.`;

const MAX_FILE_BYTES = 256 * 1024 * 1024;

export async function turnoverCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(args, {}, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [action, file, ...extra] = positionals;
  if (action !== 'import' || file === undefined || extra.length > 0) {
    throw new UsageError(`give: steno turnover import FILE.csv\n\n${USAGE}`);
  }
  const data = await readBinaryFile(file, MAX_FILE_BYTES);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new StenoError('invalid_input', `${file}: is not UTF-8 text`);
  }
  await using steno = await openFromArgs(values, true);
  const result = await steno.turnover.importCsv(text, { file, by: localOperator() });
  if (result.recorded) await steno.ledger.checkpoint();
  if (values.json) out.stdout(`${JSON.stringify(result)}\n`);
  else {
    out.stdout(
      result.recorded
        ? `${result.rows} turnover row(s) recorded at ledger index ${result.index}\n`
        : `${printable(file)} was imported before (ledger index ${result.index}): nothing recorded\n`,
    );
  }
  return 0;
}
