import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOrder, tickAt } from './checks.js';
import { type ExtractedOrder, OrderExtractor } from './extract.js';
import { parseInstrumentsCsv, SecurityMaster } from './instruments.js';
import { chineseNumber } from './tokens.js';

/** The project's own small master: enough names, nicknames, codes and lot sizes for every rule. */
const MASTER_CSV = `symbol,name,aliases,lot_size,currency,exchange
0005.HK,HSBC Holdings,HSBC|匯豐|汇丰|大笨象,400,HKD,XHKG
0388.HK,Hong Kong Exchanges and Clearing,HKEX|港交所,100,HKD,XHKG
0700.HK,Tencent Holdings,Tencent|騰訊|腾讯|鵝廠,100,HKD,XHKG
0857.HK,PetroChina,PetroChina|中石油,2000,HKD,XHKG
0941.HK,China Mobile,China Mobile|中移動|中移动|中移,500,HKD,XHKG
1299.HK,AIA Group,AIA|友邦,200,HKD,XHKG
1810.HK,Xiaomi Corporation,Xiaomi|小米,200,HKD,XHKG
3690.HK,Meituan,Meituan|美團|美团,100,HKD,XHKG
AAPL.US,Apple Inc.,AAPL|Apple|蘋果,1,USD,XNAS
T.US,AT&T Inc.,AT&T,1,USD,XNYS
NVDA.US,NVIDIA Corporation,NVDA|Nvidia|英偉達,1,USD,XNAS
`;

const master = new SecurityMaster(parseInstrumentsCsv(MASTER_CSV, 'master.csv'));
const extractor = new OrderExtractor(master);

/** The contract's fields only. */
function fields(text: string): Record<string, unknown>[] {
  return extractor.extract(text).map(({ spans: _s, confidence: _c, warnings: _w, ...rest }) => rest);
}

const newOrder = (
  side: 'buy' | 'sell',
  symbol: string,
  quantity: number,
  orderType: 'market' | 'limit' | 'unspecified',
  limitPrice: number | null,
  extra: Record<string, unknown> = {},
) => ({ action: 'new', side, symbol, quantity, orderType, limitPrice, ...extra });

describe('order extraction: English trader shorthand', () => {
  it.each([
    ['b 300 AAPL lmt 254.5', newOrder('buy', 'AAPL.US', 300, 'limit', 254.5)],
    ['s 2k 700 @ 620', newOrder('sell', '0700.HK', 2000, 'limit', 620)],
    ['S 10K 3690 MKT', newOrder('sell', '3690.HK', 10_000, 'market', null)],
    ['sell 2.5m 857 at mkt', newOrder('sell', '0857.HK', 2_500_000, 'market', null)],
    ['buy 1mm 857 @ 7.35', newOrder('buy', '0857.HK', 1_000_000, 'limit', 7.35)],
    ['bid for 10k 700 at 618', newOrder('buy', '0700.HK', 10_000, 'limit', 618)],
    ['offer 4k 1299 @ 74.35 GTC', newOrder('sell', '1299.HK', 4000, 'limit', 74.35, { timeInForce: 'gtc' })],
    ['Buy 100 NVDA @ 186 day order', newOrder('buy', 'NVDA.US', 100, 'limit', 186, { timeInForce: 'day' })],
    ['pay 618 for 10k 700', newOrder('buy', '0700.HK', 10_000, 'limit', 618)],
    ['hit the bid on 20k 5 at 65', newOrder('sell', '0005.HK', 20_000, 'limit', 65)],
    ['can you get me 5k meituan at 102 or better', newOrder('buy', '3690.HK', 5000, 'limit', 102)],
    ['Please buy 4,000 Xiaomi', newOrder('buy', '1810.HK', 4000, 'unspecified', null)],
    ['sell 3 lots HKEX at market', newOrder('sell', '0388.HK', 300, 'market', null)],
    ['Buy 1,000 0005.HK at 64.80', newOrder('buy', '0005.HK', 1000, 'limit', 64.8)],
    ['700 HK buy 2000 @ 620', newOrder('buy', '0700.HK', 2000, 'limit', 620)],
    ['00941 buy 5000 limit 86.45', newOrder('buy', '0941.HK', 5000, 'limit', 86.45)],
    ['Buy 10000 shares of Tencent at HK$618', newOrder('buy', '0700.HK', 10_000, 'limit', 618)],
    ['buy 100 Apple at $250.50', newOrder('buy', 'AAPL.US', 100, 'limit', 250.5)],
    ['Morning, could you buy 2 lots of AIA for me at 73.9?', newOrder('buy', '1299.HK', 400, 'limit', 73.9)],
    ['Sell 1,000 AAPL stop 240', newOrder('sell', 'AAPL.US', 1000, 'unspecified', null)],
  ])('%s', (text, order) => {
    expect(fields(text)).toEqual([order]);
  });
});

