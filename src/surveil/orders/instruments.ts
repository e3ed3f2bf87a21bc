/**
 * The security master: the instruments a firm trades, with the names, nicknames and codes clients use
 * for them. Read from CSV (`symbol,name,aliases,lot_size,currency,exchange`); code variants are derived,
 * never listed: `0700.HK` is also `700`, `0700`, `00700`, `700 HK` and `700.HK`; `AAPL.US` is also `AAPL`.
 */
import { parseCsv } from '../../core/csv.js';
import { describeProblems, type Problem, StenoError } from '../../core/errors.js';

export interface Instrument {
  symbol: string;
  name: string;
  aliases: string[];
  /** Shares per board lot (1 where the market trades single shares). */
  lotSize: number;
  currency: string;
  /** ISO 10383 market identifier (XHKG, XNAS, XNYS…). */
  exchange: string;
}

export const INSTRUMENT_HEADERS = ['symbol', 'name', 'aliases', 'lot_size', 'currency', 'exchange'] as const;

const SYMBOL = /^(?:\d{1,5}\.HK|[A-Z][A-Z0-9.-]{0,11}\.[A-Z]{2})$/;
const MAX_INSTRUMENTS = 200_000;

/** Checks every row of a security master CSV; throws listing each problem by line and column. */
export function parseInstrumentsCsv(text: string, file: string): Instrument[] {
  const records = parseCsv(text, file);
  const header = records[0];
  if (header === undefined || INSTRUMENT_HEADERS.some((h, i) => header.fields[i]?.trim().toLowerCase() !== h)) {
    throw new StenoError(
      'invalid_input',
      `${file}: line 1 must be the header ${INSTRUMENT_HEADERS.join(',')} (more columns may follow)`,
    );
  }
  if (records.length - 1 > MAX_INSTRUMENTS) {
    throw new StenoError('too_large', `${file}: more than ${MAX_INSTRUMENTS} instruments`);
  }
  const problems: Problem[] = [];
  const out: Instrument[] = [];
  const lines = new Map<string, number>();
  for (const record of records.slice(1)) {
    const problem = (column: string, message: string) =>
      problems.push({ where: `line ${record.line}.${column}`, message });
    const cell = (column: (typeof INSTRUMENT_HEADERS)[number]) =>
      (record.fields[INSTRUMENT_HEADERS.indexOf(column)] ?? '').trim();
    const symbol = cell('symbol').toUpperCase();
    if (!SYMBOL.test(symbol)) problem('symbol', `"${symbol}" is not a symbol such as 0700.HK or AAPL.US`);
    else if (lines.has(symbol)) problem('symbol', `repeats ${symbol} from line ${lines.get(symbol)}`);
    else lines.set(symbol, record.line);
    const name = cell('name');
    if (name === '' || name.length > 256) problem('name', 'must be 1 to 256 characters');
    const aliases = cell('aliases')
      .split('|')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    if (aliases.some((a) => a.length > 128)) problem('aliases', 'an alias is longer than 128 characters');
    const lot = cell('lot_size');
    const lotSize = Number(lot);
    if (!/^\d{1,9}$/.test(lot) || lotSize < 1) problem('lot_size', `"${lot}" is not a whole number of shares`);
    const currency = cell('currency').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) problem('currency', `"${currency}" is not an ISO 4217 code such as HKD`);
    const exchange = cell('exchange').toUpperCase();
    if (!/^[A-Z0-9]{4}$/.test(exchange)) problem('exchange', `"${exchange}" is not a market code such as XHKG`);
    out.push({ symbol, name, aliases, lotSize, currency, exchange });
  }
  if (problems.length > 0) {
    throw new StenoError(
      'invalid_input',
      `${problems.length} problem(s) in ${file}:\n${describeProblems(problems.slice(0, 50))}`,
      { problems },
    );
  }
  return out;
}

/** A name or code as a client may write it, and the instrument it stands for. */
export interface InstrumentName {
  /** Lower-case for Latin text, as written for Chinese. */
  key: string;
  instrument: Instrument;
  /** A short ticker that is also an everyday word or letter: matched only as written, in capitals. */
  exactCase: string | null;
}

/** Everyday English words that are also tickers somewhere: only their capitalised form names a stock. */
const EVERYDAY_WORDS = new Set(
  'a i an am as at be by do go he if in is it me my no of oh ok on or so to up us we all any are big can '
    .concat('car day for fly fun get has hot key low man new now one out own run see two way win you')
    .split(' '),
);

export class SecurityMaster {
  readonly instruments: readonly Instrument[];
  private readonly bySymbolMap = new Map<string, Instrument>();
  /** Hong Kong instruments by numeric code (700 for 0700.HK). */
  private readonly byHkCode = new Map<number, Instrument>();
  readonly names: InstrumentName[] = [];

  constructor(instruments: readonly Instrument[]) {
    this.instruments = instruments;
    const seen = new Set<string>();
    const add = (written: string, instrument: Instrument) => {
      const key = /^[\x20-\x7e]+$/.test(written) ? written.toLowerCase() : written;
      if (key === '' || seen.has(key)) return;
      seen.add(key);
      const short = /^[A-Z0-9]{1,4}$/.test(written) && (written.length <= 2 || EVERYDAY_WORDS.has(key));
      this.names.push({ key, instrument, exactCase: short ? written : null });
    };
    for (const i of instruments) {
      this.bySymbolMap.set(i.symbol, i);
      const hk = /^(\d{1,5})\.HK$/.exec(i.symbol);
      if (hk !== null) this.byHkCode.set(Number(hk[1]), i);
      else {
        add(i.symbol, i);
        add(i.symbol.replace(/\.[A-Z]{2}$/, ''), i);
      }
    }
    // Names before aliases: where two instruments share a word, the one it names wins.
    for (const i of instruments) add(i.name, i);
    for (const i of instruments) for (const a of i.aliases) add(a, i);
  }

  bySymbol(symbol: string): Instrument | undefined {
    return this.bySymbolMap.get(symbol.toUpperCase());
  }

  /** An instrument as a user or a firm's system writes it: `0700.HK`, `700`, `700 HK`, `Tencent`, `aapl`. */
  resolve(written: string): Instrument | undefined {
    const trimmed = written.trim();
    return (
      this.bySymbol(trimmed) ??
      this.byHongKongCode(trimmed.replace(/(?:\.|\s)HK$/i, '')) ??
      this.names.find((n) => n.key === trimmed.toLowerCase() || n.key === trimmed)?.instrument
    );
  }

  /** A Hong Kong code as written (`700`, `0700`, `00700`). */
  byHongKongCode(digits: string): Instrument | undefined {
    if (!/^\d{1,5}$/.test(digits)) return undefined;
    return this.byHkCode.get(Number(digits));
  }
}
