import { describe, expect, it } from 'vitest';
import { type LinkableAck, type LinkableOrder, linkConversation } from './links.js';

let next = 0;
function order(fields: Partial<LinkableOrder> & Pick<LinkableOrder, 'action' | 'symbol' | 'sentAtMs'>): LinkableOrder {
  const messageIndex = fields.messageIndex ?? next++;
  return {
    id: `${messageIndex}.${fields.ordinal ?? 0}`,
    messageIndex,
    ordinal: 0,
    party: 'client:C1',
    platformMessageId: `wamid.${messageIndex}`,
    revises: null,
    ...fields,
  };
}

describe('linkConversation', () => {
  it('links an amendment and a cancellation to the most recent open order of the same client and instrument', () => {
    const first = order({ action: 'new', side: 'buy', symbol: '0700.HK', quantity: 10_000, sentAtMs: 1000 });
    const second = order({ action: 'new', side: 'buy', symbol: '0700.HK', quantity: 5000, sentAtMs: 2000 });
    const other = order({ action: 'new', side: 'buy', symbol: '0005.HK', quantity: 400, sentAtMs: 2500 });
    const amend = order({ action: 'amend', symbol: '0700.HK', limitPrice: 350, sentAtMs: 3000 });
    const cancel = order({ action: 'cancel', symbol: '0700.HK', sentAtMs: 4000 });
    const cancelAgain = order({ action: 'cancel', symbol: '0700.HK', sentAtMs: 5000 });
    const cancelThird = order({ action: 'cancel', symbol: '0700.HK', sentAtMs: 6000 });
    const { changes } = linkConversation([first, second, other, amend, cancel, cancelAgain, cancelThird], []);
    expect(changes.get(amend.id)).toBe(second.id);
    // The cancellation closes the second order; the next one reaches back to the first; then none is open.
    expect(changes.get(cancel.id)).toBe(second.id);
    expect(changes.get(cancelAgain.id)).toBe(first.id);
    expect(changes.get(cancelThird.id)).toBeNull();
    expect(changes.has(first.id)).toBe(false);
  });

  it('does not link across clients, and keeps to the side an amendment names', () => {
    const buy = order({ action: 'new', side: 'buy', symbol: '0700.HK', sentAtMs: 1000 });
    const sell = order({ action: 'new', side: 'sell', symbol: '0700.HK', sentAtMs: 2000 });
    const otherClient = order({ action: 'cancel', symbol: '0700.HK', sentAtMs: 3000, party: 'client:C2' });
    const cancelBuy = order({ action: 'cancel', side: 'buy', symbol: '0700.HK', sentAtMs: 4000 });
    const { changes } = linkConversation([buy, sell, otherClient, cancelBuy], []);
    expect(changes.get(otherClient.id)).toBeNull();
    expect(changes.get(cancelBuy.id)).toBe(buy.id);
  });

  it('never links to an order sent after the change, and gives the same answer whatever order messages arrive in', () => {
    const amend = order({ action: 'amend', symbol: '0700.HK', limitPrice: 351, sentAtMs: 1000 });
    const later = order({ action: 'new', side: 'buy', symbol: '0700.HK', sentAtMs: 2000 });
    const earlier = order({ action: 'new', side: 'buy', symbol: '0700.HK', sentAtMs: 500 });
    const forwards = linkConversation([earlier, amend, later], []).changes;
    const backwards = linkConversation([later, amend, earlier], []).changes;
    expect(forwards.get(amend.id)).toBe(earlier.id);
    expect([...backwards]).toEqual([...forwards]);
  });

  it('lets an edit of an order message take the place of its orders', () => {
    const original = order({ action: 'new', side: 'buy', symbol: '0700.HK', quantity: 10_000, sentAtMs: 1000 });
    const edit = order({
      action: 'new',
      side: 'buy',
      symbol: '0700.HK',
      quantity: 20_000,
      sentAtMs: 1500,
      revises: original.platformMessageId,
    });
    const secondEdit = order({
      action: 'new',
      side: 'buy',
      symbol: '0700.HK',
      quantity: 30_000,
      sentAtMs: 1600,
      revises: original.platformMessageId,
    });
    const cancel = order({ action: 'cancel', symbol: '0700.HK', sentAtMs: 2000 });
    const cancelAgain = order({ action: 'cancel', symbol: '0700.HK', sentAtMs: 3000 });
    const links = linkConversation([cancelAgain, cancel, secondEdit, edit, original], []);
    expect(links.revisedBy.get(original.id)).toBe(secondEdit.id);
    expect(links.revisedBy.get(edit.id)).toBe(secondEdit.id);
    expect(links.revisedBy.get(secondEdit.id)).toBeNull();
    expect(links.changes.get(cancel.id)).toBe(secondEdit.id);
    // The edited orders are not open: nothing is left to cancel.
    expect(links.changes.get(cancelAgain.id)).toBeNull();
  });

  it('links a confirmation to the latest earlier order it repeats that no other confirmation took', () => {
    const a = order({
      action: 'new',
      side: 'buy',
      symbol: '0700.HK',
      quantity: 10_000,
      limitPrice: 352,
      orderType: 'limit',
      sentAtMs: 1000,
    });
    const b = order({
      action: 'new',
      side: 'buy',
      symbol: '0700.HK',
      quantity: 10_000,
      limitPrice: 352,
      orderType: 'limit',
      sentAtMs: 2000,
    });
    const c = order({
      action: 'new',
      side: 'sell',
      symbol: '0005.HK',
      quantity: 400,
      orderType: 'market',
      sentAtMs: 2500,
    });
    const repeatAB = { action: 'new', side: 'buy', symbol: '0700.HK', quantity: 10_000, limitPrice: 352 } as const;
    const acks: LinkableAck[] = [
      { messageIndex: 100, sentAtMs: 3000, repeats: [repeatAB] },
      { messageIndex: 101, sentAtMs: 3100, repeats: [repeatAB] },
      // Repeats a different price: acknowledges nothing.
      { messageIndex: 102, sentAtMs: 3200, repeats: [{ ...repeatAB, limitPrice: 353 }] },
      // Sent before the order it would repeat.
      {
        messageIndex: 103,
        sentAtMs: 2400,
        repeats: [{ action: 'new', side: 'sell', symbol: '0005.HK', quantity: 400 }],
      },
    ];
    const { acknowledgedBy } = linkConversation([a, b, c], acks);
    expect(acknowledgedBy.get(b.id)).toBe(100);
    expect(acknowledgedBy.get(a.id)).toBe(101);
    expect(acknowledgedBy.get(c.id)).toBeNull();
  });
});
