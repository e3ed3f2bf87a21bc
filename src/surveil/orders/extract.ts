/**
 * Order extraction: the orders a client's message gives, read the way a Hong Kong or US equity broker
 * reads them, in English trader shorthand, Chinese (Traditional and Simplified) and Cantonese, or a
 * mixture. Pure: text and a security master in, orders out, each field with the span it came from.
 *
 * A message is cut into clauses (lines, commas, "and", 同時…), a clause that gives no instruction of
 * its own joining its neighbour. A clause is an order only when it instructs: questions, conditionals,
 * advice, reports of past trades and fill confirmations are not orders, whatever verbs they hold.
 */
import { checkOrder, type OrderWarning } from './checks.js';
import type { Instrument, SecurityMaster } from './instruments.js';
import { NOT_AN_INSTRUCTION, PHRASES, POLITE_REQUEST, QUESTION, type Side, type TimeInForce } from './lexicon.js';
import { PhraseTable, type Token, tokenize } from './tokens.js';

export type OrderAction = 'new' | 'amend' | 'cancel';
export type OrderType = 'market' | 'limit' | 'unspecified';
export type Span = [start: number, end: number];
export type OrderField = 'action' | 'side' | 'symbol' | 'quantity' | 'orderType' | 'limitPrice' | 'timeInForce';

export interface ExtractedOrder {
  action: OrderAction;
  /** Always on a new order; on an amendment or cancellation only when the message states it. */
  side?: Side;
  symbol: string;
  /** Shares (lots converted with the instrument's board lot). On an amendment, only when it changes. */
  quantity?: number;
  orderType?: OrderType;
  limitPrice?: number | null;
  timeInForce?: TimeInForce;
  /** Where in the message (UTF-16 offsets, end exclusive) each field was read. */
  spans: Partial<Record<OrderField, Span>>;
  /** How sure the reading is, 0 to 1. */
  confidence: number;
  /** Odd lots, prices off the tick ladder or far from the reference price: flagged, never dropped. */
  warnings: OrderWarning[];
}

export interface ExtractOptions {
  /** Reference prices (last or close) by symbol, for the far-from-reference check. */
  referencePrices?: ReadonlyMap<string, number>;
  /** How far from its reference a limit price may be before it is flagged; default 0.1 (10%). */
  maxDeviation?: number;
}

type NumberToken = Extract<Token, { kind: 'number' }>;
type TermToken = Extract<Token, { kind: 'term' }>;

export class OrderExtractor {
  private readonly table: PhraseTable;
  /** Cheap first look: a message with no word of instruction holds no order. */
  private readonly mayInstruct: RegExp;

  constructor(
    readonly master: SecurityMaster,
    private readonly options: ExtractOptions = {},
  ) {
    this.table = new PhraseTable(master);
    const latin: string[] = [];
    const other: string[] = [];
    for (const [phrase, term] of PHRASES) {
      if (term.kind !== 'side' && term.kind !== 'cancel' && term.kind !== 'amend') continue;
      if (term.kind === 'side' && term.form === 'letter') continue;
      (/^[a-z]/.test(phrase) ? latin : other).push(escapeRegExp(phrase));
    }
    this.mayInstruct = new RegExp(`\\b(?:${latin.join('|')})\\b|${other.join('|')}|\\b[bs]\\s*\\d`, 'i');
  }

  extract(text: string): ExtractedOrder[] {
    if (!this.mayInstruct.test(text)) return [];
    const tokens = tokenize(text, this.table, this.master);
    const orders: ExtractedOrder[] = [];
    for (const clause of clauses(tokens)) {
      const order = this.readClause(text, clause);
      if (order === null) continue;
      const instrument = this.master.bySymbol(order.symbol)!;
      const referencePrice = this.options.referencePrices?.get(order.symbol);
      order.warnings = checkOrder(order, instrument, {
        ...(referencePrice === undefined ? {} : { referencePrice }),
        ...(this.options.maxDeviation === undefined ? {} : { maxDeviation: this.options.maxDeviation }),
      });
      orders.push(inContractOrder(order));
    }
    return orders;
  }

