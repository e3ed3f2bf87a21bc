/**
 * Reconciliation (SFC circular 3b and 4a): the orders clients gave in chat against the orders the firm
 * entered for their accounts and what became of them. Pure: the caller loads chat orders, firm orders
 * and the directory; this pairs them and names every difference as an exception of a stable `type`.
 *
 * Pairing: a chat order and a firm order pair when the firm order is on one of the client's accounts,
 * in the same instrument, and entered within the window after the message (or up to a minute before it,
 * for clocks that disagree). Where several could pair, the closest terms win (side, then quantity, then
 * price), then the earliest entry; each firm order pairs once.
 */
import type { Directory } from '../../capture/directory/directory.js';
import type { StoredOrder } from '../orders/archive.js';
import type { FirmOrder } from './firm-orders.js';

export const EXCEPTION_TYPES = [
  'unentered_order',
  'order_without_instruction',
  'side_mismatch',
  'quantity_mismatch',
  'price_mismatch',
  'late_entry',
  'amend_not_applied',
  'cancel_not_applied',
] as const;
export type ExceptionType = (typeof EXCEPTION_TYPES)[number];

/** The contract of `steno reconcile --json`: one per exception; fields that do not apply are null. */
export interface ReconcileException {
  type: ExceptionType;
  messageId: string | null;
  platformMessageId: string | null;
  orderId: string | null;
  details: Record<string, unknown>;
}

export interface ReconcileOptions {
  /** Exceptions are reported for chat orders sent, and firm orders entered, in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** How long after the message a firm order may be entered and still pair with it. */
  windowMs: number;
  /** Entry later than this after the message is a late entry… */
  slaMs: number;
  /** …unless the desk of the staff member in the conversation has its own. */
  deskSlaMs: Readonly<Record<string, number>>;
  /** Now: an instruction whose window has not passed yet is pending, not an exception. */
  nowMs: number;
}

export const DEFAULT_WINDOW_MS = 30 * 60_000;
export const DEFAULT_SLA_MS = 5 * 60_000;
/** A firm order stamped this much before the message still pairs with it: the two clocks are not one. */
export const CLOCK_SKEW_MS = 60_000;
const PRICE_EPSILON = 1e-9;

/** A paired chat and firm order, and how long entry took: the delay distribution is reported from these. */
export interface ReconcileMatch {
  messageId: string;
  chatOrderId: string;
  orderId: string;
  delayMs: number;
  desk: string | null;
}

export interface ReconcileResult {
  exceptions: ReconcileException[];
  matches: ReconcileMatch[];
  /** Chat orders that could not be reconciled, and why (no client resolved, no account on record). */
  unreconciled: { noClient: number; noAccount: number; changeOfUnknownOrder: number };
}

/** A chat order with the amendments and cancellations that change it. */
interface Instruction {
  order: StoredOrder;
  changes: StoredOrder[];
}

interface Terms {
  side: StoredOrder['side'];
  quantity: number | null;
  orderType: StoredOrder['orderType'];
  limitPrice: number | null;
}

