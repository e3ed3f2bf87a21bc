/**
 * Unusual trading (SFC circular of 4 May 2018, 3c: monitor client accounts for unusual trading, such as
 * a change in a client's trading pattern or large trades in stocks of low turnover). Two rules:
 *
 * - `clientActivitySpikes`: a client's day against that client's own recent days, so a fund trading
 *   HK$50m a day is not flagged for doing so again, while a client who usually trades HK$2m is flagged
 *   for a HK$60m day.
 * - `lowTurnoverOrders`: an order that is large beside its stock's average daily turnover.
 *
 * Surveillance that cries wolf is ignored, so both rules are quiet by default: no baseline without
 * enough history, a money floor under every spike, and turnover judged only on thin stocks.
 *
 * Pure. Reference turnover is a CSV (`symbol,date,turnover`, more columns may follow) checked whole, as
 * the activity CSVs are: one bad row refuses the file, listing every problem by line and column.
 */
import { parseCsv } from '../../core/csv.js';
import { describeProblems, type Problem, StenoError } from '../../core/errors.js';
import type { FirmOrder } from '../reconcile/firm-orders.js';

// ————— Reference turnover —————

/** One instrument's traded value on one day, in the instrument's currency. */
export interface TurnoverRow {
  symbol: string;
  /** YYYY-MM-DD. */
  date: string;
  turnover: number;
}

export const TURNOVER_CSV_HEADERS = ['symbol', 'date', 'turnover'] as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** As in the activity CSVs: `1234.5` or `1,234.5`; not exponents, hex, NaN or Infinity. */
const DECIMAL = /^\d{1,15}(?:\.\d{1,10})?$/;
const THOUSANDS = /,(?=\d{3}(?:\D|$))/g;
const MAX_SYMBOL_CHARS = 32;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a real calendar date written YYYY-MM-DD, else null (2026-02-30 is not one). */
function dayNumber(date: string): number | null {
  const m = ISO_DATE.exec(date);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const at = new Date(Date.UTC(y, mo, d));
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== mo || at.getUTCDate() !== d) return null;
  return at.getTime() / DAY_MS;
}

/** Hong Kong's trading hours fall within one UTC day (01:30–08:00Z), so the UTC date is the trading day. */
function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A value from a hostile file, shown in a message: escaped and cut short. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

const normalSymbol = (symbol: string): string => symbol.trim().toUpperCase();

/**
 * Checks every row of a turnover CSV; throws `invalid_input` listing each problem as `line N.column`,
 * returning nothing if any row is bad. Symbols are compared trimmed and in upper case.
 */