  private readClause(text: string, clause: Clause): ExtractedOrder | null {
    const { tokens } = clause;
    const words = text.slice(clause.start, clause.end);
    if (
      NOT_AN_INSTRUCTION.conditional.test(words) ||
      NOT_AN_INSTRUCTION.opinion.test(words) ||
      NOT_AN_INSTRUCTION.report.test(words) ||
      NOT_AN_INSTRUCTION.administrative.test(words) ||
      (QUESTION.test(words) && !POLITE_REQUEST.test(words))
    ) {
      return null;
    }
    const terms = tokens.filter((t): t is TermToken => t.kind === 'term');
    const sideTokens =
      clause.inheritedSide === undefined
        ? tokens.filter((t, i): t is TermToken => t.kind === 'term' && t.term.kind === 'side' && isSideWord(tokens, i))
        : [clause.inheritedSide];
    // A verb already done (買咗, 卖了) reports a trade: nothing to execute.
    for (const s of sideTokens) {
      const next = tokens[tokens.indexOf(s) + 1];
      if (next?.kind === 'past' && next.start === s.end) return null;
    }
    const cancel = terms.find((t) => t.term.kind === 'cancel');
    const amend = terms.find((t) => t.term.kind === 'amend');
    const action: OrderAction = cancel ? 'cancel' : amend ? 'amend' : 'new';
    const actionToken = cancel ?? amend ?? sideTokens[0];
    if (actionToken === undefined) return null;

    const sides = new Set(sideTokens.map((t) => (t.term as { side: Side }).side));
    if (sides.size > 1) return null;
    const sideToken = sideTokens[0];
    const side = sideToken === undefined ? undefined : (sideToken.term as { side: Side }).side;
    // "my bid" names an order; it gives one only where it opens the instruction (bid for 10k, offer 4k…).
    if (action === 'new' && (side === undefined || (isNounOnly(sideTokens) && !startsInstruction(sideTokens, tokens))))
      return null;

    const numbers = this.roles(tokens, action);
    const symbol = this.symbolOf(tokens, numbers);
    if (symbol === null) return null;
    const { instrument } = symbol;

    let quantityFrom = numbers.quantity.find((n) => n !== symbol.token);
    const explicitQuantity = quantityFrom !== undefined;
    let shares = quantityFrom === undefined ? undefined : sharesOf(quantityFrom, instrument);
    if (numbers.quantity.some((n) => n !== symbol.token && sharesOf(n, instrument) !== shares)) return null;
    let bare = numbers.bare.filter((n) => n !== symbol.token);
    if (shares === undefined && action === 'new') {
      // A bare whole number is the quantity when a price follows it or it is a whole number of lots.
      const candidate = bare.find((n) => !n.digits.includes('.'));
      if (candidate !== undefined) {
        const rest = bare.filter((n) => n !== candidate);
        if (rest.length > 0 || numbers.price.length > 0 || candidate.value % instrument.lotSize === 0) {
          shares = candidate.value;
          quantityFrom = candidate;
          bare = rest;
        }
      }
    }
    const priceToken = numbers.price[0] ?? bare[0];
    const market = terms.find((t) => t.term.kind === 'market');
    const limitWord = terms.find((t) => t.term.kind === 'limit');
    const tif = terms.find((t) => t.term.kind === 'tif');

    const spans: Partial<Record<OrderField, Span>> = { action: [actionToken.start, actionToken.end] };
    const order: ExtractedOrder = { action, symbol: instrument.symbol, spans, confidence: 0, warnings: [] };
    if (side !== undefined && sideToken !== undefined) {
      order.side = side;
      spans.side = [sideToken.start, sideToken.end];
    }
    spans.symbol = [symbol.start, symbol.end];
    if (action === 'cancel') {
      order.confidence = confidence(0.8, { fromCode: symbol.fromBareCode });
      return order;
    }
    if (shares !== undefined && quantityFrom !== undefined) {
      if (!(shares > 0 && Number.isSafeInteger(shares))) return null;
      order.quantity = shares;
      spans.quantity = [quantityFrom.start, quantityFrom.end];
    }
    if (priceToken !== undefined && priceToken.value > 0) {
      order.orderType = 'limit';
      order.limitPrice = priceToken.value;
      spans.limitPrice = [priceToken.start, priceToken.end];
      spans.orderType = [priceToken.start, priceToken.end];
    } else if (market !== undefined) {
      order.orderType = 'market';
      order.limitPrice = null;
      spans.orderType = [market.start, market.end];
    } else if (action === 'new') {
      order.orderType = limitWord === undefined ? 'unspecified' : 'limit';
      order.limitPrice = null;
    }
    if (tif !== undefined) {
      order.timeInForce = (tif.term as { tif: TimeInForce }).tif;
      spans.timeInForce = [tif.start, tif.end];
    }
    if (action === 'new') {
      if (order.quantity === undefined) return null;
      order.confidence = confidence(0.7, {
        fromCode: symbol.fromBareCode,
        letter: sideToken?.term.kind === 'side' && sideToken.term.form === 'letter',
        explicitQuantity,
        explicitPrice: numbers.price.length > 0 || market !== undefined,
      });
      return order;
    }
    // An amendment changes something: quantity, price, or to market.
    if (order.quantity === undefined && order.orderType === undefined) return null;
    order.confidence = confidence(0.75, { fromCode: symbol.fromBareCode });
    return order;
  }

