/**
 * `steno orders extract` as a child process (it needs no data directory), and extraction scored on the
 * labelled corpus in ../shared/corpus/orders when it is there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderExtractor } from '../src/surveil/orders/extract.js';
import { parseInstrumentsCsv, SecurityMaster } from '../src/surveil/orders/instruments.js';
import { type GoldOrder, matchMessage, score } from '../src/surveil/orders/score.js';
import { jsonLines, runSteno } from './support/cli.js';

const MASTER = `symbol,name,aliases,lot_size,currency,exchange
0005.HK,HSBC Holdings,HSBC|匯豐,400,HKD,XHKG
0700.HK,Tencent Holdings,Tencent|騰訊,100,HKD,XHKG
AAPL.US,Apple Inc.,AAPL|Apple,1,USD,XNAS
`;

type Answer = { id: string | number | null; orders: Record<string, unknown>[]; error?: string };

describe('steno orders extract', () => {
  let dir: string;
  let master: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steno-orders-'));
    master = join(dir, 'instruments.csv');
    await writeFile(master, MASTER);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  // No STENO_DATA and a working directory of its own: the command must not need or make a data directory.
  const extract = (input: string, ...args: string[]) =>
    runSteno(['orders', 'extract', '--instruments', master, ...args], { STENO_DATA: join(dir, 'absent') }, input);

  it('answers each {"id","text"} line, in order, with the orders it gives', async () => {
    const input = [
      { id: 'm1', text: 'buy 10k 700 @618' },
      { id: 2, text: 'how is the market today?' },
      { id: 'm3', text: '沽 3手 匯豐 65.25，同時買 100 Apple 市價' },
    ]
      .map((m) => JSON.stringify(m))
      .join('\n');
    const result = await extract(`${input}\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answers = jsonLines<Answer>(result.stdout);
    expect(answers.map((a) => a.id)).toEqual(['m1', 2, 'm3']);
    expect(answers[0]!.orders).toEqual([
      expect.objectContaining({
        action: 'new',
        side: 'buy',
        symbol: '0700.HK',
        quantity: 10_000,
        orderType: 'limit',
        limitPrice: 618,
        spans: expect.objectContaining({ symbol: [8, 11] }),
      }),
    ]);
    expect(answers[1]!.orders).toEqual([]);
    expect(answers[2]!.orders.map((o) => [o.side, o.symbol, o.quantity, o.orderType, o.limitPrice])).toEqual([
      ['sell', '0005.HK', 1200, 'limit', 65.25],
      ['buy', 'AAPL.US', 100, 'market', null],
    ]);
    expect(await readdir(dir)).toEqual(['instruments.csv']);
  });

  it('reports a bad line by number, answers it with an error, goes on, and exits 1', async () => {
    const result = await extract(
      [
        '{"id":"a","text":"sell 400 HSBC at 65"}',
        'not json',
        '{"id":"c"}',
        '[1]',
        '{"id":"e","text":"buy 1 AAPL"}',
      ].join('\n'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 2: not valid JSON/);
    expect(result.stderr).toMatch(/line 3: "text" must be a string/);
    expect(result.stderr).toMatch(/line 4: not a JSON object/);
    const answers = jsonLines<Answer>(result.stdout);
    expect(answers.map((a) => [a.id, a.orders.length, a.error !== undefined])).toEqual([
      ['a', 1, false],
      [null, 0, true],
      ['c', 0, true],
      [null, 0, true],
      ['e', 1, false],
    ]);
  });

  it('refuses an oversized message rather than reading it', async () => {
    const result = await extract(JSON.stringify({ id: 'big', text: `buy 100 AAPL ${'x'.repeat(70_000)}` }));
    expect(result.code).toBe(1);
    expect(jsonLines<Answer>(result.stdout)).toEqual([
      { id: 'big', orders: [], error: '"text" is longer than 65536 characters' },
    ]);
  });

  it('flags prices far from reference prices when given them', async () => {
    const prices = join(dir, 'prices.csv');
    await writeFile(prices, 'symbol,price\n0700.HK,620\n');
    const result = await extract('{"id":1,"text":"buy 100 700 at 800"}\n', '--reference-prices', prices);
    const [answer] = jsonLines<Answer>(result.stdout);
    expect(answer!.orders[0]!.warnings).toEqual([expect.objectContaining({ code: 'far_from_reference' })]);
  });

  it('refuses usage mistakes and a bad security master, saying what to give and where', async () => {
    const noMaster = await runSteno(['orders', 'extract'], {}, '');
    expect(noMaster.code).toBe(2);
    expect(noMaster.stderr).toMatch(/give --instruments FILE\.csv/);
    const unknown = await runSteno(['orders', 'parse', '--instruments', master], {}, '');
    expect(unknown.code).toBe(2);
    const missing = await runSteno(['orders', 'extract', '--instruments', join(dir, 'nope.csv')], {}, '');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.csv/);
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, `${MASTER}9988.HK,Alibaba,,lots,HKD,XHKG\n`);
    const badMaster = await runSteno(['orders', 'extract', '--instruments', bad], {}, '');
    expect(badMaster.code).toBe(1);
    expect(badMaster.stderr).toMatch(/line 5\.lot_size: "lots" is not a whole number of shares/);
    const deviation = await extract('', '--max-deviation', 'lots');
    expect(deviation.code).toBe(2);
  });

  it('refuses a bad reference price file, naming the line', async () => {
    const prices = join(dir, 'bad-prices.csv');
    for (const [text, message] of [
      ['price,symbol\n', /line 1 must be the header symbol,price/],
      ['symbol,price\n0700.HK,620\n9999.HK,100\n', /line 3: 9999\.HK is not in the security master/],
      ['symbol,price\n0700.HK,-5\n', /line 2: the price must be a number above 0/],
    ] as const) {
      await writeFile(prices, text);
      const result = await extract('{"id":1,"text":"buy 100 700 at 620"}\n', '--reference-prices', prices);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
  });
});

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'orders');
const haveCorpus = existsSync(join(CORPUS, 'dev.jsonl')) && existsSync(join(CORPUS, 'instruments.csv'));

describe.skipIf(!haveCorpus)('order extraction on the labelled corpus (../shared/corpus/orders)', () => {
  it('scores F1 of at least 0.97 on the dev set', () => {
    const csv = join(CORPUS, 'instruments.csv');
    const extractor = new OrderExtractor(new SecurityMaster(parseInstrumentsCsv(readFileSync(csv, 'utf8'), csv)));
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const line of readFileSync(join(CORPUS, 'dev.jsonl'), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const item = JSON.parse(line) as { text: string; orders: GoldOrder[] };
      const m = matchMessage(item.orders, extractor.extract(item.text) as unknown as Record<string, unknown>[]);
      tp += m.matched;
      fp += m.unmatchedPredictions.length;
      fn += m.missedGold.length;
    }
    expect(tp).toBeGreaterThan(0);
    expect(score(tp, fp, fn).f1).toBeGreaterThanOrEqual(0.97);
  });
});

if (!haveCorpus) console.warn(`skipping the corpus score: ${CORPUS} is not there`);
