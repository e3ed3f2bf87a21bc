import { describe, expect, it } from 'vitest';
import {
  acknowledgementBody,
  acknowledgementText,
  displayName,
  formatPrice,
  isStenoConfirmation,
  messageLanguage,
  type OrderTerms,
} from './acknowledge.js';
import { OrderExtractor } from './extract.js';
import { parseInstrumentsCsv, SecurityMaster } from './instruments.js';

const master = new SecurityMaster(
  parseInstrumentsCsv(
    `symbol,name,aliases,lot_size,currency,exchange
0700.HK,Tencent Holdings,Tencent|騰訊|腾讯,100,HKD,XHKG
0005.HK,HSBC Holdings,HSBC|匯豐|汇丰,400,HKD,XHKG
0001.HK,CK Hutchison Holdings,,500,HKD,XHKG
AAPL.US,Apple Inc.,AAPL|Apple|蘋果|苹果,1,USD,XNAS
`,
    'test.csv',
  ),
);
const tencent = master.bySymbol('0700.HK')!;
const apple = master.bySymbol('AAPL.US')!;

describe('messageLanguage', () => {
  it('answers in English unless the client wrote Chinese beyond the names of instruments', () => {
    expect(messageLanguage('buy 10k 700 @352')).toBe('en');
    expect(messageLanguage('buy 10k 騰訊 @352', [[8, 10]])).toBe('en');
    expect(messageLanguage('幫我買騰訊 100手')).toBe('zh-Hant');
    expect(messageLanguage('帮我买腾讯 100手')).toBe('zh-Hans');
    expect(messageLanguage('buy 10k 700 @352 唔該')).toBe('zh-Hant');
  });
});

describe('acknowledgementText', () => {
  const order: OrderTerms = {
    action: 'new',
    side: 'buy',
    symbol: '0700.HK',
    quantity: 10_000,
    orderType: 'limit',
    limitPrice: 352,
  };

  it('repeats a new order in the words of the SFC example, as a day order when no time in force is given', () => {
    expect(acknowledgementText(order, tencent, 'en')).toBe(
      'Received: BUY 10,000 0700.HK (Tencent) limit HKD 352.00, day order. Reply YES to confirm.',
    );
    expect(acknowledgementText(order, tencent, 'zh-Hant')).toBe(
      '已收到：買入 0700.HK（騰訊）10,000 股，限價 HKD 352.00，即日有效。請回覆 YES 確認。',
    );
    expect(acknowledgementText(order, tencent, 'zh-Hans')).toBe(
      '已收到：买入 0700.HK（腾讯）10,000 股，限价 HKD 352.00，当日有效。请回复 YES 确认。',
    );
  });

  it('says market, good till cancelled, and what is missing, never guessing', () => {
    expect(
      acknowledgementText(
        { action: 'new', side: 'sell', symbol: 'AAPL.US', quantity: 300, orderType: 'market', timeInForce: 'gtc' },
        apple,
        'en',
      ),
    ).toBe('Received: SELL 300 AAPL.US (Apple) at market, good till cancelled. Reply YES to confirm.');
    expect(
      acknowledgementText({ action: 'new', side: 'buy', symbol: '0700.HK', orderType: 'unspecified' }, tencent, 'en'),
    ).toBe('Received: BUY quantity not given 0700.HK (Tencent) price not given, day order. Reply YES to confirm.');
    expect(
      acknowledgementText(
        { action: 'new', side: 'buy', symbol: '0700.HK', orderType: 'unspecified' },
        tencent,
        'zh-Hant',
      ),
    ).toContain('未指定數量，未指定價格');
  });

  it('repeats amendments and cancellations with only what they state', () => {
    expect(
      acknowledgementText({ action: 'amend', symbol: '0700.HK', orderType: 'limit', limitPrice: 350 }, tencent, 'en'),
    ).toBe('Received: AMEND order 0700.HK (Tencent) to limit HKD 350.00. Reply YES to confirm.');
    expect(
      acknowledgementText({ action: 'amend', side: 'buy', symbol: '0700.HK', quantity: 5000 }, tencent, 'zh-Hant'),
    ).toBe('已收到：更改 0700.HK（騰訊）買入指示為 5,000 股。請回覆 YES 確認。');
    expect(acknowledgementText({ action: 'cancel', side: 'sell', symbol: 'AAPL.US' }, apple, 'en')).toBe(
      'Received: CANCEL SELL order AAPL.US (Apple). Reply YES to confirm.',
    );
    expect(acknowledgementText({ action: 'cancel', symbol: '0700.HK' }, tencent, 'zh-Hans')).toBe(
      '已收到：取消 0700.HK（腾讯）指示。请回复 YES 确认。',
    );
  });

  it('names an instrument by its first alias that is not its ticker, else its name; and without a master, by symbol', () => {
    expect(displayName(master.bySymbol('0005.HK')!, 'en')).toBe('HSBC');
    expect(displayName(master.bySymbol('0001.HK')!, 'en')).toBe('CK Hutchison Holdings');
    expect(displayName(master.bySymbol('0001.HK')!, 'zh-Hant')).toBe('CK Hutchison Holdings');
    expect(acknowledgementText(order, undefined, 'en')).toBe(
      'Received: BUY 10,000 0700.HK limit 352.00, day order. Reply YES to confirm.',
    );
  });

  it('writes prices with at least two decimals and no more than the price has', () => {
    expect(formatPrice(352)).toBe('352.00');
    expect(formatPrice(0.184)).toBe('0.184');
    expect(formatPrice(1234.5)).toBe('1,234.50');
  });
});