describe('order extraction: Chinese and Cantonese', () => {
  it.each([
    ['買 2手 騰訊 620', newOrder('buy', '0700.HK', 200, 'limit', 620)],
    ['入 1萬股 中移動 限價 86', newOrder('buy', '0941.HK', 10_000, 'limit', 86)],
    ['买入 腾讯 2万股', newOrder('buy', '0700.HK', 20_000, 'unspecified', null)],
    ['掃 4手 美團 104蚊', newOrder('buy', '3690.HK', 400, 'limit', 104)],
    ['沽 2000 股 中石油 7蚊8', newOrder('sell', '0857.HK', 2000, 'limit', 7.8)],
    ['沽 2000 股 中石油 7蚊半', newOrder('sell', '0857.HK', 2000, 'limit', 7.5)],
    ['放 3 手 700 17個86', newOrder('sell', '0700.HK', 300, 'limit', 17.86)],
    ['沽三手匯豐 市價', newOrder('sell', '0005.HK', 1200, 'market', null)],
    ['買兩手鵝廠 隨市', newOrder('buy', '0700.HK', 200, 'market', null)],
    ['帮我买 2000股 中移 57.35 挂单', newOrder('buy', '0941.HK', 2000, 'limit', 57.35)],
    ['沽 10手 大笨象 市價盤', newOrder('sell', '0005.HK', 4000, 'market', null)],
    ['可以幫我買2手騰訊嗎？', newOrder('buy', '0700.HK', 200, 'unspecified', null)],
    ['１０００股 小米 入 ４６．２', newOrder('buy', '1810.HK', 1000, 'limit', 46.2)],
  ])('%s', (text, order) => {
    expect(fields(text)).toEqual([order]);
  });

  it('reads mixtures of English and Chinese', () => {
    expect(fields('幫我 sell 200 股 Apple 市價')).toEqual([newOrder('sell', 'AAPL.US', 200, 'market', null)]);
    expect(fields('buy 3 lots 小米 at 46')).toEqual([newOrder('buy', '1810.HK', 600, 'limit', 46)]);
  });
});

describe('order extraction: several orders, lists, amendments, cancellations', () => {
  it('reads several orders in one message', () => {
    expect(fields('sell 300 NVDA mkt, buy 400 AAPL lmt 228.4')).toEqual([
      newOrder('sell', 'NVDA.US', 300, 'market', null),
      newOrder('buy', 'AAPL.US', 400, 'limit', 228.4),
    ]);
    expect(fields('買 3手 友邦 74，同時沽 2手 港交所 420')).toEqual([
      newOrder('buy', '1299.HK', 600, 'limit', 74),
      newOrder('sell', '0388.HK', 200, 'limit', 420),
    ]);
    expect(fields('b 2k 700 618 s 1k 5 65')).toEqual([
      newOrder('buy', '0700.HK', 2000, 'limit', 618),
      newOrder('sell', '0005.HK', 1000, 'limit', 65),
    ]);
    // The side carries over a list: "and 200 NVDA" sells too.
    expect(fields('sell 300 AAPL and 200 NVDA at market')).toEqual([
      newOrder('sell', 'AAPL.US', 300, 'unspecified', null),
      newOrder('sell', 'NVDA.US', 200, 'market', null),
    ]);
  });

  it('reads lists over several lines', () => {
    expect(fields('Orders for today:\n1) buy 2k 1810 @46.5\n2) sell 1k 388 mkt\n- buy 500 NVDA 186.5')).toEqual([
      newOrder('buy', '1810.HK', 2000, 'limit', 46.5),
      newOrder('sell', '0388.HK', 1000, 'market', null),
      newOrder('buy', 'NVDA.US', 500, 'limit', 186.5),
    ]);
    expect(fields('Buy:\n700 10k @618\n5 20k @65')).toEqual([
      newOrder('buy', '0700.HK', 10_000, 'limit', 618),
      newOrder('buy', '0005.HK', 20_000, 'limit', 65),
    ]);
  });

  it.each([
    ['amend the HSBC order qty to 8000', { action: 'amend', symbol: '0005.HK', quantity: 8000 }],
    ['change my 700 to 622', { action: 'amend', symbol: '0700.HK', orderType: 'limit', limitPrice: 622 }],
    [
      'AIA order: change price to 74.6 and qty to 3 lots',
      { action: 'amend', symbol: '1299.HK', quantity: 600, orderType: 'limit', limitPrice: 74.6 },
    ],
    [
      'please switch my Xiaomi order to a market order',
      { action: 'amend', symbol: '1810.HK', orderType: 'market', limitPrice: null },
    ],
    ['Please make my NVDA buy 800 shares instead', { action: 'amend', side: 'buy', symbol: 'NVDA.US', quantity: 800 }],
    ['reduce my 700 order to 5k', { action: 'amend', symbol: '0700.HK', quantity: 5000 }],
    ['改價 騰訊 623.5', { action: 'amend', symbol: '0700.HK', orderType: 'limit', limitPrice: 623.5 }],
    ['幫我將騰訊嘅單改成 625', { action: 'amend', symbol: '0700.HK', orderType: 'limit', limitPrice: 625 }],
    ['cancel the AAPL buy', { action: 'cancel', side: 'buy', symbol: 'AAPL.US' }],
    ['cxl my 700 order', { action: 'cancel', symbol: '0700.HK' }],
    ['Please pull my Xiaomi bid', { action: 'cancel', side: 'buy', symbol: '1810.HK' }],
    ['撤销美团的卖单', { action: 'cancel', side: 'sell', symbol: '3690.HK' }],
    ['唔要 小米 嗰張單喇', { action: 'cancel', symbol: '1810.HK' }],
  ])('%s', (text, order) => {
    expect(fields(text)).toEqual([order]);
  });
});