export function parseTurnoverCsv(text: string, file: string): TurnoverRow[] {
  const records = parseCsv(text, file);
  const header = records[0]?.fields;
  if (header === undefined || TURNOVER_CSV_HEADERS.some((h, i) => header[i]?.trim().toLowerCase() !== h)) {
    throw new StenoError(
      'invalid_input',
      `${file}: line 1 must be the header ${TURNOVER_CSV_HEADERS.join(',')} (more columns may follow)`,
    );
  }
  const problems: Problem[] = [];
  const rows: TurnoverRow[] = [];
  const firstLine = new Map<string, number>();
  for (const record of records.slice(1)) {
    const before = problems.length;
    const problem = (column: string, message: string) =>
      problems.push({ where: `line ${record.line}.${column}`, message });
    const cell = (column: (typeof TURNOVER_CSV_HEADERS)[number]) =>
      (record.fields[TURNOVER_CSV_HEADERS.indexOf(column)] ?? '').trim();

    const symbol = normalSymbol(cell('symbol'));
    if (symbol === '') problem('symbol', 'is empty');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
    else if (symbol.length > MAX_SYMBOL_CHARS || /[\s\u0000-\u001f\u007f]/.test(symbol)) {
      problem('symbol', `${shown(symbol)} is not a symbol such as 0700.HK (at most ${MAX_SYMBOL_CHARS} characters)`);
    }

    const date = cell('date');
    if (date === '') problem('date', 'is empty');
    else if (dayNumber(date) === null) problem('date', `${shown(date)} is not a calendar date written YYYY-MM-DD`);

    const raw = cell('turnover');
    const plain = raw.replace(THOUSANDS, '');
    let turnover = 0;
    if (raw === '') problem('turnover', 'is empty');
    else if (plain.startsWith('-') && DECIMAL.test(plain.slice(1)))
      problem('turnover', `must not be negative, not ${raw}`);
    else if (!DECIMAL.test(plain)) problem('turnover', `${shown(raw)} is not a decimal number`);
    else turnover = Number(plain);

    if (problems.length !== before) continue;
    const key = `${symbol} ${date}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      problem('date', `repeats ${symbol} on ${date} from line ${first}`);
      continue;
    }
    firstLine.set(key, record.line);
    rows.push({ symbol, date, turnover });
  }
  if (problems.length > 0) {
    const listed = problems.slice(0, 100);
    const more = problems.length > listed.length ? `\n… and ${problems.length - listed.length} more` : '';
    throw new StenoError(
      'invalid_input',
      `${file}: ${problems.length} problem(s); nothing was imported:\n${describeProblems(listed)}${more}`,
      { problems },
    );
  }
  return rows;
}

// ————— 3c: a change in a client's pattern —————

/** What one client traded on one UTC day; a day without trading is absent, not zero. */
export interface ClientDay {
  clientId: string;
  /** YYYY-MM-DD. */
  date: string;
  /** Traded value (quantity × price), in the instruments' currency. */
  value: number;
  /** Shares traded. */
  volume: number;
}

export interface SpikeOptions {
  /** Calendar days before the day that make up its baseline; only days with trading count. */
  windowDays: number;
  /** Days with trading the baseline needs before anything is judged unusual. */
  minHistoryDays: number;
  /** Robust z-score at or above which a day is a spike. */
  zThreshold: number;
  /** Traded value the day must reach, for either measure. */
  minValue: number;
}

/**
 * - windowDays 60: about three months of trading (some 40 HKEX sessions): enough days for a steady
 *   median, short enough to follow a client whose habits change rather than alert on them forever.
 * - minHistoryDays 10: fewer than ten trading days is not yet a pattern; a new client's first large
 *   trades are for onboarding and suitability checks, not "unusual" against nothing.
 * - zThreshold 5: day values are heavy-tailed, so the 3 used for normal data fires weekly on ordinary
 *   clients; 5 robust deviations is far outside anyone's usual range.
 * - minValue 1,000,000: below HK$1m a spike is rarely worth a reviewer's time, whatever its z-score.
 */
export const DEFAULT_SPIKE: Readonly<SpikeOptions> = {
  windowDays: 60,
  minHistoryDays: 10,
  zThreshold: 5,
  minValue: 1_000_000,
};

export type SpikeMeasure = 'value' | 'volume';

/**
 * Which spread the z-score divides by: the MAD; the mean absolute deviation when more than half the
 * baseline days are equal (MAD 0); or none at all (`flat_history`: every day equal, z is null).
 */
export type SpikeReason = 'mad' | 'mean_absolute_deviation' | 'flat_history';

export interface ActivitySpike {
  clientId: string;
  date: string;
  measure: SpikeMeasure;
  observed: number;
  /** Of the baseline days. */
  median: number;
  /** Median absolute deviation from the median, unscaled. */
  mad: number;
  /** null when the history is flat and any spread would divide by zero. */
  z: number | null;
  historyDays: number;
  reason: SpikeReason;
}

/** 1 / Φ⁻¹(3/4): scales the MAD of normal data to its standard deviation. */
const MAD_TO_SIGMA = 1.4826;
/** √(π/2): the same for the mean absolute deviation (the modified z-score's fallback, as in IBM SPSS). */
const MEAN_AD_TO_SIGMA = 1.2533;
/** With no spread at all, a day this many times the usual one is a spike. */
const FLAT_MULTIPLE = 3;

/** First index in sorted `a` whose element is not below `x`. */
function lowerBound<T>(a: readonly T[], x: T): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const h = n >>> 1;
  return n % 2 === 1 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}

/**
 * The MAD of a sorted window in O(n) without sorting again: the deviations below the median, read
 * downwards, and those above, read upwards, are each already in order, so a merge finds the middle one.
 */
function medianAbsoluteDeviation(sorted: readonly number[], m: number): number {
  const n = sorted.length;
  let left = lowerBound(sorted, m) - 1;
  let right = left + 1;
  let a = 0;
  let b = 0;
  for (let k = 0; k <= n >>> 1; k++) {
    const dl = left >= 0 ? m - sorted[left]! : Number.POSITIVE_INFINITY;
    const dr = right < n ? sorted[right]! - m : Number.POSITIVE_INFINITY;
    a = b;
    if (dl <= dr) {
      b = dl;
      left--;
    } else {
      b = dr;
      right++;
    }
  }
  return n % 2 === 1 ? b : (a + b) / 2;
}

function judge(
  x: number,
  window: readonly number[],
  zThreshold: number,
): Pick<ActivitySpike, 'median' | 'mad' | 'z' | 'reason'> | null {
  const m = median(window);
  // A client trading less than usual is not what 3c asks about; and this skips the work on most days.
  if (!(x > m)) return null;
  const mad = medianAbsoluteDeviation(window, m);
  if (mad > 0) {
    const z = (x - m) / (MAD_TO_SIGMA * mad);
    return z >= zThreshold ? { median: m, mad, z, reason: 'mad' } : null;
  }
  let sum = 0;
  for (const v of window) sum += Math.abs(v - m);
  const meanAd = sum / window.length;
  if (meanAd > 0) {
    const z = (x - m) / (MEAN_AD_TO_SIGMA * meanAd);
    return z >= zThreshold ? { median: m, mad, z, reason: 'mean_absolute_deviation' } : null;
  }
  return x > m * FLAT_MULTIPLE ? { median: m, mad, z: null, reason: 'flat_history' } : null;
}

function insertSorted(a: number[], x: number): void {
  a.splice(lowerBound(a, x), 0, x);
}

function removeSorted(a: number[], x: number): void {
  a.splice(lowerBound(a, x), 1);
}

function refuse(what: string, problems: Problem[]): never {
  throw new StenoError('invalid_input', `${what}:\n${describeProblems(problems.slice(0, 50))}`, { problems });
}

const isCount = (n: number, min: number): boolean => Number.isInteger(n) && n >= min;
const isAmount = (n: number): boolean => Number.isFinite(n) && n >= 0;

/**
 * Days on which a client traded far more than usual for that client (3c: a change in pattern). Each
 * day's value, and separately its volume, is compared with the client's days with trading in the
 * `windowDays` calendar days before it (the day itself excluded): robust z = (x − median) / (1.4826 ×
 * MAD). A day fires when z ≥ `zThreshold` and its traded value is at least `minValue` (for both measures:
 * a volume spike in a penny stock is not worth an alert), once the baseline has `minHistoryDays` days.
 * Several rows for one client and day are added together.
 *
 * O(n·w) for n days and w baseline days at most: each window is kept sorted as it rolls.
 */
export function clientActivitySpikes(input: { days: readonly ClientDay[] } & SpikeOptions): ActivitySpike[] {
  const { windowDays, minHistoryDays, zThreshold, minValue } = input;
  const problems: Problem[] = [];
  if (!isCount(windowDays, 1)) problems.push({ where: 'windowDays', message: 'must be a whole number above 0' });
  if (!isCount(minHistoryDays, 1))
    problems.push({ where: 'minHistoryDays', message: 'must be a whole number above 0' });
  if (!(Number.isFinite(zThreshold) && zThreshold > 0))
    problems.push({ where: 'zThreshold', message: 'must be above 0' });
  if (!isAmount(minValue)) problems.push({ where: 'minValue', message: 'must be a number, 0 or more' });

  interface Day {
    day: number;
    date: string;
    value: number;
    volume: number;
  }
  // Few distinct dates among many rows: parse each once.
  const dayNumbers = new Map<string, number | null>();
  const byClient = new Map<string, Day[]>();
  for (let i = 0; i < input.days.length; i++) {
    const d = input.days[i]!;
    let day = dayNumbers.get(d.date);
    if (day === undefined) {
      day = dayNumber(d.date);
      dayNumbers.set(d.date, day);
    }
    if (day === null) {
      problems.push({ where: `[${i}].date`, message: `${shown(d.date)} is not a date written YYYY-MM-DD` });
    }
    if (!isAmount(d.value)) problems.push({ where: `[${i}].value`, message: 'must be a number, 0 or more' });
    if (!isAmount(d.volume)) problems.push({ where: `[${i}].volume`, message: 'must be a number, 0 or more' });
    if (problems.length > 0 || day === null) continue;
    const days = byClient.get(d.clientId);
    const row = { day, date: d.date, value: d.value, volume: d.volume };
    if (days === undefined) byClient.set(d.clientId, [row]);
    else days.push(row);
  }
  if (problems.length > 0) refuse('client activity cannot be judged', problems);

  const spikes: ActivitySpike[] = [];
  for (const [clientId, rows] of byClient) {
    rows.sort((a, b) => a.day - b.day);
    const days: Day[] = [];
    for (const row of rows) {
      const last = days.at(-1);
      if (last !== undefined && last.day === row.day) {
        last.value += row.value;
        last.volume += row.volume;
      } else days.push(row);
    }
    const values: number[] = [];
    const volumes: number[] = [];
    let start = 0;
    for (let i = 0; i < days.length; i++) {
      const today = days[i]!;
      while (days[start]!.day < today.day - windowDays) {
        removeSorted(values, days[start]!.value);
        removeSorted(volumes, days[start]!.volume);
        start++;
      }
      const historyDays = i - start;
      if (historyDays >= minHistoryDays && today.value >= minValue) {
        const byValue = judge(today.value, values, zThreshold);
        if (byValue !== null) {
          spikes.push({ clientId, date: today.date, measure: 'value', observed: today.value, ...byValue, historyDays });
        }
        const byVolume = judge(today.volume, volumes, zThreshold);
        if (byVolume !== null) {
          spikes.push({
            clientId,
            date: today.date,
            measure: 'volume',
            observed: today.volume,
            ...byVolume,
            historyDays,
          });
        }
      }
      insertSorted(values, today.value);
      insertSorted(volumes, today.volume);
    }
  }
  return spikes.sort(
    (a, b) => compare(a.date, b.date) || compare(a.clientId, b.clientId) || compare(a.measure, b.measure),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Each client's traded value and volume per UTC day of the fill (a fill without a time counts on the
 * day its order was entered). Orders on an account that maps to no client are left out: reconciliation
 * reports those. Values in different currencies are added as they are; convert them first where a
 * client trades in more than one.
 */
export function clientDaysFromFills(
  orders: readonly FirmOrder[],
  accountToClient: (account: string) => string | null,
): ClientDay[] {
  const clients = new Map<string, string | null>();
  const days = new Map<string, ClientDay>();
  for (const order of orders) {
    if (order.account === null) continue;
    let clientId = clients.get(order.account);
    if (clientId === undefined) {
      clientId = accountToClient(order.account);
      clients.set(order.account, clientId);
    }
    if (clientId === null) continue;
    for (const fill of order.fills) {
      const date = utcDate(fill.atMs ?? order.enteredAtMs);
      const key = `${clientId}\n${date}`;
      let day = days.get(key);
      if (day === undefined) {
        day = { clientId, date, value: 0, volume: 0 };
        days.set(key, day);
      }
      day.value += fill.quantity * fill.price;
      day.volume += fill.quantity;
    }
  }
  return [...days.values()].sort((a, b) => compare(a.clientId, b.clientId) || compare(a.date, b.date));
}

// ————— 3c: large trades in stocks of low turnover —————

export interface LowTurnoverOptions {
  /** Reference rows (trading days) before the order's date that make up the average. */
  lookbackDays: number;
  /** Order value as a share of the average daily turnover at which an order fires. */
  minShare: number;
  /** A stock is low-turnover when its average daily turnover is at most this. */
  maxAverageTurnover: number;
}

/**
 * - lookbackDays 20: about a month of trading, the usual average daily turnover window; long enough
 *   that one busy day does not make a thin stock look liquid.
 * - minShare 0.1: one order worth a tenth of a day's trading in a thin stock can move its price, the
 *   concern 3c names; smaller orders are ordinary participation.
 * - maxAverageTurnover 20,000,000: under about HK$20m a day a stock is in the thinly traded part of the
 *   HKEX market; in liquid stocks a large order is a matter for best execution, not this rule.
 */
export const DEFAULT_LOW_TURNOVER: Readonly<LowTurnoverOptions> = {
  lookbackDays: 20,
  minShare: 0.1,
  maxAverageTurnover: 20_000_000,
};

export interface TurnoverOrder {
  orderId: string;
  clientId: string | null;
  /** Compared with the reference trimmed and in upper case: map variants (`700`) to it first. */
  symbol: string;
  dateMs: number;
  /** In the instrument's currency, as the turnover is. */
  value: number;
}

export interface TurnoverAlert {
  orderId: string;
  clientId: string | null;
  symbol: string;
  /** The order's UTC date. */
  date: string;
  value: number;
  averageTurnover: number;
  /** value / averageTurnover; null when the stock did not trade at all over the lookback. */
  share: number | null;
  /** Reference rows averaged: fewer than lookbackDays where the reference is short. */
  days: number;
}

/**
 * Orders large beside their stock's average daily turnover over the `lookbackDays` reference rows
 * strictly before the order's date (the day's own turnover includes the order). No reference rows
 * before the order, no alert: nothing says the stock is thin.
 */
export function lowTurnoverOrders(
  input: { orders: readonly TurnoverOrder[]; turnover: readonly TurnoverRow[] } & LowTurnoverOptions,
): TurnoverAlert[] {
  const { lookbackDays, minShare, maxAverageTurnover } = input;
  const problems: Problem[] = [];
  if (!isCount(lookbackDays, 1)) problems.push({ where: 'lookbackDays', message: 'must be a whole number above 0' });
  if (!(Number.isFinite(minShare) && minShare > 0)) problems.push({ where: 'minShare', message: 'must be above 0' });
  if (!isAmount(maxAverageTurnover)) {
    problems.push({ where: 'maxAverageTurnover', message: 'must be a number, 0 or more' });
  }
  input.orders.forEach((o, i) => {
    if (!Number.isFinite(o.dateMs)) problems.push({ where: `orders[${i}].dateMs`, message: 'is not a time' });
    if (!Number.isFinite(o.value)) problems.push({ where: `orders[${i}].value`, message: 'is not a number' });
  });
  if (problems.length > 0) refuse('orders cannot be judged against turnover', problems);

  const bySymbol = new Map<string, { dates: string[]; turnover: number[] }>();
  const sorted = [...input.turnover].sort((a, b) => compare(a.date, b.date));
  for (const row of sorted) {
    const symbol = normalSymbol(row.symbol);
    let series = bySymbol.get(symbol);
    if (series === undefined) {
      series = { dates: [], turnover: [] };
      bySymbol.set(symbol, series);
    }
    series.dates.push(row.date);
    series.turnover.push(row.turnover);
  }

  const alerts: TurnoverAlert[] = [];
  for (const order of input.orders) {
    const series = bySymbol.get(normalSymbol(order.symbol));
    if (series === undefined || !(order.value > 0)) continue;
    const date = utcDate(order.dateMs);
    const end = lowerBound(series.dates, date);
    const from = Math.max(0, end - lookbackDays);
    const days = end - from;
    if (days === 0) continue;
    let sum = 0;
    for (let i = from; i < end; i++) sum += series.turnover[i]!;
    const averageTurnover = sum / days;
    if (averageTurnover > maxAverageTurnover) continue;
    const share = averageTurnover > 0 ? order.value / averageTurnover : null;
    if (share !== null && share < minShare) continue;
    alerts.push({
      orderId: order.orderId,
      clientId: order.clientId,
      symbol: order.symbol,
      date,
      value: order.value,
      averageTurnover,
      share,
      days,
    });
  }
  return alerts.sort((a, b) => compare(a.date, b.date) || compare(a.symbol, b.symbol) || compare(a.orderId, b.orderId));
}
