/** `steno instruments import FILE.csv`: the firm's security master, recorded in the ledger. */
import { localOperator } from '../../capture/importers/source-file.js';
import { parse, UsageError } from '../args.js';
import { readTextFile } from '../files.js';
import { readOrdersAfterImport } from '../orders-after-import.js';
import type { Output } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno instruments import FILE.csv [--json] [--data DIR]
  Loads the firm's security master: header symbol,name,aliases,lot_size,currency,exchange (aliases
  |-separated names and nicknames; code variants such as 700, 00700 and 700 HK are derived from the
  symbol). Every row is checked first (errors name line and column) and nothing is stored if one is bad.
  The master is recorded in the ledger (the instruments, the file's SHA-256, who imported it); the latest
  import is the one in force, and every archived message is read for orders again with it.`;

export async function instrumentsCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(args, {}, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [action, file, ...extra] = positionals;
  if (action !== 'import') throw new UsageError(`give: steno instruments import FILE.csv\n\n${USAGE}`);
  if (file === undefined || extra.length > 0) throw new UsageError(`give one FILE.csv\n\n${USAGE}`);
  const text = await readTextFile(file);
  await using steno = await openFromArgs(values, true);
  const result = await steno.instruments.importCsv(text, { file, by: localOperator() });
  if (!result.unchanged) await steno.ledger.checkpoint();
  if (!values.json) {
    out.stdout(
      result.unchanged
        ? `${result.instruments} instruments, the same as the master in force (ledger index ${result.index}); nothing recorded\n`
        : `${result.instruments} instruments recorded at ledger index ${result.index}\n`,
    );
  }
  const orders = await readOrdersAfterImport(steno, out, values.json === true);
  if (values.json) out.stdout(`${JSON.stringify({ file, ...result, orders })}\n`);
  return 0;
}