export function reconcile(input: {
  chatOrders: readonly StoredOrder[];
  firmOrders: readonly FirmOrder[];
  directory: Directory;
  /** The security master's symbol for a symbol as the firm's system writes it. */
  symbolOf: (written: string) => string;
  options: ReconcileOptions;
}): ReconcileResult {
  const { directory, options } = input;
  const exceptions: ReconcileException[] = [];
  const matches: ReconcileMatch[] = [];
  const unreconciled = { noClient: 0, noAccount: 0, changeOfUnknownOrder: 0 };

  // Chat instructions: new orders (the latest edit of a message standing for it) with their changes.
  const instructions = new Map<string, Instruction>();
  for (const o of input.chatOrders) {
    if (o.action === 'new' && o.revisedByOrderId === null) instructions.set(o.id, { order: o, changes: [] });
  }
  for (const o of input.chatOrders) {
    if (o.action === 'new' || o.revisedByOrderId !== null) continue;
    const target = o.changesOrderId === null ? undefined : instructions.get(o.changesOrderId);
    if (target === undefined) {
      if (inPeriod(o.sentAtMs, options)) unreconciled.changeOfUnknownOrder++;
      continue;
    }
    target.changes.push(o);
  }
  for (const i of instructions.values()) i.changes.sort((a, b) => a.sentAtMs - b.sentAtMs);

  // Firm orders by account and instrument.
  const firmByKey = new Map<string, FirmOrder[]>();
  for (const f of input.firmOrders) {
    if (f.account === null) continue;
    const key = `${f.account}\u0000${input.symbolOf(f.symbol)}`;
    const list = firmByKey.get(key);
    if (list === undefined) firmByKey.set(key, [f]);
    else list.push(f);
  }

  // Candidate pairs, best first; each side pairs once.
  const pairs: { instruction: Instruction; firm: FirmOrder; score: number; delay: number }[] = [];
  for (const instruction of instructions.values()) {
    const o = instruction.order;
    if (o.clientId === null) {
      if (inPeriod(o.sentAtMs, options)) unreconciled.noClient++;
      continue;
    }
    const client = directory.get('client', o.clientId);
    const accounts = client?.kind === 'client' ? client.accounts : [];
    if (accounts.length === 0) {
      if (inPeriod(o.sentAtMs, options)) unreconciled.noAccount++;
      continue;
    }
    const expected = termsAt(instruction, Number.POSITIVE_INFINITY);
    for (const account of accounts) {
      for (const f of firmByKey.get(`${account}\u0000${o.symbol}`) ?? []) {
        const delay = f.enteredAtMs - o.sentAtMs;
        if (delay < -CLOCK_SKEW_MS || delay > options.windowMs) continue;
        const entered = f.entered ?? f.versions.at(-1) ?? null;
        let score = 0;
        if (f.side === o.side) score += 4;
        if (entered !== null && entered.quantity === expected.quantity) score += 2;
        if (entered !== null && samePrice(entered.limitPrice, expected.limitPrice)) score += 1;
        pairs.push({ instruction, firm: f, score, delay });
      }
    }
  }
  pairs.sort((a, b) => b.score - a.score || Math.abs(a.delay) - Math.abs(b.delay));
  const paired = new Map<Instruction, FirmOrder>();
  const taken = new Set<FirmOrder>();
  for (const p of pairs) {
    if (paired.has(p.instruction) || taken.has(p.firm)) continue;
    paired.set(p.instruction, p.firm);
    taken.add(p.firm);
  }

  const deskOf = (o: StoredOrder): string | null => {
    if (o.staffId === null) return null;
    const staff = directory.get('staff', o.staffId);
    return staff?.kind === 'staff' ? staff.desk : null;
  };

  for (const instruction of instructions.values()) {
    const o = instruction.order;
    if (o.clientId === null) continue;
    const firm = paired.get(instruction);
    const cancelledInChat = instruction.changes.some((c) => c.action === 'cancel');
    if (firm === undefined) {
      // Not entered: an exception once the window has passed, unless the client cancelled in chat.
      if (inPeriod(o.sentAtMs, options) && !cancelledInChat && o.sentAtMs + options.windowMs <= options.nowMs) {
        const client = directory.get('client', o.clientId);
        if (client?.kind === 'client' && client.accounts.length > 0) {
          exceptions.push(
            exception('unentered_order', o, null, {
              chatOrder: chatEvidence(o),
              accounts: client.accounts,
              windowMs: options.windowMs,
            }),
          );
        }
      }
      continue;
    }
    const desk = deskOf(o);
    const delayMs = firm.enteredAtMs - o.sentAtMs;
    if (!inPeriod(o.sentAtMs, options)) continue;
    matches.push({ messageId: o.messageId, chatOrderId: o.id, orderId: firm.orderId, delayMs, desk });
    const evidence = () => ({ chatOrder: chatEvidence(o), firmOrder: firmEvidence(firm), delayMs });

    // The terms the client had asked for by the time the firm entered the order.
    const expected = termsAt(instruction, firm.enteredAtMs);
    if (firm.side !== null && expected.side !== null && firm.side !== expected.side) {
      exceptions.push(
        exception('side_mismatch', o, firm, { ...evidence(), expected: expected.side, actual: firm.side }),
      );
    }
    if (firm.entered !== null) {
      if (expected.quantity !== null && firm.entered.quantity !== null && expected.quantity !== firm.entered.quantity) {
        exceptions.push(
          exception('quantity_mismatch', o, firm, {
            ...evidence(),
            expected: expected.quantity,
            actual: firm.entered.quantity,
          }),
        );
      }
      const price = priceDifference(expected, firm.entered);
      if (price !== null) exceptions.push(exception('price_mismatch', o, firm, { ...evidence(), ...price }));
    }
    const worse = fillsWorseThanLimit(instruction, firm);
    if (worse.length > 0) {
      exceptions.push(
        exception('price_mismatch', o, firm, {
          ...evidence(),
          reason: 'fill_worse_than_limit',
          executions: worse,
        }),
      );
    }
    const slaMs = (desk === null ? undefined : options.deskSlaMs[desk]) ?? options.slaMs;
    if (delayMs > slaMs) {
      exceptions.push(exception('late_entry', o, firm, { ...evidence(), slaMs, desk }));
    }
    checkChanges(instruction, firm, options, exceptions);
  }

  // Firm orders on IM-instructed accounts with no chat order behind them.
  const imAccounts = new Set<string>();
  /** Whose account each is: the exception names the client, so that it can be shown to their desks. */
  const accountClient = new Map<string, string>();
  for (const c of directory.list('client')) {
    if (c.kind !== 'client') continue;
    for (const a of c.accounts) {
      accountClient.set(a, c.id);
      if (c.imInstructed) imAccounts.add(a);
    }
  }
  for (const f of input.firmOrders) {
    if (taken.has(f) || !inPeriod(f.enteredAtMs, options)) continue;
    const byIm = f.channel !== null && /^(?:im|chat|instant[ _-]?messag)/i.test(f.channel.trim());
    if (!byIm && (f.account === null || !imAccounts.has(f.account))) continue;
    const e: ReconcileException = {
      type: 'order_without_instruction',
      messageId: null,
      platformMessageId: null,
      orderId: f.orderId,
      details: {
        firmOrder: firmEvidence(f),
        clientId: f.account === null ? null : (accountClient.get(f.account) ?? null),
        reason: byIm ? 'channel' : 'im_instructed_client',
      },
    };
    ANCHOR_MS.set(e, f.enteredAtMs);
    exceptions.push(e);
  }
  exceptions.sort((a, b) => ANCHOR_MS.get(a)! - ANCHOR_MS.get(b)! || a.type.localeCompare(b.type));
  return { exceptions, matches, unreconciled };
}

