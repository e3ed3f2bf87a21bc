import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StenoError } from '../../core/errors.js';
import type { FirmOrder } from '../reconcile/firm-orders.js';
import {
  type ActivitySpike,
  type ClientDay,
  clientActivitySpikes,
  clientDaysFromFills,
  DEFAULT_LOW_TURNOVER,
  DEFAULT_SPIKE,
  lowTurnoverOrders,
  parseTurnoverCsv,
  type TurnoverOrder,
  type TurnoverRow,
} from './trading.js';

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2025, 0, 1);

/** mulberry32: a small seeded PRNG, so generated histories are the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dateOf = (dayIndex: number): string => new Date(EPOCH + dayIndex * DAY_MS).toISOString().slice(0, 10);

function refusal(run: () => unknown): StenoError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StenoError);
    expect((error as StenoError).code).toBe('invalid_input');
    return error as StenoError;
  }
  throw new Error('expected a refusal');
}

// ————— Reference CSV —————

describe('parseTurnoverCsv', () => {
  it('reads a good file: extra columns, CRLF, case, spaces, thousands separators, zero', () => {
    const text = [
      'Symbol,Date,Turnover,source',
      ' 0700.hk ,2026-01-02,"1,234,567.89",vendor',
      '0700.HK,2024-02-29,0,vendor',
      '8001.HK,2026-01-02,15000000',
      '',
    ].join('\r\n');
    expect(parseTurnoverCsv(text, 'turnover.csv')).toEqual([
      { symbol: '0700.HK', date: '2026-01-02', turnover: 1_234_567.89 },
      { symbol: '0700.HK', date: '2024-02-29', turnover: 0 },
      { symbol: '8001.HK', date: '2026-01-02', turnover: 15_000_000 },
    ]);
  });

  it('reads a header alone as no rows', () => {
    expect(parseTurnoverCsv('symbol,date,turnover\n', 'turnover.csv')).toEqual([]);
  });

  it.each([
    ['an empty file', ''],
    ['a file of blank lines', '\n\n'],
    ['a missing column', 'symbol,date\n0700.HK,2026-01-02'],
    ['columns out of order', 'date,symbol,turnover\n2026-01-02,0700.HK,1'],
    ['an extra column first', 'market,symbol,date,turnover\nXHKG,0700.HK,2026-01-02,1'],
    ['no header', '0700.HK,2026-01-02,1'],
  ])('refuses %s, naming the header it needs', (_, text) => {
    expect(refusal(() => parseTurnoverCsv(text, 'turnover.csv')).message).toBe(
      'turnover.csv: line 1 must be the header symbol,date,turnover (more columns may follow)',
    );
  });

  it('refuses dates that are not calendar dates', () => {
    const error = refusal(() =>
      parseTurnoverCsv(
        'symbol,date,turnover\n0700.HK,2026-02-30,1\n0700.HK,2026-2-3,1\n0700.HK,2025-02-29,1\n0700.HK,,1\n',
        'turnover.csv',
      ),
    );
    expect(error.problems).toEqual([
      { where: 'line 2.date', message: '"2026-02-30" is not a calendar date written YYYY-MM-DD' },
      { where: 'line 3.date', message: '"2026-2-3" is not a calendar date written YYYY-MM-DD' },
      { where: 'line 4.date', message: '"2025-02-29" is not a calendar date written YYYY-MM-DD' },
      { where: 'line 5.date', message: 'is empty' },
    ]);
  });

  it('refuses negative, NaN and otherwise unreadable turnover', () => {
    const error = refusal(() =>
      parseTurnoverCsv(
        [
          'symbol,date,turnover',
          '0700.HK,2026-01-02,-5',
          '0700.HK,2026-01-05,NaN',
          '0700.HK,2026-01-06,1e6',
          '0700.HK,2026-01-07,Infinity',
          '0700.HK,2026-01-08,',
          '0700.HK,2026-01-09,0x10',
        ].join('\n'),
        'turnover.csv',
      ),
    );
    expect(error.problems).toEqual([
      { where: 'line 2.turnover', message: 'must not be negative, not -5' },
      { where: 'line 3.turnover', message: '"NaN" is not a decimal number' },
      { where: 'line 4.turnover', message: '"1e6" is not a decimal number' },
      { where: 'line 5.turnover', message: '"Infinity" is not a decimal number' },
      { where: 'line 6.turnover', message: 'is empty' },
      { where: 'line 7.turnover', message: '"0x10" is not a decimal number' },
    ]);
  });

  it('refuses a repeated symbol and date, naming both lines (case and spaces do not hide it)', () => {
    const error = refusal(() =>
      parseTurnoverCsv(
        'symbol,date,turnover\n0700.HK,2026-01-02,1\n0005.HK,2026-01-02,2\n 0700.hk,2026-01-02,3\n',
        'turnover.csv',
      ),
    );
    expect(error.problems).toEqual([{ where: 'line 4.date', message: 'repeats 0700.HK on 2026-01-02 from line 2' }]);
    expect(error.message).toBe(
      'turnover.csv: 1 problem(s); nothing was imported:\nline 4.date: repeats 0700.HK on 2026-01-02 from line 2',
    );
  });

  it('lists every problem of every row, and returns nothing when one row is bad', () => {
    const error = refusal(() =>
      parseTurnoverCsv(
        'symbol,date,turnover\n0700.HK,2026-01-02,1\n,2026-13-01,-1\nBAD SYMBOL,2026-01-02,1\n',
        'turnover.csv',
      ),
    );
    expect(error.problems.map((p) => p.where)).toEqual([
      'line 3.symbol',
      'line 3.date',
      'line 3.turnover',
      'line 4.symbol',
    ]);
    expect(error.message).toContain('turnover.csv: 4 problem(s); nothing was imported:\nline 3.symbol: is empty\n');
  });

  it('cuts a hostile value short in its message', () => {
    const error = refusal(() => parseTurnoverCsv(`symbol,date,turnover\nX,${'9'.repeat(5000)},1\n`, 'turnover.csv'));
    expect(error.message.length).toBeLessThan(200);
  });
});

// ————— Client activity spikes —————

/** A naive baseline for one day, computed the obvious way to check the rolling one against. */
function baseline(history: readonly number[]): { median: number; mad: number } {
  const med = (xs: readonly number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const h = s.length >> 1;
    return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
  };
  const median = med(history);
  return { median, mad: med(history.map((x) => Math.abs(x - median))) };
}

