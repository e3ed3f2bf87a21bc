/**
 * Question: how many messages a second do the text rules read on one core (the rule engine alone, no
 * I/O), against one regex scan of the same messages as the baseline; and how many alerts do they raise
 * on a generated realistic day of chat, and how many of those are the cues planted in it?
 *
 * The day mixes what a broker's chat is mostly made of (greetings, orders, fills, settlement, market
 * talk) with the near misses a keyword lexicon trips on ("call me when it fills", "no guarantee",
 * "transfer from my savings to my securities account"), and plants a few real cues.
 */
import { RuleEngine, type RuleMessage } from '../src/surveil/rules/engine.js';
import { DEFAULT_POLICY } from '../src/surveil/rules/policy.js';
import { Rng } from './support/corpus.js';

const ORDINARY = [
  'Morning! Any colour on HSBC today?',
  'buy 10k 700 @352',
  'pls sell 2000 HSBC at 61.5, thanks',
  '幫我買 10手 騰訊 352',
  '沽 5手 小米 市價',
  'Filled 10,000 0700.HK at 351.80, thanks',
  'call me when it fills',
  'I will call you back after lunch',
  'no guarantee on that one, it is volatile',
  'is the dividend guaranteed this year?',
  'transfer 100k from my savings to my securities account',
  'deposit HKD 1m into my account tomorrow',
  'settlement is T+2 as usual',
  'delete the limit, make it market',
  'cancel my 700 order',
  'our Signal research note is out',
  'WhatsApp was down this morning',
  '收到，謝謝',
  '今日大市好淡',
  '唔該幫我睇下匯豐',
  '入錢去我自己戶口',
  'Thanks, have a good weekend',
  'HK government bonds are guaranteed by the government',
  'can you send me the contract note?',
];
/**
 * The ordinary lines that are orders: the order extractor reads them, so an archive whose orders are
 * generated (and booked on the firm's side) separately leaves them out of its other chat.
 */
const ORDINARY_ORDERS = new Set([
  'buy 10k 700 @352',
  'pls sell 2000 HSBC at 61.5, thanks',
  '幫我買 10手 騰訊 352',
  '沽 5手 小米 市價',
  'cancel my 700 order',
]);
const ORDINARY_TALK = ORDINARY.filter((line) => !ORDINARY_ORDERS.has(line));

const PLANTED = [
  'call my cell, not this line',
  'let us move to Signal',
  '加我微信傾',
  'guaranteed 20% return, trust me',
  '保證賺錢',
  'delete this message after reading',
  '唔好留記錄',
  "transfer HKD 500k to my brother's account",
  '幫我轉50萬去我老婆個戶口',
];
/** One message in this many carries a planted cue. */
const PLANTED_EVERY = 500;

/**
 * The text of message `i` of a generated realistic day: an ordinary line (near misses included), or a
 * planted cue for one message in PLANTED_EVERY; `talkOnly` leaves out the ordinary lines that are orders.
 */
export function chatLine(rng: Rng, i: number, talkOnly = false): { text: string; planted: boolean } {
  const planted = i % PLANTED_EVERY === PLANTED_EVERY - 1;
  const ordinary = talkOnly ? ORDINARY_TALK : ORDINARY;
  const text = planted ? PLANTED[rng.int(PLANTED.length)]! : ordinary[rng.int(ordinary.length)]!;
  return { text, planted };
}

function day(count: number): { messages: RuleMessage[]; planted: number } {
  const rng = new Rng(17);
  const messages: RuleMessage[] = [];
  let planted = 0;
  for (let i = 0; i < count; i++) {
    const line = chatLine(rng, i);
    if (line.planted) planted++;
    const text = line.text;
    messages.push({
      messageId: `m${i}`,
      platformMessageId: `p${i}`,
      conversationId: `c${i % 2000}`,
      sender: `+8529${String(1_000_000 + (i % 2000)).padStart(7, '0')}`,
      sentAtMs: Date.UTC(2026, 4, 4, 1) + i * 20,
      kind: 'message',
      text,
      senderParty: { kind: 'client', id: `C${i % 2000}`, name: 'Client' },
      fromFirm: false,
    });
  }
  return { messages, planted };
}

export function rulesBench(options: { messages: number }): {
  perSecond: number;
  baselinePerSecond: number;
  alertsPerThousand: number;
  alertsByType: Record<string, number>;
  planted: number;
  plantedAlerted: number;
  otherAlerts: number;
} {
  const { messages, planted } = day(options.messages);
  const engine = new RuleEngine(DEFAULT_POLICY, 0);
  const anchors = /call|cell|signal|whatsapp|guarant|delete|transfer|微信|保證|記錄|轉/i;
  for (const m of messages.slice(0, 20_000)) engine.message(m); // warm up

  let started = performance.now();
  let hits = 0;
  for (const m of messages) if (anchors.test(m.text!)) hits++;
  const baselinePerSecond = messages.length / ((performance.now() - started) / 1000);

  const alertsByType: Record<string, number> = {};
  let plantedAlerted = 0;
  let otherAlerts = 0;
  started = performance.now();
  for (let i = 0; i < messages.length; i++) {
    const alerts = engine.message(messages[i]!);
    if (alerts.length === 0) continue;
    for (const a of alerts) alertsByType[a.type] = (alertsByType[a.type] ?? 0) + 1;
    if (i % PLANTED_EVERY === PLANTED_EVERY - 1) plantedAlerted++;
    else otherAlerts += alerts.length;
  }
  const perSecond = messages.length / ((performance.now() - started) / 1000);
  const total = Object.values(alertsByType).reduce((a, b) => a + b, 0);
  if (hits < 0) throw new Error('unreachable'); // keeps the baseline loop from being optimised away
  return {
    perSecond,
    baselinePerSecond,
    alertsPerThousand: (1000 * total) / messages.length,
    alertsByType,
    planted,
    plantedAlerted,
    otherAlerts,
  };
}