/** Amendments and cancellations sent after entry: each must show as a replacement or cancellation. */
function checkChanges(
  instruction: Instruction,
  firm: FirmOrder,
  options: ReconcileOptions,
  exceptions: ReconcileException[],
): void {
  for (const change of instruction.changes) {
    if (change.sentAtMs < firm.enteredAtMs) continue; // already in the terms entry is compared with
    if (firm.filledAtMs !== null && firm.filledAtMs <= change.sentAtMs) continue; // nothing left to change
    const after = (atMs: number | null) => atMs === null || atMs >= change.sentAtMs - CLOCK_SKEW_MS;
    const overdue = change.sentAtMs + options.windowMs <= options.nowMs;
    const evidence = {
      chatOrder: chatEvidence(change),
      changes: chatEvidence(instruction.order),
      firmOrder: firmEvidence(firm),
    };
    if (change.action === 'cancel') {
      if (firm.cancelled !== null && after(firm.cancelled.atMs)) continue;
      if (firm.cancelled !== null) continue; // cancelled before the client asked: nothing left to cancel
      if (overdue) exceptions.push(exception('cancel_not_applied', change, firm, evidence));
      continue;
    }
    if (firm.cancelled !== null && firm.cancelled.atMs !== null && firm.cancelled.atMs <= change.sentAtMs) continue;
    const versions = firm.versions.filter((v) => after(v.atMs));
    if (versions.length === 0) {
      if (overdue) exceptions.push(exception('amend_not_applied', change, firm, evidence));
      continue;
    }
    const applied = versions.at(-1)!;
    if (change.quantity !== null && applied.quantity !== null && change.quantity !== applied.quantity) {
      exceptions.push(
        exception('quantity_mismatch', change, firm, {
          ...evidence,
          expected: change.quantity,
          actual: applied.quantity,
        }),
      );
    }
    const price = priceDifference({ orderType: change.orderType, limitPrice: change.limitPrice }, applied);
    if (price !== null) exceptions.push(exception('price_mismatch', change, firm, { ...evidence, ...price }));
  }
}

/** The client's terms as of a time: the order, with each amendment sent by then applied. */
function termsAt(instruction: Instruction, atMs: number): Terms {
  const o = instruction.order;
  const terms: Terms = { side: o.side, quantity: o.quantity, orderType: o.orderType, limitPrice: o.limitPrice };
  for (const c of instruction.changes) {
    if (c.sentAtMs > atMs || c.action !== 'amend') continue;
    if (c.side !== null) terms.side = c.side;
    if (c.quantity !== null) terms.quantity = c.quantity;
    if (c.limitPrice !== null) {
      terms.limitPrice = c.limitPrice;
      terms.orderType = 'limit';
    } else if (c.orderType === 'market') {
      terms.orderType = 'market';
      terms.limitPrice = null;
    }
  }
  return terms;
}

