/**
 * Links between the orders of one conversation, worked out from the whole conversation at once so the
 * answer does not depend on the order messages were archived in (an import can bring older messages
 * after newer ones). Pure: no I/O.
 * - An amendment or cancellation changes the most recent open order before it from the same client
 *   (or, for a sender the directory does not know, the same handle) in the same instrument, and on the
 *   same side when it names one. A cancelled order is no longer open; an amended one still is. Links
 *   always point at the original order, so a chain of amendments leads back to what was first asked.
 * - An edit of an order message replaces its orders: the orders the edited text gives are the open ones,
 *   and each order of the earlier text is marked revised by the edit's first order.
 * - A confirmation staff sent ("Received: BUY 10,000 0700.HK …") acknowledges the most recent order
 *   before it that it repeats and that no earlier confirmation acknowledged.
 */
import type { OrderTerms } from './acknowledge.js';

export interface LinkableOrder extends OrderTerms {
  id: string;
  messageIndex: number;
  ordinal: number;
  sentAtMs: number;
  /** Who gave it: `client:ID` when the directory knows the sender, else `handle:HANDLE`. */
  party: string;
  platformMessageId: string | null;
  /** On an order read from an edit: the platform message id of the message it edits. */
  revises: string | null;
}

export interface LinkableAck {
  messageIndex: number;
  sentAtMs: number;
  /** The orders the confirmation repeats, as read from its text. */
  repeats: OrderTerms[];
}

export interface ConversationLinks {
  /** For each amendment and cancellation, the order it changes, or null when none is clear. */
  changes: Map<string, string | null>;
  /** For each order, the confirmation that acknowledged it, or null. */
  acknowledgedBy: Map<string, number | null>;
  /** For each order, the first order of the latest edit of its message, or null. */
  revisedBy: Map<string, string | null>;
}

const byTime = <T extends { sentAtMs: number; messageIndex: number }>(a: T, b: T) =>
  a.sentAtMs - b.sentAtMs || a.messageIndex - b.messageIndex;

export function linkConversation(orders: readonly LinkableOrder[], acks: readonly LinkableAck[]): ConversationLinks {
  const sorted = [...orders].sort((a, b) => byTime(a, b) || a.ordinal - b.ordinal);
  const changes = new Map<string, string | null>();
  const revisedBy = new Map<string, string | null>(orders.map((o) => [o.id, null]));
  const open = new Map<string, LinkableOrder[]>();
  for (const order of sorted) {
    if (order.revises !== null && order.ordinal === 0) {
      // Every order of the edited message (or of an earlier edit of it) gives way to the edit's.
      for (const earlier of sorted) {
        if (earlier === order) break;
        if (earlier.platformMessageId !== order.revises && earlier.revises !== order.revises) continue;
        if (earlier.messageIndex === order.messageIndex) continue;
        revisedBy.set(earlier.id, order.id);
        for (const list of open.values()) {
          const at = list.indexOf(earlier);
          if (at !== -1) list.splice(at, 1);
        }
      }
    }
    const key = `${order.party}\u0000${order.symbol}`;
    const candidates = open.get(key) ?? [];
    if (order.action === 'new') {
      candidates.push(order);
      open.set(key, candidates);
      continue;
    }
    const target = candidates.findLast((c) => order.side == null || c.side === order.side) ?? null;
    changes.set(order.id, target?.id ?? null);
    if (order.action === 'cancel' && target !== null) candidates.splice(candidates.indexOf(target), 1);
  }

  const acknowledgedBy = new Map<string, number | null>(orders.map((o) => [o.id, null]));
  for (const ack of [...acks].sort(byTime)) {
    for (const repeat of ack.repeats) {
      const target = sorted.findLast(
        (o) =>
          acknowledgedBy.get(o.id) === null &&
          (o.sentAtMs < ack.sentAtMs || (o.sentAtMs === ack.sentAtMs && o.messageIndex < ack.messageIndex)) &&
          repeats(repeat, o),
      );
      if (target !== undefined) acknowledgedBy.set(target.id, ack.messageIndex);
    }
  }
  return { changes, acknowledgedBy, revisedBy };
}

/** Whether a confirmation's reading of an order agrees with the order: every field it states matches. */
function repeats(ack: OrderTerms, order: OrderTerms): boolean {
  if (ack.action !== order.action || ack.symbol !== order.symbol) return false;
  const agrees = <T>(a: T | null | undefined, o: T | null | undefined) => a == null || a === o;
  return (
    agrees(ack.side, order.side) &&
    agrees(ack.quantity, order.quantity) &&
    agrees(ack.limitPrice, order.limitPrice) &&
    (ack.orderType == null || ack.orderType === 'unspecified' || ack.orderType === order.orderType)
  );
}