  /** What each number in a clause is: a quantity, a price, or not yet known (bare). */
  private roles(tokens: readonly Token[], action: OrderAction) {
    const quantity: NumberToken[] = [];
    const price: NumberToken[] = [];
    const bare: NumberToken[] = [];
    const afterTo = new Set<NumberToken>();
    tokens.forEach((t, i) => {
      if (t.kind !== 'number' || t.unit === 'ignore') return;
      const prev = termAt(tokens, i - 1);
      if (prev === 'stop') return;
      const prev2 = termAt(tokens, i - 2);
      const next = termAt(tokens, i + 1);
      if (t.unit === 'shares' || t.unit === 'lots') quantity.push(t);
      else if (t.unit === 'price') price.push(t);
      else if (prev === 'quantity' || (prev === 'to' && prev2 === 'quantity')) quantity.push(t);
      else if (prev === 'price' || (prev === 'to' && prev2 === 'price') || next === 'orBetter') price.push(t);
      else if (prev === 'to' && action === 'amend') price.push(t);
      else {
        if (prev === 'to') afterTo.add(t);
        bare.push(t);
      }
    });
    return { quantity, price, bare, afterTo };
  }

  /** The clause's instrument: named, or a Hong Kong code among its bare numbers. */
  private symbolOf(
    tokens: readonly Token[],
    numbers: { quantity: NumberToken[]; bare: NumberToken[]; afterTo: Set<NumberToken> },
  ): { instrument: Instrument; start: number; end: number; token: NumberToken | null; fromBareCode: boolean } | null {
    const named = tokens.filter((t) => t.kind === 'symbol');
    const distinct = new Set(named.map((t) => t.instrument));
    if (distinct.size > 1) return null;
    const first = named[0];
    if (first !== undefined) {
      return { instrument: first.instrument, start: first.start, end: first.end, token: null, fromBareCode: false };
    }
    const codes = numbers.bare.filter(
      (n) => !numbers.afterTo.has(n) && /^\d{1,5}$/.test(n.digits) && this.master.byHongKongCode(n.digits),
    );
    if (codes.length === 0) return null;
    // 00941 is a code, never a quantity; of "buy 500 700", the second is the stock.
    const code =
      codes.find((n) => n.digits.startsWith('0')) ??
      (codes.length > 1 && numbers.quantity.length === 0 ? codes[1]! : codes[0]!);
    const instrument = this.master.byHongKongCode(code.digits)!;
    return { instrument, start: code.start, end: code.end, token: code, fromBareCode: true };
  }
}

interface Clause {
  tokens: Token[];
  /** "sell 300 AAPL and 200 MSFT": the second clause sells too. */
  inheritedSide?: TermToken;
  /** The clause's text, its closing punctuation included (a question mark counts). */
  start: number;
  end: number;
}

const INSTRUCTING = new Set(['side', 'cancel', 'amend']);

function hasInstruction(tokens: readonly Token[]): boolean {
  return tokens.some((t, i) => t.kind === 'term' && INSTRUCTING.has(t.term.kind) && isSideWord(tokens, i));
}

/**
 * Clauses: cut at separators and joining words; a piece without an instruction of its own (", 102.5",
 * "and qty to 3 lots") belongs with the piece before it, or, at the start, with the one after.
 */
function clauses(tokens: readonly Token[]): Clause[] {
  const pieces: Clause[] = [];
  let current: Token[] = [];
  let start = 0;
  const close = (end: number) => {
    if (current.length > 0) pieces.push({ tokens: current, start, end });
    current = [];
  };
  let sideSeen = false;
  let numberSinceSide = false;
  for (const [i, t] of tokens.entries()) {
    if (t.kind === 'sep' || (t.kind === 'term' && t.term.kind === 'join')) {
      close(t.end);
      start = t.end;
      sideSeen = numberSinceSide = false;
      continue;
    }
    // "b 2k 700 618 s 1k 5 65": a second instruction begins at its verb.
    if (t.kind === 'term' && t.term.kind === 'side' && t.term.form !== 'noun' && isSideWord(tokens, i)) {
      if (sideSeen && numberSinceSide) close(t.start);
      sideSeen = true;
      numberSinceSide = false;
    } else if (t.kind === 'number') numberSinceSide = true;
    if (current.length === 0) start = t.start;
    current.push(t);
  }
  close(tokens.at(-1)?.end ?? 0);
  const out: Clause[] = [];
  let leading: Clause | null = null;
  for (const piece of pieces) {
    const last = out.at(-1);
    const side = last === undefined ? undefined : newOrderSide(last);
    if (side !== undefined && !hasInstruction(piece.tokens) && standsAlone(piece.tokens)) {
      out.push({ ...piece, inheritedSide: side });
      continue;
    }
    if (hasInstruction(piece.tokens)) {
      if (leading !== null) {
        for (const t of piece.tokens) leading.tokens.push(t);
        out.push({ tokens: leading.tokens, start: leading.start, end: piece.end });
        leading = null;
      } else out.push(piece);
    } else if (last !== undefined) {
      // Pieces are fresh arrays: appending in place keeps a long message linear.
      for (const t of piece.tokens) last.tokens.push(t);
      last.end = piece.end;
    } else if (leading === null) leading = piece;
    else {
      for (const t of piece.tokens) leading.tokens.push(t);
      leading.end = piece.end;
    }
  }
  return out;
}

