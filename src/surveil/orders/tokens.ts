/**
 * Reads a message into tokens a broker would see: instruments (by name, nickname or code), numbers with
 * what they count (shares, lots, thousands, a Cantonese price), the words of order-taking, and the
 * punctuation that separates one instruction from the next. Every token keeps its span in the text.
 */
import type { Instrument, SecurityMaster } from './instruments.js';
import { PHRASES, SHARE_UNITS, type Term } from './lexicon.js';

export type NumberUnit = 'none' | 'shares' | 'lots' | 'price' | 'ignore';

export type Token =
  | { kind: 'term'; term: Term; start: number; end: number }
  | { kind: 'symbol'; instrument: Instrument; start: number; end: number }
  | {
      kind: 'number';
      value: number;
      unit: NumberUnit;
      /** As written, before any unit: `0700`, `6,000`, `46.2`. */
      digits: string;
      start: number;
      end: number;
    }
  /** 咗 / 了 / 過: the verb before it is done, not asked for. */
  | { kind: 'past'; start: number; end: number }
  | { kind: 'sep'; start: number; end: number }
  | { kind: 'word'; start: number; end: number };

type Entry = { key: string; exactCase: string | null; value: Term | Instrument; isTerm: boolean };

/** Phrases by their first word (Latin) or first character (anything else), longest first. */
export class PhraseTable {
  private readonly latin = new Map<string, Entry[]>();
  private readonly other = new Map<string, Entry[]>();

  constructor(master: SecurityMaster) {
    for (const [key, term] of PHRASES) this.add({ key, exactCase: null, value: term, isTerm: true });
    for (const n of master.names) {
      this.add({ key: n.key, exactCase: n.exactCase, value: n.instrument, isTerm: false });
    }
    for (const table of [this.latin, this.other]) {
      for (const list of table.values()) {
        // Longest first; at equal length a word of the lexicon before an instrument's name.
        list.sort((a, b) => b.key.length - a.key.length || Number(b.isTerm) - Number(a.isTerm));
      }
    }
  }

  private add(entry: Entry): void {
    const word = /^[a-z0-9]+/.exec(entry.key)?.[0];
    const [table, first] = word === undefined ? [this.other, entry.key[0]!] : [this.latin, word];
    const list = table.get(first);
    if (list === undefined) table.set(first, [entry]);
    else if (!list.some((e) => e.key === entry.key && e.isTerm === entry.isTerm)) list.push(entry);
  }

  /** The longest phrase starting at a Latin word (`word` its lower-case letters and digits). */
  matchLatin(text: string, lower: string, at: number, word: string): Entry | null {
    const list = this.latin.get(word);
    if (list === undefined) return null;
    for (const e of list) {
      const end = at + e.key.length;
      if (!lower.startsWith(e.key, at) || isAlnum(lower.charCodeAt(end))) continue;
      if (e.exactCase !== null && !text.startsWith(e.exactCase, at)) continue;
      return e;
    }
    return null;
  }