describe('acknowledgementBody', () => {
  it('finds the order a confirmation repeats, in English or Chinese, and nothing in other messages', () => {
    expect(acknowledgementBody('Received: BUY 10,000 0700.HK limit HKD 352.00, day order. Reply YES to confirm.')).toBe(
      'BUY 10,000 0700.HK limit HKD 352.00, day order.',
    );
    expect(acknowledgementBody('已收到：買入 0700.HK 100 股。請回覆 YES 確認。')).toBe('買入 0700.HK 100 股。');
    expect(acknowledgementBody('Noted: buy 2,000 HSBC at market')).toBe('buy 2,000 HSBC at market');
    expect(acknowledgementBody('收到，幫你買 騰訊 100手')).toBe('幫你買 騰訊 100手');
    expect(acknowledgementBody('received the documents, thanks')).toBeNull();
    expect(acknowledgementBody('buy 10k 700 @352')).toBeNull();
  });

  it("tells Steno's own wording from a client who happens to start with the same word", () => {
    expect(isStenoConfirmation(acknowledgementText({ action: 'cancel', symbol: '0700.HK' }, tencent, 'en'))).toBe(true);
    expect(isStenoConfirmation(acknowledgementText({ action: 'cancel', symbol: '0700.HK' }, tencent, 'zh-Hant'))).toBe(
      true,
    );
    expect(isStenoConfirmation('收到，幫我買 騰訊 100手')).toBe(false);
  });

  it('reads back, with the extractor, the same order each generated confirmation repeats', () => {
    const extractor = new OrderExtractor(master);
    const orders: OrderTerms[] = [
      { action: 'new', side: 'buy', symbol: '0700.HK', quantity: 10_000, orderType: 'limit', limitPrice: 352 },
      { action: 'new', side: 'sell', symbol: 'AAPL.US', quantity: 300, orderType: 'market' },
      { action: 'new', side: 'sell', symbol: '0005.HK', quantity: 2000, orderType: 'limit', limitPrice: 65.25 },
    ];
    for (const language of ['en', 'zh-Hant', 'zh-Hans'] as const) {
      for (const order of orders) {
        const text = acknowledgementText(order, master.bySymbol(order.symbol), language);
        const [read, ...more] = extractor.extract(acknowledgementBody(text)!);
        expect(more, text).toEqual([]);
        expect(read, text).toMatchObject({
          action: order.action,
          side: order.side,
          symbol: order.symbol,
          quantity: order.quantity,
          orderType: order.orderType,
          ...(order.limitPrice === undefined ? {} : { limitPrice: order.limitPrice }),
        });
      }
    }
  });
});