describe('order extraction: what is not an order', () => {
  it.each([
    // Price inquiries and questions.
    "where's 700 trading?",
    '700 而家幾錢?',
    '腾讯现在多少钱？',
    'should I buy 700 now or wait?',
    'is it a good time to sell HSBC?',
    'What price did I buy 700 at?',
    // Commentary, targets, advice.
    'We like 700 into results, TP 720.',
    'AAPL looks toppy here, maybe trim later?',
    '建議你買 2手 騰訊',
    'You should buy some 700',
    'add Xiaomi and Meituan to my watchlist',
    // Reports of past trades and fill confirmations.
    'I bought 10k 700 yesterday, just FYI',
    'my sister sold her HSBC last month',
    'done 10k 700 @618',
    'Filled: sold 4,000 HSBC @ 109.3, contract note to follow.',
    '已成交 2手 騰訊 @620',
    '買咗 1手 騰訊 喇',
    '昨天已经卖了小米',
    // Conditionals.
    'if 700 drops to 580 I might buy some',
    '如果騰訊跌到 600 就買 2手',
    // Greetings, phone numbers, dates, other numbers, money movements.
    'Good morning! Happy Friday 😊',
    'my number is 9123 4567, whatsapp me',
    "I'm flying to Tokyo on 7/10, back the 15th",
    'missed the 700 bus again lol, running 10 min late',
    'please transfer HKD 50,000 to my account',
    'Please update my mailing address to Flat 7, 23/F, 88 Queen Road',
    '請問入金去邊個戶口?',
    'HSI down 300 pts, ouch',
    // Everyday words that are also tickers or sides.
    'I will be at the office at 9',
    "plan b: let's meet at 5",
    'Buy low sell high haha',
  ])('%s', (text) => {
    expect(fields(text)).toEqual([]);
  });
});

