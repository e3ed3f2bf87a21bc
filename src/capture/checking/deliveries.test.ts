import { afterEach, describe, expect, it } from 'vitest';
import { CHAT, message } from '../../../test/support/messages.js';
import { isStenoError } from '../../core/errors.js';
import type { PreparedMessage } from '../ingest.js';
import { type DeliveryChecker, deliveryChecker, deliveryThreads } from './deliveries.js';

const MAX = 1024 * 1024;
const open: DeliveryChecker[] = [];
function checker(threads: number): DeliveryChecker {
  const c = deliveryChecker({ maxAttachmentBytes: MAX, threads });
  open.push(c);
  return c;
}
afterEach(async () => {
  for (const c of open.splice(0)) await c[Symbol.asyncDispose]();
});

/** What must not depend on the thread: all but the salt and record id, which are random by design. */
function essence(m: PreparedMessage) {
  return { content: m.record.contentBytes.toString('utf8'), type: m.record.type, row: m.row };
}

async function problemsOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isStenoError(error) && error.code === 'invalid_input') return error.message;
    throw error;
  }
  throw new Error('expected the delivery to be refused');
}

describe('delivery checking', () => {
  it('prepares the same messages on a worker thread as on the calling thread', async () => {
    const here = await checker(0).check(CHAT);
    const there = await checker(1).check(CHAT);
    expect(there).toHaveLength(CHAT.length);
    expect(there.map(essence)).toEqual(here.map(essence));
    // A prepared record is whole: its leaf hash and salt came back across the thread.
    for (const m of there) {
      expect(m.record.hash).toHaveLength(32);
      expect(m.record.salt.length).toBeGreaterThan(0);
    }
  });

  it('refuses a whole delivery for one bad message, naming it by position, on either thread', async () => {
    const delivery = [message(), message({ platformMessageId: 'm2', sentAt: 'yesterday' }), undefined];
    for (const threads of [0, 1]) {
      const problems = await problemsOf(checker(threads).check(delivery));
      expect(problems).toMatch(/\[1\]/);
      expect(problems).toMatch(/sentAt/);
      expect(problems).toMatch(/\[2\]/);
      expect(problems).not.toMatch(/\[0\]/);
    }
  });

  it('checks on the calling thread once its worker threads are gone', async () => {
    const c = checker(1);
    expect(await c.check([message()])).toHaveLength(1);
    await c[Symbol.asyncDispose]();
    const after = await c.check([message({ platformMessageId: 'later' })]);
    expect(after.map((m) => m.row.platformMessageId)).toEqual(['later']);
  });

  it('leaves one core to the thread that answers HTTP, and uses none on a single core', () => {
    expect(deliveryThreads(1)).toBe(0);
    expect(deliveryThreads(2)).toBe(1);
    expect(deliveryThreads(4)).toBe(3);
    expect(deliveryThreads(64)).toBe(4);
  });
});
