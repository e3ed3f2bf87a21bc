/** After messages are stored: read them for orders, and say what was found (or why nothing was read). */
import type { Steno } from '../context.js';
import type { Output } from './output.js';

export interface OrdersRead {
  messagesRead: number;
  ordersFound: number;
  seconds: number;
  /** Why no orders were read (no security master yet), or why reading failed. */
  note?: string;
}

/**
 * Messages stored stay stored whatever happens here: a failure to read orders is reported, not fatal,
 * and the next catch-up (the server's, or the next command's) reads them.
 */
export async function readOrdersAfterImport(steno: Steno, out: Output, json: boolean): Promise<OrdersRead> {
  const started = performance.now();
  let result: OrdersRead;
  try {
    const r = await steno.orders.catchUp();
    result = { messagesRead: r.messages, ordersFound: r.orders, seconds: 0 };
    if (r.waiting !== undefined) result.note = r.waiting;
    if (!json) {
      // Waiting is not an error: the firm has not loaded its security master yet.
      out.stdout(`${r.waiting ?? `${r.orders} order(s) read from ${r.messages} message(s)`}\n`);
    }
  } catch (error) {
    const note = `orders were not read (the next catch-up retries): ${(error as Error).message}`;
    result = { messagesRead: 0, ordersFound: 0, seconds: 0, note };
    out.stderr(`steno: ${note}\n`);
  }
  result.seconds = Number(((performance.now() - started) / 1000).toFixed(3));
  return result;
}