describe('order extraction: spans, confidence, warnings', () => {
  it('gives the span each field was read from', () => {
    const text = 'pls sell 20k 5 @ 65.25 gtc';
    const [order] = extractor.extract(text) as [ExtractedOrder];
    const at = (field: keyof ExtractedOrder['spans']) => {
      const span = order.spans[field]!;
      return text.slice(span[0], span[1]);
    };
    expect(at('action')).toBe('sell');
    expect(at('side')).toBe('sell');
    expect(at('quantity')).toBe('20k');
    expect(at('symbol')).toBe('5');
    expect(at('limitPrice')).toBe('65.25');
    expect(at('timeInForce')).toBe('gtc');
    expect(order.confidence).toBeGreaterThan(0);
    expect(order.confidence).toBeLessThanOrEqual(1);
  });

  it('is surer of a complete, explicit order than of one read from bare numbers', () => {
    const [explicit] = extractor.extract('buy 10k Tencent @ 618') as [ExtractedOrder];
    const [bare] = extractor.extract('buy 1000 700 618') as [ExtractedOrder];
    expect(explicit.confidence).toBeGreaterThan(bare.confidence);
  });

  it('warns of odd lots, prices off the tick ladder, and prices far from the reference', () => {
    const withReference = new OrderExtractor(master, { referencePrices: new Map([['0700.HK', 620]]) });
    const [order] = withReference.extract('buy 250 700 @ 700.3') as [ExtractedOrder];
    expect(order.quantity).toBe(250);
    expect(order.warnings.map((w) => w.code)).toEqual(['odd_lot', 'off_tick', 'far_from_reference']);
    const [clean] = withReference.extract('buy 300 700 @ 618.5') as [ExtractedOrder];
    expect(clean.warnings).toEqual([]);
  });

  it('follows the HKEX spread table and US cent ticks', () => {
    expect(tickAt('XHKG', 0.2)).toBe(0.001);
    expect(tickAt('XHKG', 7.68)).toBe(0.01);
    expect(tickAt('XHKG', 15)).toBe(0.01);
    expect(tickAt('XHKG', 26.46)).toBe(0.02);
    expect(tickAt('XHKG', 74.35)).toBe(0.05);
    expect(tickAt('XHKG', 618)).toBe(0.5);
    expect(tickAt('XNAS', 254.5)).toBe(0.01);
    expect(tickAt('XNAS', 0.5)).toBe(0.0001);
    const instrument = master.bySymbol('0005.HK')!;
    const order = { action: 'new', symbol: '0005.HK', quantity: 400, limitPrice: 65.23 } as ExtractedOrder;
    expect(checkOrder(order, instrument).map((w) => w.code)).toEqual(['off_tick']);
  });
});

describe('the security master', () => {
  it('derives the code variants clients write', () => {
    for (const text of ['buy 100 700', 'buy 100 0700', 'buy 100 00700', 'buy 100 700 HK', 'buy 100 700.HK']) {
      expect(fields(text)[0]?.symbol, text).toBe('0700.HK');
    }
    expect(fields('buy 10 AAPL.US')[0]?.symbol).toBe('AAPL.US');
  });

  it('reads a short ticker that is an everyday word only in capitals', () => {
    expect(fields('buy 100 T at 27.5')).toEqual([newOrder('buy', 'T.US', 100, 'limit', 27.5)]);
    expect(fields('buy 100 t at 27.5')).toEqual([]);
  });

  it('refuses a bad master with the line and column of each problem', () => {
    expect(() => parseInstrumentsCsv('symbol,name\n', 'm.csv')).toThrow(/line 1 must be the header/);
    const bad = `${MASTER_CSV.split('\n')[0]}\n0700.HK,Tencent,,100,HKD,XHKG\n0700.HK,Again,,abc,HK,X\n`;
    expect(() => parseInstrumentsCsv(bad, 'm.csv')).toThrow(
      /line 3\.symbol: repeats 0700\.HK from line 2[\s\S]*line 3\.lot_size[\s\S]*line 3\.currency[\s\S]*line 3\.exchange/,
    );
  });
});

describe('Chinese numerals', () => {
  it.each([
    ['三', 3],
    ['兩', 2],
    ['十五', 15],
    ['二十', 20],
    ['兩千', 2000],
    ['一萬五千', 15_000],
  ])('%s is %d', (text, value) => {
    expect(chineseNumber(text)).toBe(value);
  });
  it('refuses what is not a number', () => {
    expect(chineseNumber('三三')).toBeNull();
    expect(chineseNumber('零')).toBeNull();
  });
});

describe('hostile text', () => {
  it('never throws and reads spans inside the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.stringMatching(/^(?:buy|sell|買|沽|cancel|改|[0-9]{1,6}|[kK手股蚊@.,]| |騰訊|HSBC|\n|\?)*$/),
        ),
        (text) => {
          for (const order of extractor.extract(text)) {
            for (const [start, end] of Object.values(order.spans)) {
              expect(0 <= start && start <= end && end <= text.length).toBe(true);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads a long message in linear time', () => {
    const text = 'call me later, '.repeat(4000);
    const started = performance.now();
    expect(extractor.extract(`${text} buy 10k 700 @618`)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