/** Weekdays only, from EPOCH (a Wednesday): the calendar a Hong Kong client trades on. */
function steadyClient(clientId: string, seed: number, count: number): ClientDay[] {
  const random = prng(seed);
  const days: ClientDay[] = [];
  for (let d = 0; days.length < count; d++) {
    const weekday = new Date(EPOCH + d * DAY_MS).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const value = 1_000_000 + Math.round(random() * 2_000_000);
    const price = 40 + random() * 20;
    days.push({ clientId, date: dateOf(d), value, volume: Math.round(value / price) });
  }
  return days;
}

const spikes = (days: readonly ClientDay[], options: Partial<typeof DEFAULT_SPIKE> = {}): ActivitySpike[] =>
  clientActivitySpikes({ days, ...DEFAULT_SPIKE, ...options });

/** The days on or before `date`'s baseline window, in the way the rule defines it. */
function windowBefore(days: readonly ClientDay[], date: string, windowDays: number): ClientDay[] {
  const at = Date.parse(date);
  return days.filter((d) => Date.parse(d.date) < at && Date.parse(d.date) >= at - windowDays * DAY_MS);
}

describe('clientActivitySpikes', () => {
  it('never fires on a steady client over 250 trading days', () => {
    const days = steadyClient('C1', 7, 250);
    expect(days.length).toBe(250);
    expect(spikes(days)).toEqual([]);
  });

  it("fires once on the same client's one day at 30×, with the z the definition gives", () => {
    const days = steadyClient('C1', 7, 250);
    const at = 180;
    const normal = days[at]!;
    days[at] = { ...normal, value: normal.value * 30, volume: normal.volume * 30 };
    const found = spikes(days);
    expect(found.map((s) => [s.date, s.measure])).toEqual([
      [normal.date, 'value'],
      [normal.date, 'volume'],
    ]);
    const window = windowBefore(days, normal.date, DEFAULT_SPIKE.windowDays);
    const { median, mad } = baseline(window.map((d) => d.value));
    const value = found[0]!;
    expect(value).toMatchObject({ clientId: 'C1', observed: normal.value * 30, median, mad, reason: 'mad' });
    expect(value.historyDays).toBe(window.length);
    expect(value.z).toBeCloseTo((normal.value * 30 - median) / (1.4826 * mad), 9);
    expect(value.z!).toBeGreaterThan(40);
  });

  it('does not fire for a client with fewer than minHistoryDays days of trading', () => {
    const days = steadyClient('NEW', 3, 10);
    days[9] = { ...days[9]!, value: 500_000_000, volume: 10_000_000 };
    expect(days.slice(0, 9).length).toBe(DEFAULT_SPIKE.minHistoryDays - 1);
    expect(spikes(days)).toEqual([]);
  });

  it('excludes the day itself from its own baseline', () => {
    // Exactly minHistoryDays days before: fires only if the day itself is not counted as history.
    const days: ClientDay[] = Array.from({ length: 10 }, (_, i) => ({
      clientId: 'C',
      date: dateOf(i),
      value: (i + 1) * 1_000_000,
      volume: 1000,
    }));
    days.push({ clientId: 'C', date: dateOf(10), value: 100_000_000, volume: 1000 });
    // With the day included, the median would be 6m and the MAD 3m.
    expect(spikes(days)).toEqual([
      {
        clientId: 'C',
        date: dateOf(10),
        measure: 'value',
        observed: 100_000_000,
        median: 5_500_000,
        mad: 2_500_000,
        z: (100_000_000 - 5_500_000) / (1.4826 * 2_500_000),
        historyDays: 10,
        reason: 'mad',
      },
    ]);
  });

  it('fires at exactly zThreshold, and not just above the z', () => {
    const days: ClientDay[] = Array.from({ length: 10 }, (_, i) => ({
      clientId: 'C',
      date: dateOf(i),
      value: (i + 1) * 1_000_000,
      volume: 1000,
    }));
    days.push({ clientId: 'C', date: dateOf(10), value: 20_000_000, volume: 1000 });
    const z = (20_000_000 - 5_500_000) / (1.4826 * 2_500_000);
    expect(spikes(days, { zThreshold: z }).map((s) => s.z)).toEqual([z]);
    expect(spikes(days, { zThreshold: z + 1e-9 })).toEqual([]);
  });

  it('does not fire below minValue, however large the z', () => {
    const days = steadyClient('SMALL', 11, 120).map((d) => ({ ...d, value: d.value / 100, volume: d.volume / 100 }));
    const at = days[100]!;
    days[100] = { ...at, value: at.value * 30, volume: at.volume * 30 };
    expect(days[100]!.value).toBeLessThan(DEFAULT_SPIKE.minValue);
    expect(spikes(days)).toEqual([]);
    // The same day with the floor lowered: only the floor held it back.
    expect(spikes(days, { minValue: 0 }).map((s) => s.date)).toEqual([at.date, at.date]);
  });

  it('fires on a flat history at 10× with reason flat_history and z null, and not on 1.5× after it', () => {
    const days: ClientDay[] = Array.from({ length: 20 }, (_, i) => ({
      clientId: 'FLAT',
      date: dateOf(i),
      value: 1_000_000,
      volume: 10_000,
    }));
    days.push({ clientId: 'FLAT', date: dateOf(20), value: 10_000_000, volume: 10_000 });
    days.push({ clientId: 'FLAT', date: dateOf(21), value: 1_500_000, volume: 10_000 });
    expect(spikes(days)).toEqual([
      {
        clientId: 'FLAT',
        date: dateOf(20),
        measure: 'value',
        observed: 10_000_000,
        median: 1_000_000,
        mad: 0,
        z: null,
        historyDays: 20,
        reason: 'flat_history',
      },
    ]);
  });

  it('does not fire on a flat history at 1.5× or 3×, and fires just above 3×', () => {
    const flat = Array.from({ length: 20 }, (_, i) => ({
      clientId: 'FLAT',
      date: dateOf(i),
      value: 1_000_000,
      volume: 10_000,
    }));
    const withDay = (value: number) => [...flat, { clientId: 'FLAT', date: dateOf(20), value, volume: 10_000 }];
    expect(spikes(withDay(1_500_000))).toEqual([]);
    expect(spikes(withDay(3_000_000))).toEqual([]);
    expect(spikes(withDay(3_000_001)).map((s) => s.reason)).toEqual(['flat_history']);
  });

  it('falls back to the mean absolute deviation when most days are equal', () => {
    const days: ClientDay[] = Array.from({ length: 20 }, (_, i) => ({
      clientId: 'M',
      date: dateOf(i),
      value: i === 5 ? 2_000_000 : 1_000_000,
      volume: 10_000,
    }));
    days.push({ clientId: 'M', date: dateOf(20), value: 5_000_000, volume: 10_000 });
    const [spike, ...rest] = spikes(days);
    expect(rest).toEqual([]);
    expect(spike).toMatchObject({ median: 1_000_000, mad: 0, reason: 'mean_absolute_deviation' });
    // Mean absolute deviation: 1m / 20 days = 50k.
    expect(spike!.z).toBeCloseTo(4_000_000 / (1.2533 * 50_000), 9);
  });

  it('judges volume apart from value', () => {
    const days = steadyClient('V', 21, 120);
    const a = days[90]!;
    const b = days[100]!;
    // A penny-priced day: ordinary value, 30× the shares. Then a dear one: 30× the value, ordinary shares.
    days[90] = { ...a, volume: a.volume * 30 };
    days[100] = { ...b, value: b.value * 30 };
    expect(spikes(days).map((s) => [s.date, s.measure])).toEqual([
      [a.date, 'volume'],
      [b.date, 'value'],
    ]);
  });

  it('forgets history older than the window: an old run of big days does not suppress today', () => {
    const days: ClientDay[] = [];
    for (let d = 0; d < 40; d++) days.push({ clientId: 'R', date: dateOf(d), value: 30_000_000, volume: 1000 });
    for (let d = 100; d < 115; d++) days.push({ clientId: 'R', date: dateOf(d), value: 2_000_000, volume: 1000 });
    days.push({ clientId: 'R', date: dateOf(115), value: 30_000_000, volume: 1000 });
    expect(spikes(days)).toMatchObject([{ date: dateOf(115), measure: 'value', median: 2_000_000, historyDays: 15 }]);
    // With a window reaching back to the big days, the same day is ordinary.
    expect(spikes(days, { windowDays: 200 })).toEqual([]);
  });

  it('counts the window in calendar days, the earliest day included', () => {
    const days: ClientDay[] = [];
    for (let d = 0; d <= 60; d++) days.push({ clientId: 'W', date: dateOf(d), value: 1_000_000 + d, volume: 1000 });
    days.push({ clientId: 'W', date: dateOf(61), value: 90_000_000, volume: 1000 });
    // Day 61's window is days 1 to 60: day 0 is 61 days before.
    expect(spikes(days).map((s) => s.historyDays)).toEqual([60]);
    expect(spikes(days, { windowDays: 61 }).map((s) => s.historyDays)).toEqual([61]);
  });

  it('sorts by date, then client, then measure', () => {
    const flat = (clientId: string) =>
      Array.from({ length: 12 }, (_, i) => ({ clientId, date: dateOf(i), value: 1_000_000, volume: 100 }));
    const days = [
      ...flat('B'),
      { clientId: 'B', date: dateOf(12), value: 9_000_000, volume: 900 },
      ...flat('A'),
      { clientId: 'A', date: dateOf(13), value: 9_000_000, volume: 100 },
      { clientId: 'A', date: dateOf(12), value: 9_000_000, volume: 900 },
    ];
    expect(spikes(days).map((s) => `${s.date} ${s.clientId} ${s.measure}`)).toEqual([
      `${dateOf(12)} A value`,
      `${dateOf(12)} A volume`,
      `${dateOf(12)} B value`,
      `${dateOf(12)} B volume`,
      // A second 9× day is still far above a history that is mostly 1m (mean absolute deviation).
      `${dateOf(13)} A value`,
    ]);
  });

  it('adds rows for the same client and day together', () => {
    const days: ClientDay[] = Array.from({ length: 12 }, (_, i) => ({
      clientId: 'D',
      date: dateOf(i),
      value: 1_000_000,
      volume: 100,
    }));
    days.push({ clientId: 'D', date: dateOf(12), value: 2_000_000, volume: 100 });
    days.push({ clientId: 'D', date: dateOf(12), value: 2_000_000, volume: 100 });
    expect(spikes(days).map((s) => s.observed)).toEqual([4_000_000]);
  });

  it('refuses bad dates, amounts and options', () => {
    const error = refusal(() =>
      spikes([{ clientId: 'X', date: '2026-02-30', value: -1, volume: Number.NaN }], { windowDays: 0 }),
    );
    expect(error.problems.map((p) => p.where)).toEqual(['windowDays', '[0].date', '[0].value', '[0].volume']);
  });

  it('judges 2,000 clients × 250 days at once', () => {
    const days: ClientDay[] = [];
    for (let c = 0; c < 2000; c++) days.push(...steadyClient(`C${c}`, c + 1, 250));
    const started = performance.now();
    const found = spikes(days);
    const elapsed = performance.now() - started;
    // Random data has chance spikes, mostly against the shortest baselines: keep them rare.
    expect(found.length).toBeLessThan(days.length / 5_000);
    expect(elapsed).toBeLessThan(2000);
  });

  it('agrees with the definition computed naively, on random histories', () => {
    const day = fc.record({
      clientId: fc.constantFrom('A', 'B', 'C'),
      dayIndex: fc.integer({ min: 0, max: 120 }),
      value: fc.integer({ min: 0, max: 20 }).map((v) => v * 100_000),
      volume: fc.integer({ min: 0, max: 50 }),
    });
    const options = fc.record({
      windowDays: fc.integer({ min: 1, max: 40 }),
      minHistoryDays: fc.integer({ min: 1, max: 8 }),
      zThreshold: fc.constantFrom(1, 2, 3.5, 5),
      minValue: fc.constantFrom(0, 500_000, 1_000_000),
    });
    fc.assert(
      fc.property(fc.array(day, { maxLength: 200 }), options, (generated, o) => {
        const merged = new Map<string, ClientDay>();
        for (const g of generated) {
          const key = `${g.clientId} ${g.dayIndex}`;
          const d = merged.get(key);
          if (d === undefined)
            merged.set(key, { clientId: g.clientId, date: dateOf(g.dayIndex), value: g.value, volume: g.volume });
          else {
            d.value += g.value;
            d.volume += g.volume;
          }
        }
        const days = [...merged.values()];
        const expected: ActivitySpike[] = [];
        for (const today of days) {
          const history = windowBefore(
            days.filter((d) => d.clientId === today.clientId),
            today.date,
            o.windowDays,
          );
          if (history.length < o.minHistoryDays || today.value < o.minValue) continue;
          for (const measure of ['value', 'volume'] as const) {
            const xs = history.map((d) => d[measure]);
            const x = today[measure];
            const { median, mad } = baseline(xs);
            const meanAd = xs.reduce((s, v) => s + Math.abs(v - median), 0) / xs.length;
            const base = { clientId: today.clientId, date: today.date, measure, observed: x, median, mad };
            if (mad > 0) {
              const z = (x - median) / (1.4826 * mad);
              if (z >= o.zThreshold) expected.push({ ...base, z, historyDays: xs.length, reason: 'mad' });
            } else if (meanAd > 0) {
              const z = (x - median) / (1.2533 * meanAd);
              if (z >= o.zThreshold) {
                expected.push({ ...base, z, historyDays: xs.length, reason: 'mean_absolute_deviation' });
              }
            } else if (x > median * 3) {
              expected.push({ ...base, z: null, historyDays: xs.length, reason: 'flat_history' });
            }
          }
        }
        const key = (s: ActivitySpike) => `${s.date} ${s.clientId} ${s.measure}`;
        expected.sort((a, b) => (key(a) < key(b) ? -1 : 1));
        expect(clientActivitySpikes({ days, ...o })).toEqual(expected);
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});

describe('clientDaysFromFills', () => {
  const order = (o: Partial<FirmOrder> & Pick<FirmOrder, 'orderId' | 'fills'>): FirmOrder => ({
    account: 'ACC1',
    symbol: '0700.HK',
    side: 'buy',
    entered: null,
    enteredAtMs: Date.parse('2026-03-02T02:00:00Z'),
    channel: null,
    status: 'filled',
    versions: [],
    cancelled: null,
    filledAtMs: null,
    fromExecutionsOnly: false,
    records: [],
    ...o,
  });
  const fill = (execId: string, quantity: number, price: number, at: string | null) => ({
    execId,
    quantity,
    price,
    atMs: at === null ? null : Date.parse(at),
    recordId: `r-${execId}`,
  });

  it("sums each client's fills per UTC day, across the client's accounts", () => {
    const clients: Record<string, string> = { ACC1: 'alice', ACC2: 'alice', ACC3: 'bob' };
    const days = clientDaysFromFills(
      [
        order({
          orderId: 'O1',
          fills: [fill('E1', 100, 350, '2026-03-02T02:00:00Z'), fill('E2', 200, 351, '2026-03-02T23:59:59.999Z')],
        }),
        order({ orderId: 'O2', account: 'ACC2', fills: [fill('E3', 50, 10, '2026-03-03T00:00:00Z')] }),
        // No time on the fill: the day the order was entered.
        order({ orderId: 'O3', account: 'ACC3', fills: [fill('E4', 1000, 2.5, null)] }),
        order({ orderId: 'O4', account: 'UNKNOWN', fills: [fill('E5', 1, 1, null)] }),
        order({ orderId: 'O5', account: null, fills: [fill('E6', 1, 1, null)] }),
        order({ orderId: 'O6', fills: [] }),
      ],
      (account) => clients[account] ?? null,
    );
    expect(days).toEqual([
      { clientId: 'alice', date: '2026-03-02', value: 100 * 350 + 200 * 351, volume: 300 },
      { clientId: 'alice', date: '2026-03-03', value: 500, volume: 50 },
      { clientId: 'bob', date: '2026-03-02', value: 2500, volume: 1000 },
    ]);
  });
});

// ————— Low turnover —————

const ORDER_AT = Date.parse('2026-03-02T06:30:00Z');

/** `count` reference rows on the days before 2026-03-02, the latest last. */
function reference(symbol: string, count: number, turnover: (i: number) => number): TurnoverRow[] {
  return Array.from({ length: count }, (_, i) => ({
    symbol,
    date: new Date(ORDER_AT - (count - i) * DAY_MS).toISOString().slice(0, 10),
    turnover: turnover(i),
  }));
}

const anOrder = (o: Partial<TurnoverOrder> = {}): TurnoverOrder => ({
  orderId: 'O1',
  clientId: 'alice',
  symbol: '8001.HK',
  dateMs: ORDER_AT,
  value: 1_500_000,
  ...o,
});

const lowTurnover = (orders: TurnoverOrder[], turnover: TurnoverRow[]) =>
  lowTurnoverOrders({ orders, turnover, ...DEFAULT_LOW_TURNOVER });

describe('lowTurnoverOrders', () => {
  // A thin stock trading HK$8m and HK$12m on alternate days: a 20-day average of exactly HK$10m.
  const thin = reference('8001.HK', 20, (i) => (i % 2 === 0 ? 8_000_000 : 12_000_000));

  it("fires on an order of 15% of a thin stock's 20-day average", () => {
    expect(lowTurnover([anOrder()], thin)).toEqual([
      {
        orderId: 'O1',
        clientId: 'alice',
        symbol: '8001.HK',
        date: '2026-03-02',
        value: 1_500_000,
        averageTurnover: 10_000_000,
        share: 0.15,
        days: 20,
      },
    ]);
  });

  it('does not fire on 5%', () => {
    expect(lowTurnover([anOrder({ value: 500_000 })], thin)).toEqual([]);
  });

  it('fires at exactly minShare, and not just under it', () => {
    expect(lowTurnover([anOrder({ value: 1_000_000 })], thin).map((a) => a.share)).toEqual([0.1]);
    expect(lowTurnover([anOrder({ value: 999_999 })], thin)).toEqual([]);
  });

  it('never fires on a liquid stock, even for half its average', () => {
    const liquid = reference('0700.HK', 20, () => 50_000_000);
    expect(lowTurnover([anOrder({ symbol: '0700.HK', value: 25_000_000 })], liquid)).toEqual([]);
    // At the limit it is still thin.
    const edge = reference('0700.HK', 20, () => 20_000_000);
    expect(lowTurnover([anOrder({ symbol: '0700.HK', value: 10_000_000 })], edge).map((a) => a.share)).toEqual([0.5]);
  });

  it("uses no rows on or after the order's date, and only the latest lookbackDays before it", () => {
    const rows = [
      // Older than the lookback: a liquid past that must not dilute the average.
      ...reference('8001.HK', 30, () => 900_000_000).slice(0, 10),
      ...thin,
      { symbol: '8001.HK', date: '2026-03-02', turnover: 900_000_000 },
      { symbol: '8001.HK', date: '2026-03-03', turnover: 900_000_000 },
    ];
    // Late in the UTC day still counts as 2 March.
    const late = Date.parse('2026-03-02T23:59:59Z');
    expect(lowTurnover([anOrder({ dateMs: late })], rows)).toMatchObject([
      { date: '2026-03-02', averageTurnover: 10_000_000, share: 0.15, days: 20 },
    ]);
  });

  it('averages what there is when the reference is shorter than the lookback', () => {
    const short = reference('8001.HK', 3, (i) => [3_000_000, 4_000_000, 5_000_000][i]!);
    expect(lowTurnover([anOrder({ value: 600_000 })], short)).toEqual([
      expect.objectContaining({ averageTurnover: 4_000_000, share: 0.15, days: 3 }),
    ]);
  });

  it('says nothing without reference rows before the order', () => {
    expect(lowTurnover([anOrder()], [])).toEqual([]);
    expect(lowTurnover([anOrder({ symbol: '9999.HK' })], thin)).toEqual([]);
    const onlyLater = [{ symbol: '8001.HK', date: '2026-03-02', turnover: 1 }];
    expect(lowTurnover([anOrder()], onlyLater)).toEqual([]);
  });

  it('fires with share null on a stock that did not trade at all', () => {
    const dead = reference('8001.HK', 20, () => 0);
    expect(lowTurnover([anOrder({ value: 1 })], dead)).toMatchObject([{ averageTurnover: 0, share: null, days: 20 }]);
    expect(lowTurnover([anOrder({ value: 0 })], dead)).toEqual([]);
  });

  it('matches symbols trimmed and in any case, and sorts by date, symbol and order', () => {
    const later = Date.parse('2026-03-03T02:00:00Z');
    const alerts = lowTurnover(
      [
        anOrder({ orderId: 'O3', dateMs: later }),
        anOrder({ orderId: 'O2', symbol: ' 8001.hk' }),
        anOrder({ orderId: 'O1' }),
      ],
      thin,
    );
    expect(alerts.map((a) => [a.orderId, a.date, a.symbol])).toEqual([
      ['O2', '2026-03-02', ' 8001.hk'],
      ['O1', '2026-03-02', '8001.HK'],
      ['O3', '2026-03-03', '8001.HK'],
    ]);
  });

  it('refuses bad options and orders', () => {
    const error = refusal(() =>
      lowTurnoverOrders({
        orders: [anOrder({ dateMs: Number.NaN })],
        turnover: thin,
        lookbackDays: 0,
        minShare: 0,
        maxAverageTurnover: -1,
      }),
    );
    expect(error.problems.map((p) => p.where)).toEqual([
      'lookbackDays',
      'minShare',
      'maxAverageTurnover',
      'orders[0].dateMs',
    ]);
  });
});
