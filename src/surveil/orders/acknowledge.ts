/**
 * Acknowledgements (SFC circular, footnote 7: confirm an order by repeating it to the client). The text
 * is generated from the parsed order in the language the client wrote in, and a confirmation staff send
 * later is recognised by its opening ("Received:", "已收到") so it can be linked to the order it repeats
 * and is never read as a new order itself. Pure: no I/O.
 */
import type { OrderAction, OrderType } from './extract.js';
import type { Instrument } from './instruments.js';
import type { Side, TimeInForce } from './lexicon.js';

/** English, Traditional Chinese, Simplified Chinese. */
export type AckLanguage = 'en' | 'zh-Hant' | 'zh-Hans';

/** What an acknowledgement repeats: the fields of an order as extracted or stored. */
export interface OrderTerms {
  action: OrderAction;
  side?: Side | null;
  symbol: string;
  quantity?: number | null;
  orderType?: OrderType | null;
  limitPrice?: number | null;
  timeInForce?: TimeInForce | null;
}

const HAN = /\p{Script=Han}/u;
/**
 * Characters written only in Simplified Chinese that trading chat uses often: one of them makes a
 * message Simplified. A message with none is answered in Traditional, as Hong Kong clients write.
 */
const SIMPLIFIED_ONLY =
  /[买卖价万单时间请确认这个们为对会发过还进钱银东车长门见电话帮给让说么没听经涨跌仓盘额点腾讯汇丰苹国动华联药业龙远阳乐广兴证资产农]/u;

/**
 * The language to answer a message in: Chinese when the client wrote any Chinese apart from the names of
 * the instruments (`buy 騰訊 10k` is an English message naming a stock in Chinese), else English.
 * `names` are the spans of instrument names, left out of the test.
 */
export function messageLanguage(text: string, names: readonly (readonly [number, number])[] = []): AckLanguage {
  let rest = text;
  for (const [start, end] of [...names].sort((a, b) => b[0] - a[0])) {
    rest = `${rest.slice(0, start)} ${rest.slice(end)}`;
  }
  if (!HAN.test(rest)) return 'en';
  return SIMPLIFIED_ONLY.test(rest) ? 'zh-Hans' : 'zh-Hant';
}

interface Phrases {
  opening: string;
  closing: string;
  side: Record<Side, string>;
  market: string;
  noPrice: string;
  noQuantity: string;
  limit: (price: string) => string;
  tif: Record<TimeInForce, string>;
  newOrder: (p: { side: string; quantity: string; instrument: string; price: string; tif: string }) => string;
  amend: (p: { side: string; instrument: string; changes: string[] }) => string;
  cancel: (p: { side: string; instrument: string }) => string;
}

const shares = (n: number) => COUNT.format(n);

const PHRASES: Record<AckLanguage, Phrases> = {
  en: {
    opening: 'Received: ',
    closing: ' Reply YES to confirm.',
    side: { buy: 'BUY', sell: 'SELL' },
    market: 'at market',
    noPrice: 'price not given',
    noQuantity: 'quantity not given',
    limit: (price) => `limit ${price}`,
    tif: { day: 'day order', gtc: 'good till cancelled', ioc: 'immediate or cancel', fok: 'fill or kill' },
    newOrder: (p) => `${p.side} ${p.quantity} ${p.instrument} ${p.price}, ${p.tif}.`,
    amend: (p) =>
      `AMEND ${p.side === '' ? '' : `${p.side} `}order ${p.instrument}${p.changes.length === 0 ? '' : ` to ${p.changes.join(', ')}`}.`,
    cancel: (p) => `CANCEL ${p.side === '' ? '' : `${p.side} `}order ${p.instrument}.`,
  },
  'zh-Hant': {
    opening: '已收到：',
    closing: '請回覆 YES 確認。',
    side: { buy: '買入', sell: '賣出' },
    market: '市價',
    noPrice: '未指定價格',
    noQuantity: '未指定數量',
    limit: (price) => `限價 ${price}`,
    tif: { day: '即日有效', gtc: '直至取消', ioc: '即時成交否則取消', fok: '全數成交否則取消' },
    newOrder: (p) => `${p.side} ${p.instrument}${p.quantity}，${p.price}，${p.tif}。`,
    amend: (p) => `更改 ${p.instrument}${p.side}指示${p.changes.length === 0 ? '' : `為 ${p.changes.join('，')}`}。`,
    cancel: (p) => `取消 ${p.instrument}${p.side}指示。`,
  },
  'zh-Hans': {
    opening: '已收到：',
    closing: '请回复 YES 确认。',
    side: { buy: '买入', sell: '卖出' },
    market: '市价',
    noPrice: '未指定价格',
    noQuantity: '未指定数量',
    limit: (price) => `限价 ${price}`,
    tif: { day: '当日有效', gtc: '直至取消', ioc: '即时成交否则取消', fok: '全数成交否则取消' },
    newOrder: (p) => `${p.side} ${p.instrument}${p.quantity}，${p.price}，${p.tif}。`,
    amend: (p) => `更改 ${p.instrument}${p.side}指示${p.changes.length === 0 ? '' : `为 ${p.changes.join('，')}`}。`,
    cancel: (p) => `取消 ${p.instrument}${p.side}指示。`,
  },
};

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const PRICE = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });

