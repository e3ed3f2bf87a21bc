/**
 * Question: how many messages a second does order extraction read on one core (no I/O, the extractor
 * alone), against one regex scan of the same messages as the baseline?
 * The mix: four in five are synthetic chat dense with trading words (buy, sell, price, 騰訊…), the
 * worst case for the first look that lets ordinary chat through cheaply; one in five is an order in
 * English, Chinese or both.
 */
import { OrderExtractor } from '../src/surveil/orders/extract.js';
import { type Instrument, SecurityMaster } from '../src/surveil/orders/instruments.js';
import { messageText, Rng } from './support/corpus.js';

export const INSTRUMENTS: Instrument[] = [
  ['0005.HK', 'HSBC Holdings', 'HSBC|匯豐|汇丰|大笨象', 400],
  ['0388.HK', 'Hong Kong Exchanges and Clearing', 'HKEX|港交所', 100],
  ['0700.HK', 'Tencent Holdings', 'Tencent|騰訊|腾讯|鵝廠', 100],
  ['0941.HK', 'China Mobile', 'China Mobile|中移動|中移动', 500],
  ['1299.HK', 'AIA Group', 'AIA|友邦', 200],
  ['1810.HK', 'Xiaomi Corporation', 'Xiaomi|小米', 200],
  ['2318.HK', 'Ping An Insurance', 'Ping An|平安|中國平安', 500],
  ['3690.HK', 'Meituan', 'Meituan|美團|美团', 100],
  ['9988.HK', 'Alibaba Group', 'Alibaba|阿里|阿里巴巴', 100],
].map(([symbol, name, aliases, lot]) => ({
  symbol: symbol as string,
  name: name as string,
  aliases: (aliases as string).split('|'),
  lotSize: lot as number,
  currency: 'HKD',
  exchange: 'XHKG',
}));

const ORDERS = [
  (q: number, p: number) => `buy ${q}k 700 @${p}`,
  (q: number, p: number) => `pls sell ${q * 400} HSBC at ${p / 10}, thanks`,
  (q: number, p: number) => `幫我買 ${q}手 騰訊 ${p}`,
  (q: number) => `沽 ${q}手 小米 市價`,
  (q: number, p: number) => `Morning, could you buy ${q} lots of AIA for me at ${p / 10}?`,
  (q: number, p: number) => `入 ${q}萬股 中移動 限價 ${p / 10}`,
  () => 'cxl my 700 order',
  (_q: number, p: number) => `改價 騰訊 ${p}`,
];

export function orderMessages(count: number): string[] {
  const rng = new Rng(11);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 5 === 4) out.push(ORDERS[rng.int(ORDERS.length)]!(1 + rng.int(20), 500 + rng.int(200)));
    else out.push(messageText(rng, i));
  }
  return out;
}

export function extractOrders(options: { messages: number }): {
  perSecond: number;
  baselinePerSecond: number;
  orders: number;
} {
  const messages = orderMessages(options.messages);
  const extractor = new OrderExtractor(new SecurityMaster(INSTRUMENTS));
  // Warm up both, so neither pays for compilation in the timed pass.
  for (const m of messages.slice(0, 20_000)) extractor.extract(m);
  const scan = /\b(?:buy|sell)\b/i;
  let hits = 0;
  for (const m of messages.slice(0, 20_000)) if (scan.test(m)) hits++;

  let started = performance.now();
  for (const m of messages) if (scan.test(m)) hits++;
  const baselineSeconds = (performance.now() - started) / 1000;

  let orders = 0;
  started = performance.now();
  for (const m of messages) orders += extractor.extract(m).length;
  const seconds = (performance.now() - started) / 1000;
  if (hits === 0) throw new Error('the baseline scan found nothing: the mix is wrong');
  return { perSecond: messages.length / seconds, baselinePerSecond: messages.length / baselineSeconds, orders };
}