  matchOther(text: string, lower: string, at: number): Entry | null {
    const list = this.other.get(text[at]!);
    if (list === undefined) return null;
    for (const e of list) {
      if (!text.startsWith(e.key, at)) continue;
      // A phrase ending in a Latin letter (B站 does not) must end at a word's end.
      if (isAlnum(e.key.charCodeAt(e.key.length - 1)) && isAlnum(lower.charCodeAt(at + e.key.length))) continue;
      return e;
    }
    return null;
  }
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Full-width forms (１０００, ＠, ？) as their ASCII twins, keeping every offset. */
export function foldWidth(text: string): string {
  if (!/[\uff01-\uff5e\u3000]/.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0xff01 && c <= 0xff5e ? String.fromCharCode(c - 0xfee0) : c === 0x3000 ? ' ' : text[i];
  }
  return out;
}

const NUMBER = /(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.(\d+))?/y;
const LIST_MARKER = /[ \t]*(?:\(?\d{1,2}[.)](?!\d)|[-*•·–])[ \t]+/y;
const CJK_NUMERAL = /[零〇一二兩两三四五六七八九十百千萬万]+(?=[手股])/y;
const SEPARATORS = new Set([',', '，', ';', '；', '\n', '、', '。', '!', '！', ':', '：', '?', '？', '|']);
const PAST = new Set(['咗', '了', '左', '過', '过']);

/** Multipliers after a number: 10k, 2.5m, 1萬. */
const MULTIPLIERS: readonly (readonly [string, number])[] = [
  ['mm', 1e6],
  ['mn', 1e6],
  ['m', 1e6],
  ['k', 1e3],
  ['萬', 1e4],
  ['万', 1e4],
  ['千', 1e3],
  ['百', 1e2],
];

export function tokenize(raw: string, table: PhraseTable, master: SecurityMaster): Token[] {
  const text = foldWidth(raw);
  // Offsets in `lower` must be those of `text`: where lower-casing changes a length (İ), ASCII only.
  const lowered = text.toLowerCase();
  const lower = lowered.length === text.length ? lowered : asciiLower(text);
  const tokens: Token[] = [];
  let lineStart = true;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const ch = text[i]!;
    if (lineStart) {
      lineStart = false;
      LIST_MARKER.lastIndex = i;
      if (LIST_MARKER.test(text)) {
        i = LIST_MARKER.lastIndex;
        continue;
      }
    }
    if (ch === '\n') {
      tokens.push({ kind: 'sep', start: i, end: i + 1 });
      lineStart = true;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || c === 0xa0 || c === 0x202f) {
      i++;
      continue;
    }
    if (isDigit(c)) {
      i = readNumber(text, lower, i, tokens, master);
      continue;
    }
    if (isAlnum(c)) {
      const wordEnd = skipAlnum(lower, i);
      if (isAlnum(lower.charCodeAt(i - 1))) {
        i = wordEnd;
        continue;
      }
      const entry = table.matchLatin(text, lower, i, lower.slice(i, wordEnd));
      if (entry !== null) {
        tokens.push(phraseToken(entry, i));
        i += entry.key.length;
      } else {
        tokens.push({ kind: 'word', start: i, end: wordEnd });
        i = wordEnd;
      }
      continue;
    }
    // A full stop ends a sentence; one inside a word or number was read with it.
    if (SEPARATORS.has(ch) || (ch === '.' && (i + 1 >= text.length || /\s/.test(text[i + 1]!)))) {
      tokens.push({ kind: 'sep', start: i, end: i + 1 });
      i++;
      continue;
    }
    CJK_NUMERAL.lastIndex = i;
    const numeral = CJK_NUMERAL.exec(text);
    if (numeral !== null) {
      const value = chineseNumber(numeral[0]);
      if (value !== null) {
        i = readUnits(text, lower, i, i + numeral[0].length, value, numeral[0], tokens);
        continue;
      }
    }
    const entry = table.matchOther(text, lower, i);
    if (entry !== null) {
      tokens.push(phraseToken(entry, i));
      i += entry.key.length;
      continue;
    }
    if (PAST.has(ch)) tokens.push({ kind: 'past', start: i, end: i + 1 });
    else tokens.push({ kind: 'word', start: i, end: i + 1 });
    // A surrogate pair (an emoji) is one character.
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return tokens;
}

function phraseToken(entry: Entry, start: number): Token {
  const end = start + entry.key.length;
  return entry.isTerm
    ? { kind: 'term', term: entry.value as Term, start, end }
    : { kind: 'symbol', instrument: entry.value as Instrument, start, end };
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

function skipAlnum(lower: string, i: number): number {
  let j = i;
  while (j < lower.length && isAlnum(lower.charCodeAt(j))) j++;
  return j;
}

/** A number at `i` and what follows it: a unit, a code suffix, or nothing. Returns where reading stops. */
function readNumber(text: string, lower: string, i: number, tokens: Token[], master: SecurityMaster): number {
  // Inside a word (A1, H20) or glued to a date or time (7/10, 10:30): not a quantity or a price.
  const before = text.charCodeAt(i - 1);
  NUMBER.lastIndex = i;
  const m = NUMBER.exec(text)!;
  let end = NUMBER.lastIndex;
  const after = text[end];
  if (
    isAlnum(before) ||
    text[i - 1] === '/' ||
    ((after === '/' || after === ':' || after === '-') && isDigit(text.charCodeAt(end + 1)))
  ) {
    end = skipNumberish(text, end);
    tokens.push({ kind: 'word', start: i, end });
    return end;
  }
  const digits = m[0];
  const value = Number(m[1]!.replace(/,/g, '') + (m[2] === undefined ? '' : `.${m[2]}`));
  // A Hong Kong code written with its market: 700 HK, 0700.HK, 5HK.
  const code = /^(?:\.| ?)hk(?![a-z0-9])/.exec(lower.slice(end, end + 4));
  if (code !== null && m[2] === undefined && !digits.includes(',')) {
    const instrument = master.byHongKongCode(digits);
    if (instrument !== undefined) {
      tokens.push({ kind: 'symbol', instrument, start: i, end: end + code[0].length });
      return end + code[0].length;
    }
  }
  // Cantonese prices: 7蚊8 is 7.80, 7蚊半 7.50, 17個86 17.86.
  if (m[2] === undefined) {
    const cantonese = /^(?:蚊|元|块|塊)(半|\d(?!\d))|^個(\d{1,2})(?!\d)/.exec(text.slice(end, end + 4));
    if (cantonese !== null) {
      const cents = cantonese[1] === '半' ? 0.5 : cantonese[1] !== undefined ? Number(cantonese[1]) / 10 : 0;
      const price = value + cents + (cantonese[2] !== undefined ? Number(cantonese[2].padEnd(2, '0')) / 100 : 0);
      const stop = end + cantonese[0].length;
      tokens.push({ kind: 'number', value: round(price), unit: 'price', digits, start: i, end: stop });
      return stop;
    }
  }
  return readUnits(text, lower, i, end, value, digits, tokens);
}

function skipNumberish(text: string, i: number): number {
  let j = i;
  while (j < text.length && /[0-9A-Za-z/:.-]/.test(text[j]!)) j++;
  return j;
}

/** The units after a number (multiplier, then shares or lots, or a price or a percentage). */
function readUnits(
  text: string,
  lower: string,
  start: number,
  numberEnd: number,
  base: number,
  digits: string,
  tokens: Token[],
): number {
  let end = numberEnd;
  let value = base;
  let unit: NumberUnit = 'none';
  for (const [suffix, factor] of MULTIPLIERS) {
    if (
      lower.startsWith(suffix, end) &&
      !(isAlnum(suffix.charCodeAt(0)) && isAlnum(lower.charCodeAt(end + suffix.length)))
    ) {
      value = round(value * factor);
      end += suffix.length;
      unit = 'shares';
      break;
    }
  }
  let j = end;
  while (text[j] === ' ') j++;
  let matched = false;
  for (const [word, kind] of SHARE_UNITS) {
    const latin = isAlnum(word.charCodeAt(0));
    if (!lower.startsWith(word, j) || (latin && isAlnum(lower.charCodeAt(j + word.length)))) continue;
    // "3 lots of" after a multiplier makes no sense; "10k shares" does.
    if (kind === 'lots' && unit === 'shares') break;
    unit = kind;
    end = j + word.length;
    matched = true;
    break;
  }
  if (!matched && unit === 'none') {
    if (/^(?:蚊|元|块|塊)/.test(text.slice(end, end + 1))) {
      unit = 'price';
      end += 1;
    } else if (
      /^ ?(?:%|pts\b|points?\b|bps?\b|pips?\b|x\b|times\b|mins?\b|hours?\b|days\b|yrs?\b|years?\b)/i.test(
        text.slice(end, end + 8),
      )
    ) {
      unit = 'ignore';
    } else if (isAlnum(text.charCodeAt(end))) {
      // Glued to letters (26th, 10min, 3pm): not a quantity or a price.
      const stop = skipNumberish(text, end);
      tokens.push({ kind: 'word', start, end: stop });
      return stop;
    }
  }
  tokens.push({ kind: 'number', value, unit, digits, start, end });
  return end;
}

const NUMERALS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  兩: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const POWERS: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 萬: 10_000, 万: 10_000 };

/** 三 = 3, 十五 = 15, 兩千 = 2000, 一萬五千 = 15000; null for what is not a number. */
export function chineseNumber(s: string): number | null {
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const ch of s) {
    if (ch in NUMERALS) {
      if (digit !== null) return null;
      digit = NUMERALS[ch]!;
    } else if (ch in POWERS) {
      const p = POWERS[ch]!;
      if (p === 10_000) {
        total += (section + (digit ?? 0)) * p;
        section = 0;
      } else section += (digit ?? 1) * p;
      digit = null;
    } else return null;
  }
  const value = total + section + (digit ?? 0);
  return value > 0 ? value : null;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
