/**
 * The firm's orders and executions as CSV, for order management systems that do not log FIX. The
 * headers are a contract (README, "Account activity"): the columns in this order, more may follow.
 * Every row is checked first; one bad row refuses the file, listing each problem by line and column,
 * and nothing is stored.
 */
import { parseCsv } from '../../core/csv.js';
import { describeProblems, type Problem, StenoError } from '../../core/errors.js';
import type { ActivitySide, ExecutionEvent, FirmOrderEvent, FirmOrderStatus, FirmOrderType } from './model.js';

export const ORDERS_CSV_HEADERS = [
  'order_id',
  'account',
  'symbol',
  'side',
  'quantity',
  'order_type',
  'limit_price',
  'entered_at',
  'channel',
  'status',
] as const;

export const EXECUTIONS_CSV_HEADERS = [
  'exec_id',
  'order_id',
  'account',
  'symbol',
  'side',
  'quantity',
  'price',
  'executed_at',
] as const;

export interface CsvActivity<E> {
  line: number;
  event: E;
  /** The row as written (its fields joined again), kept with the record. */
  raw: string;
}

/** Values longer than this are not identifiers or numbers: refuse them rather than store them. */
const MAX_FIELD_CHARS = 256;

const SIDES: Record<string, ActivitySide> = { buy: 'buy', b: 'buy', sell: 'sell', s: 'sell', 'sell short': 'sell' };
const ORDER_TYPES: Record<string, FirmOrderType> = {
  market: 'market',
  mkt: 'market',
  limit: 'limit',
  lmt: 'limit',
  stop: 'stop',
  stop_limit: 'stop_limit',
  'stop limit': 'stop_limit',
};
const STATUSES: Record<string, FirmOrderStatus> = {
  new: 'new',
  open: 'new',
  working: 'new',
  partially_filled: 'partially_filled',
  'partially filled': 'partially_filled',
  partial: 'partially_filled',
  filled: 'filled',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  replaced: 'replaced',
  amended: 'replaced',
  rejected: 'rejected',
  expired: 'expired',
  done_for_day: 'done_for_day',
  pending: 'pending',
};

/** A decimal as order systems write it (`352`, `352.20`, `1,000`); not hex, exponents or NaN. */
const DECIMAL = /^\d{1,15}(?:\.\d{1,10})?$/;
/** ISO 8601 with a UTC offset or Z: a time without a zone would be guessed, and delays depend on it. */
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

class RowReader {
  constructor(
    private readonly headers: readonly string[],
    private readonly fields: string[],
    private readonly where: string,
    private readonly problems: Problem[],
  ) {}

  private problem(column: string, message: string): void {
    this.problems.push({ where: `${this.where}.${column}`, message });
  }

  text(column: string, options: { required: boolean }): string | null {
    const value = (this.fields[this.headers.indexOf(column)] ?? '').trim();
    if (value === '') {
      if (options.required) this.problem(column, 'is empty');
      return null;
    }
    if (value.length > MAX_FIELD_CHARS) {
      this.problem(column, `is ${value.length} characters long; at most ${MAX_FIELD_CHARS}`);
      return null;
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      this.problem(column, 'holds a control character');
      return null;
    }
    return value;
  }

  oneOf<T>(column: string, table: Record<string, T>, options: { required: boolean }): T | null {
    const value = this.text(column, options);
    if (value === null) return null;
    const found = table[value.toLowerCase()];
    if (found === undefined) {
      const allowed = [...new Set(Object.values(table) as string[])].join(', ');
      this.problem(column, `"${value}" is not one of ${allowed}`);
      return null;
    }
    return found;
  }

  number(column: string, options: { required: boolean; positive: boolean }): number | null {
    const value = this.text(column, options);
    if (value === null) return null;
    const plain = value.replace(/,(?=\d{3}(?:\D|$))/g, '');
    if (!DECIMAL.test(plain)) {
      this.problem(column, `"${value}" is not a decimal number`);
      return null;
    }
    const n = Number(plain);
    if (options.positive && n <= 0) {
      this.problem(column, `must be more than 0, not ${value}`);
      return null;
    }
    return n;
  }