/** 352 → "352.00", 0.184 → "0.184", 1234.5 → "1,234.50". */
export function formatPrice(price: number): string {
  return PRICE.format(price);
}

/**
 * The confirmation staff send back for one order, e.g. "Received: BUY 10,000 0700.HK (Tencent) limit
 * HKD 352.00, day order. Reply YES to confirm." An order without a time in force is a day order (the
 * market's default); a missing quantity or price is said to be missing, never guessed.
 */
export function acknowledgementText(
  order: OrderTerms,
  instrument: Instrument | undefined,
  language: AckLanguage,
): string {
  const p = PHRASES[language];
  const name = instrument === undefined ? null : displayName(instrument, language);
  const instrumentText =
    name === null ? order.symbol : language === 'en' ? `${order.symbol} (${name})` : `${order.symbol}（${name}）`;
  const currency = instrument === undefined ? '' : `${instrument.currency} `;
  const side = order.side === undefined || order.side === null ? '' : p.side[order.side];
  const quantityText = (q: number) => (language === 'en' ? shares(q) : `${shares(q)} 股`);
  const priceText = () => {
    if (order.orderType === 'market') return p.market;
    if (typeof order.limitPrice === 'number') return p.limit(`${currency}${formatPrice(order.limitPrice)}`);
    return p.noPrice;
  };
  let body: string;
  if (order.action === 'new') {
    body = p.newOrder({
      side,
      quantity: typeof order.quantity === 'number' ? quantityText(order.quantity) : p.noQuantity,
      instrument: instrumentText,
      price: priceText(),
      tif: p.tif[order.timeInForce ?? 'day'],
    });
  } else if (order.action === 'amend') {
    const changes: string[] = [];
    if (typeof order.quantity === 'number')
      changes.push(language === 'en' ? `${shares(order.quantity)} shares` : quantityText(order.quantity));
    if (order.orderType === 'market' || typeof order.limitPrice === 'number') changes.push(priceText());
    if (order.timeInForce !== undefined && order.timeInForce !== null) changes.push(p.tif[order.timeInForce]);
    body = p.amend({ side, instrument: instrumentText, changes });
  } else {
    body = p.cancel({ side, instrument: instrumentText });
  }
  return `${p.opening}${body}${p.closing}`;
}

/**
 * The name a client knows the instrument by: in English the first alias that is not its ticker
 * (`Tencent`, `Apple`), else its name; in Chinese its first Chinese alias in that script, else any.
 */
export function displayName(instrument: Instrument, language: AckLanguage): string {
  if (language === 'en') {
    const ticker = instrument.symbol.replace(/\.[A-Z]{2}$/, '');
    return instrument.aliases.find((a) => /^[\x20-\x7e]+$/.test(a) && a !== ticker) ?? instrument.name;
  }
  const chinese = instrument.aliases.filter((a) => HAN.test(a));
  const inScript = chinese.find((a) => SIMPLIFIED_ONLY.test(a) === (language === 'zh-Hans'));
  return inScript ?? chinese[0] ?? displayName(instrument, 'en');
}

/** How confirmations open: Steno's own ("Received:", "已收到：") and the words staff type themselves. */
const OPENINGS =
  /^\s*(?:received|noted|confirmed|acknowledged|已收到|收到|已確認|已确认|已記錄|已记录)\s*[:：,，\-–—]\s*/i;
const CLOSINGS = /\s*(?:reply\s+yes\s+to\s+confirm\.?|請回覆\s*yes\s*確認。?|请回复\s*yes\s*确认。?)\s*$/i;

/**
 * A confirmation: the order it repeats (the text between the opening and "Reply YES to confirm"), or
 * null when the message is not one. Read with the same extractor as any order. Only messages the firm
 * sent are confirmations: a client's "收到，幫我買…" is an order.
 */
export function acknowledgementBody(text: string): string | null {
  const opening = OPENINGS.exec(text);
  if (opening === null) return null;
  return text.slice(opening[0].length).replace(CLOSINGS, '');
}

/** Whether a message is a confirmation in Steno's own words (opening and closing), whoever sent it. */
export function isStenoConfirmation(text: string): boolean {
  return OPENINGS.test(text) && CLOSINGS.test(text);
}