function samePrice(a: number | null, b: number | null): boolean {
  return a !== null && b !== null && Math.abs(a - b) <= PRICE_EPSILON * Math.max(1, Math.abs(a));
}

/** How the firm's price terms differ from the client's, or null when they agree (or the client gave none). */
function priceDifference(
  expected: Pick<Terms, 'orderType' | 'limitPrice'>,
  actual: { orderType: string | null; limitPrice: number | null },
): Record<string, unknown> | null {
  if (expected.limitPrice !== null) {
    if (actual.orderType === 'market') return { expected: expected.limitPrice, actual: 'market' };
    if (actual.limitPrice !== null && !samePrice(expected.limitPrice, actual.limitPrice)) {
      return { expected: expected.limitPrice, actual: actual.limitPrice };
    }
    return null;
  }
  if (expected.orderType === 'market' && actual.orderType === 'limit' && actual.limitPrice !== null) {
    return { expected: 'market', actual: actual.limitPrice };
  }
  return null;
}

/** Fills at a price worse than the client's limit in force when each was made. */
function fillsWorseThanLimit(instruction: Instruction, firm: FirmOrder): Record<string, unknown>[] {
  const worse: Record<string, unknown>[] = [];
  for (const fill of firm.fills) {
    const terms = termsAt(instruction, fill.atMs ?? Number.POSITIVE_INFINITY);
    if (terms.limitPrice === null || terms.side === null) continue;
    const limit = terms.limitPrice;
    const bad = terms.side === 'buy' ? fill.price > limit + PRICE_EPSILON : fill.price < limit - PRICE_EPSILON;
    if (bad) {
      worse.push({
        execId: fill.execId,
        quantity: fill.quantity,
        price: fill.price,
        limit,
        at: fill.atMs === null ? null : new Date(fill.atMs).toISOString(),
        recordId: fill.recordId,
      });
    }
  }
  return worse;
}

function inPeriod(atMs: number, options: ReconcileOptions): boolean {
  return atMs >= options.fromMs && atMs < options.toMs;
}

/** When each exception happened (its message was sent, or its firm order entered): the order they are listed in. */
const ANCHOR_MS = new WeakMap<ReconcileException, number>();

function exception(
  type: ExceptionType,
  chat: StoredOrder,
  firm: FirmOrder | null,
  details: Record<string, unknown>,
): ReconcileException {
  const e: ReconcileException = {
    type,
    messageId: chat.messageId,
    platformMessageId: chat.platformMessageId,
    orderId: firm?.orderId ?? null,
    details,
  };
  ANCHOR_MS.set(e, chat.sentAtMs);
  return e;
}

function chatEvidence(o: StoredOrder): Record<string, unknown> {
  return {
    id: o.id,
    messageId: o.messageId,
    messageIndex: o.messageIndex,
    conversationId: o.conversationId,
    sentAt: new Date(o.sentAtMs).toISOString(),
    clientId: o.clientId,
    staffId: o.staffId,
    action: o.action,
    side: o.side,
    symbol: o.symbol,
    quantity: o.quantity,
    orderType: o.orderType,
    limitPrice: o.limitPrice,
  };
}

function firmEvidence(f: FirmOrder): Record<string, unknown> {
  return {
    orderId: f.orderId,
    account: f.account,
    symbol: f.symbol,
    side: f.side,
    quantity: f.entered?.quantity ?? null,
    orderType: f.entered?.orderType ?? null,
    limitPrice: f.entered?.limitPrice ?? null,
    enteredAt: new Date(f.enteredAtMs).toISOString(),
    channel: f.channel,
    status: f.status,
    versions: f.versions.map((v) => ({
      at: v.atMs === null ? null : new Date(v.atMs).toISOString(),
      quantity: v.quantity,
      orderType: v.orderType,
      limitPrice: v.limitPrice,
      recordId: v.recordId,
    })),
    cancelledAt:
      f.cancelled === null ? null : f.cancelled.atMs === null ? 'unknown' : new Date(f.cancelled.atMs).toISOString(),
    executions: f.fills.map((x) => ({
      execId: x.execId,
      quantity: x.quantity,
      price: x.price,
      at: x.atMs === null ? null : new Date(x.atMs).toISOString(),
      recordId: x.recordId,
    })),
    fromExecutionsOnly: f.fromExecutionsOnly,
    records: f.records,
  };
}