  instant(column: string): string | null {
    const value = this.text(column, { required: true });
    if (value === null) return null;
    const ms = INSTANT.test(value) ? Date.parse(value.replace(' ', 'T')) : Number.NaN;
    if (Number.isNaN(ms)) {
      this.problem(
        column,
        `"${value}" is not an ISO 8601 time with a UTC offset (write it as 2024-05-02T09:30:00+08:00 or …Z)`,
      );
      return null;
    }
    return new Date(ms).toISOString();
  }
}

function checkHeader(file: string, header: string[] | undefined, expected: readonly string[]): void {
  if (header === undefined || expected.some((h, i) => header[i]?.trim().toLowerCase() !== h)) {
    throw new StenoError(
      'invalid_input',
      `${file}: line 1 must be the header ${expected.join(',')} (more columns may follow)`,
    );
  }
}

function refuseIfProblems(file: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 100);
  const more = problems.length > shown.length ? `\n… and ${problems.length - shown.length} more` : '';
  throw new StenoError(
    'invalid_input',
    `${file}: ${problems.length} problem(s); nothing was imported:\n${describeProblems(shown)}${more}`,
    { problems },
  );
}

/** Orders: `order_id,account,symbol,side,quantity,order_type,limit_price,entered_at,channel,status`. */
export function parseOrdersCsv(text: string, file: string): CsvActivity<FirmOrderEvent>[] {
  const records = parseCsv(text, file);
  checkHeader(file, records[0]?.fields, ORDERS_CSV_HEADERS);
  const problems: Problem[] = [];
  const out: CsvActivity<FirmOrderEvent>[] = [];
  for (const record of records.slice(1)) {
    const row = new RowReader(ORDERS_CSV_HEADERS, record.fields, `line ${record.line}`, problems);
    const before = problems.length;
    const orderType = row.oneOf('order_type', ORDER_TYPES, { required: true });
    const limitPrice = row.number('limit_price', { required: orderType === 'limit', positive: true });
    if (orderType === 'market' && limitPrice !== null) {
      problems.push({ where: `line ${record.line}.limit_price`, message: 'a market order has no limit price' });
    }
    const event: FirmOrderEvent = {
      kind: 'order',
      orderId: row.text('order_id', { required: true }) ?? '',
      account: row.text('account', { required: true }),
      symbol: row.text('symbol', { required: true }) ?? '',
      side: row.oneOf('side', SIDES, { required: true }),
      quantity: row.number('quantity', { required: true, positive: true }),
      orderType,
      limitPrice,
      at: row.instant('entered_at'),
      channel: row.text('channel', { required: false }),
      status: row.oneOf('status', STATUSES, { required: false }),
    };
    if (problems.length === before) out.push({ line: record.line, event, raw: record.fields.join(',') });
  }
  refuseIfProblems(file, problems);
  return out;
}

/** Executions: `exec_id,order_id,account,symbol,side,quantity,price,executed_at`. */
export function parseExecutionsCsv(text: string, file: string): CsvActivity<ExecutionEvent>[] {
  const records = parseCsv(text, file);
  checkHeader(file, records[0]?.fields, EXECUTIONS_CSV_HEADERS);
  const problems: Problem[] = [];
  const out: CsvActivity<ExecutionEvent>[] = [];
  for (const record of records.slice(1)) {
    const row = new RowReader(EXECUTIONS_CSV_HEADERS, record.fields, `line ${record.line}`, problems);
    const before = problems.length;
    const quantity = row.number('quantity', { required: true, positive: true });
    const price = row.number('price', { required: true, positive: true });
    const event: ExecutionEvent = {
      kind: 'execution',
      execId: row.text('exec_id', { required: true }) ?? '',
      orderId: row.text('order_id', { required: true }) ?? '',
      origOrderId: null,
      brokerOrderId: null,
      // A row is a fill; whether it completes the order is for the orders CSV (or the fills' sum) to say.
      execType: 'partial_fill',
      status: null,
      account: row.text('account', { required: true }),
      symbol: row.text('symbol', { required: true }),
      side: row.oneOf('side', SIDES, { required: true }),
      orderQuantity: null,
      limitPrice: null,
      lastQuantity: quantity,
      lastPrice: price,
      cumQuantity: null,
      leavesQuantity: null,
      avgPrice: null,
      at: row.instant('executed_at'),
    };
    if (problems.length === before) out.push({ line: record.line, event, raw: record.fields.join(',') });
  }
  refuseIfProblems(file, problems);
  return out;
}
