/**
 * `steno orders extract --instruments FILE.csv`: JSON Lines {"id","text"} on stdin, the orders each
 * message gives on stdout, a line each, in the same order. Needs no data directory.
 * `steno orders list …`: the orders read from archived messages. `steno orders ack MESSAGE_ID`: the
 * confirmation text for each order a message gives.
 */
import { parseCsv } from '../../core/csv.js';
import { StenoError } from '../../core/errors.js';
import { parseDateFilter } from '../../review/search.js';
import { OrderExtractor } from '../../surveil/orders/extract.js';
import { parseInstrumentsCsv, SecurityMaster } from '../../surveil/orders/instruments.js';
import { parse, UsageError } from '../args.js';
import { readTextFile } from '../files.js';
import { readLines } from '../jsonl.js';
import { type Output, printable } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno orders extract --instruments FILE.csv [--reference-prices FILE.csv] [--max-deviation 0.1]
       steno orders list [--symbol S] [--side buy|sell] [--action new|amend|cancel] [--client ID] [--staff ID]
                         [--conversation ID] [--from DATE] [--to DATE] [--limit N] [--before INDEX] [--json] [--data DIR]
       steno orders ack MESSAGE_ID [--json] [--data DIR]

extract reads JSON Lines {"id","text"} on stdin and writes {"id","orders":[…]} for each, in the same order.
Each order: action (new|amend|cancel), side, symbol, quantity (shares), orderType (market|limit|unspecified),
limitPrice, timeInForce when given, the span of text each field came from, a confidence, and warnings
(odd lot, off the tick ladder, far from the reference price).

  --instruments FILE.csv        the security master: symbol,name,aliases,lot_size,currency,exchange
  --reference-prices FILE.csv   symbol,price: flags limit prices far from these
  --max-deviation FRACTION      how far is far (default 0.1, i.e. 10%)

A line that is not {"id","text"} is reported on stderr with its line number and answered with
{"id",…,"orders":[],"error":…}; the command then exits 1.

list shows the orders read from archived messages (every message is read once it is archived, with the
security master from steno instruments import), newest first: --symbol takes any form a client writes
(700, 0700.HK, Tencent); --client and --staff are directory ids; dates are ISO 8601. Each amendment or
cancellation names the order it changes, and each order the confirmation staff sent for it, if any.

ack prints the confirmation to send for each order a message gives, in the language it was written in,
e.g. "Received: BUY 10,000 0700.HK (Tencent) limit HKD 352.00, day order. Reply YES to confirm."`;

/** Longer messages are refused rather than read: no client types an order of 64 KiB. */
const MAX_TEXT_CHARS = 64 * 1024;

export async function ordersCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      instruments: { type: 'string' },
      'reference-prices': { type: 'string' },
      'max-deviation': { type: 'string' },
      symbol: { type: 'string' },
      side: { type: 'string' },
      action: { type: 'string' },
      client: { type: 'string' },
      staff: { type: 'string' },
      conversation: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      before: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [sub, ...extra] = positionals;
  if (sub === 'list' && extra.length === 0) return listOrders(values, out);
  if (sub === 'ack' && extra.length === 1) return acknowledge(extra[0]!, values, out);
  if (sub !== 'extract' || extra.length > 0) {
    throw new UsageError(
      `give: steno orders extract …, steno orders list … or steno orders ack MESSAGE_ID\n\n${USAGE}`,
    );
  }
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

type ListValues = Partial<
  Record<
    'symbol' | 'side' | 'action' | 'client' | 'staff' | 'conversation' | 'from' | 'to' | 'limit' | 'before' | 'data',
    string
  >
> & {
  json?: boolean;
};

async function listOrders(values: ListValues, out: Output): Promise<number> {
  const side = oneOf(values.side, ['buy', 'sell'] as const, '--side');
  const action = oneOf(values.action, ['new', 'amend', 'cancel'] as const, '--action');
  const whole = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined;
    if (!/^\d{1,15}$/.test(value)) throw new UsageError(`${name} must be a whole number`);
    return Number(value);
  };
  await using steno = await openFromArgs(values);
  const orders = await steno.orders.find({
    symbol: values.symbol,
    side,
    action,
    clientId: values.client,
    staffId: values.staff,
    conversationId: values.conversation,
    fromMs: values.from === undefined ? undefined : parseDateFilter(values.from, '--from'),
    toMs: values.to === undefined ? undefined : parseDateFilter(values.to, '--to', 'to'),
    limit: whole(values.limit, '--limit'),
    beforeIndex: whole(values.before, '--before'),
  });
  if (values.json) {
    for (const o of orders) out.stdout(`${JSON.stringify(o)}\n`);
    return 0;
  }
  for (const o of orders) {
    const quantity = o.quantity === null ? '' : ` ${o.quantity}`;
    const price = o.orderType === 'market' ? ' market' : o.limitPrice === null ? '' : ` @ ${o.limitPrice}`;
    const client = o.clientId === null ? printable(o.sender, 40) : `client ${printable(o.clientId, 40)}`;
    const links = [
      ...(o.changesOrderId === null ? [] : [`changes ${o.changesOrderId}`]),
      ...(o.ackMessageIndex === null ? [] : [`acknowledged #${o.ackMessageIndex}`]),
      ...o.warnings.map((w) => w.code),
    ];
    out.stdout(
      `${o.id} ${o.sentAt} ${printable(o.conversationId, 40)} ${client}: ${o.action} ${o.side ?? ''} ${o.symbol}${quantity}${price}${links.length === 0 ? '' : ` [${links.join(', ')}]`}\n`,
    );
  }
  out.stderr(`${orders.length} order(s)\n`);
  return 0;
}

async function acknowledge(messageId: string, values: ListValues, out: Output): Promise<number> {
  await using steno = await openFromArgs(values);
  const result = await steno.orders.acknowledgement(messageId);
  if (values.json) {
    out.stdout(`${JSON.stringify(result)}\n`);
    return 0;
  }
  if (result.acknowledgements.length === 0) {
    out.stderr(`steno: message ${messageId} gives no orders to acknowledge\n`);
    return 1;
  }
  for (const a of result.acknowledgements) out.stdout(`${a.text}\n`);
  return 0;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${name} must be ${allowed.join(' or ')}`);
  return value as T;
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
