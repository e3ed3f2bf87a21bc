/**
 * `steno orders extract --instruments FILE.csv`: JSON Lines {"id","text"} on stdin, the orders each
 * message gives on stdout, a line each, in the same order. Needs no data directory.
 */
import { parseCsv } from '../../core/csv.js';
import { StenoError } from '../../core/errors.js';
import { OrderExtractor } from '../../surveil/orders/extract.js';
import { parseInstrumentsCsv, SecurityMaster } from '../../surveil/orders/instruments.js';
import { parse, UsageError } from '../args.js';
import { readTextFile } from '../files.js';
import { readLines } from '../jsonl.js';
import type { Output } from '../output.js';

const USAGE = `Usage: steno orders extract --instruments FILE.csv [--reference-prices FILE.csv] [--max-deviation 0.1]

Reads JSON Lines {"id","text"} on stdin and writes {"id","orders":[…]} for each, in the same order.
Each order: action (new|amend|cancel), side, symbol, quantity (shares), orderType (market|limit|unspecified),
limitPrice, timeInForce when given, the span of text each field came from, a confidence, and warnings
(odd lot, off the tick ladder, far from the reference price).

  --instruments FILE.csv        the security master: symbol,name,aliases,lot_size,currency,exchange
  --reference-prices FILE.csv   symbol,price: flags limit prices far from these
  --max-deviation FRACTION      how far is far (default 0.1, i.e. 10%)

A line that is not {"id","text"} is reported on stderr with its line number and answered with
{"id",…,"orders":[],"error":…}; the command then exits 1.`;

/** Longer messages are refused rather than read: no client types an order of 64 KiB. */
const MAX_TEXT_CHARS = 64 * 1024;

export async function ordersCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      instruments: { type: 'string' },
      'reference-prices': { type: 'string' },
      'max-deviation': { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [sub, ...extra] = positionals;
  if (sub !== 'extract' || extra.length > 0) throw new UsageError(`give: steno orders extract …\n\n${USAGE}`);
  if (values.instruments === undefined) throw new UsageError(`give --instruments FILE.csv\n\n${USAGE}`);
  const master = new SecurityMaster(parseInstrumentsCsv(await readTextFile(values.instruments), values.instruments));
  const maxDeviation = values['max-deviation'] === undefined ? undefined : Number(values['max-deviation']);
  if (maxDeviation !== undefined && !(maxDeviation > 0 && maxDeviation < 100)) {
    throw new UsageError(`--max-deviation must be a fraction above 0, such as 0.1 (10%)\n\n${USAGE}`);
  }
  const referencePrices =
    values['reference-prices'] === undefined
      ? undefined
      : parseReferencePrices(await readTextFile(values['reference-prices']), values['reference-prices'], master);
  const extractor = new OrderExtractor(master, {
    ...(referencePrices === undefined ? {} : { referencePrices }),
    ...(maxDeviation === undefined ? {} : { maxDeviation }),
  });

  let bad = 0;
  for await (const line of readLines(process.stdin as AsyncIterable<Buffer>, MAX_TEXT_CHARS * 8)) {
    const answer = answerLine(extractor, line.text, line.tooLong === true);
    if ('error' in answer) {
      bad++;
      out.stderr(`steno: line ${line.number}: ${answer.error}\n`);
    }
    out.stdout(`${JSON.stringify(answer)}\n`);
  }
  return bad === 0 ? 0 : 1;
}

function answerLine(extractor: OrderExtractor, text: string, tooLong: boolean): Record<string, unknown> {
  if (tooLong) return { id: null, orders: [], error: `longer than ${MAX_TEXT_CHARS * 8} characters` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { id: null, orders: [], error: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { id: null, orders: [], error: 'not a JSON object {"id","text"}' };
  }
  const { id, text: message } = value as { id?: unknown; text?: unknown };
  const shownId = typeof id === 'string' || typeof id === 'number' ? id : null;
  if (shownId === null) return { id: null, orders: [], error: '"id" must be a string or a number' };
  if (typeof message !== 'string') return { id: shownId, orders: [], error: '"text" must be a string' };
  if (message.length > MAX_TEXT_CHARS) {
    return { id: shownId, orders: [], error: `"text" is longer than ${MAX_TEXT_CHARS} characters` };
  }
  return { id: shownId, orders: extractor.extract(message) };
}

function parseReferencePrices(text: string, file: string, master: SecurityMaster): Map<string, number> {
  const records = parseCsv(text, file);
  const header = records[0];
  if (header?.fields[0]?.trim().toLowerCase() !== 'symbol' || header.fields[1]?.trim().toLowerCase() !== 'price') {
    throw new StenoError('invalid_input', `${file}: line 1 must be the header symbol,price`);
  }
  const prices = new Map<string, number>();
  for (const r of records.slice(1)) {
    const symbol = (r.fields[0] ?? '').trim().toUpperCase();
    const price = Number((r.fields[1] ?? '').trim());
    if (master.bySymbol(symbol) === undefined) {
      throw new StenoError('invalid_input', `${file}: line ${r.line}: ${symbol} is not in the security master`);
    }
    if (!(price > 0) || !Number.isFinite(price)) {
      throw new StenoError('invalid_input', `${file}: line ${r.line}: the price must be a number above 0`);
    }
    prices.set(symbol, price);
  }
  return prices;
}