/** The side of a clause that gives a new order (a side, no cancel or amend), which a list may go on with. */
function newOrderSide(clause: Clause): TermToken | undefined {
  if (clause.inheritedSide !== undefined) return clause.inheritedSide;
  let side: TermToken | undefined;
  for (const t of clause.tokens) {
    if (t.kind !== 'term') continue;
    if (t.term.kind === 'cancel' || t.term.kind === 'amend') return undefined;
    if (t.term.kind === 'side' && t.term.form !== 'letter') side ??= t;
  }
  return side;
}

/** A piece that reads as an order of its own once given a side: "200 MSFT at market", "20k 5 @109". */
function standsAlone(tokens: readonly Token[]): boolean {
  let numbers = 0;
  let quantity = false;
  let symbol = false;
  for (const t of tokens) {
    if (t.kind === 'symbol') symbol = true;
    else if (t.kind === 'number' && t.unit !== 'ignore') {
      numbers++;
      quantity ||= t.unit === 'shares' || t.unit === 'lots';
    } else if (t.kind === 'term' && (t.term.kind === 'to' || t.term.kind === 'quantity')) return false;
  }
  return (quantity && (symbol || numbers >= 2)) || (symbol && numbers > 0);
}

/** `b` and `s` are sides only before a number or a stock: "b 300 AAPL", not "plan b". */
function isSideWord(tokens: readonly Token[], i: number): boolean {
  const t = tokens[i]!;
  if (t.kind !== 'term' || t.term.kind !== 'side' || t.term.form !== 'letter') return true;
  const next = tokens[i + 1];
  return next?.kind === 'number' || next?.kind === 'symbol';
}

function isNounOnly(sideTokens: readonly TermToken[]): boolean {
  return sideTokens.every((t) => t.term.kind === 'side' && t.term.form === 'noun');
}

/** A side noun gives an order when it opens the instruction: "bid for 10k 700", "offer 4k 1299". */
function startsInstruction(sideTokens: readonly TermToken[], tokens: readonly Token[]): boolean {
  const s = sideTokens[0]!;
  if (s.term.kind !== 'side' || s.term.form !== 'noun') return true;
  const at = tokens.indexOf(s);
  const next = tokens[at + 1];
  const before = tokens.slice(0, at);
  return (next?.kind === 'number' || next?.kind === 'symbol') && before.every((t) => t.kind !== 'word');
}

function termAt(tokens: readonly Token[], i: number): string | null {
  const t = tokens[i];
  return t?.kind === 'term' ? t.term.kind : null;
}

function sharesOf(n: NumberToken, instrument: Instrument): number {
  return n.unit === 'lots' ? n.value * instrument.lotSize : n.value;
}

function confidence(
  base: number,
  f: { fromCode?: boolean; letter?: boolean; explicitQuantity?: boolean; explicitPrice?: boolean },
): number {
  let c = base;
  if (f.explicitQuantity) c += 0.1;
  if (f.explicitPrice) c += 0.1;
  if (f.fromCode) c -= 0.1;
  if (f.letter) c -= 0.05;
  return Math.round(Math.min(0.99, Math.max(0.05, c)) * 100) / 100;
}

/** The fields in the contract's order (action, side, symbol, …), then spans, confidence and warnings. */
function inContractOrder(o: ExtractedOrder): ExtractedOrder {
  const out: Partial<ExtractedOrder> = { action: o.action };
  if (o.side !== undefined) out.side = o.side;
  out.symbol = o.symbol;
  if (o.quantity !== undefined) out.quantity = o.quantity;
  if (o.orderType !== undefined) out.orderType = o.orderType;
  if (o.limitPrice !== undefined) out.limitPrice = o.limitPrice;
  if (o.timeInForce !== undefined) out.timeInForce = o.timeInForce;
  out.spans = o.spans;
  out.confidence = o.confidence;
  out.warnings = o.warnings;
  return out as ExtractedOrder;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
