/**
 * Streams a WhatsApp text export twice: once to infer how its dates are written (and to find anything
 * that would stop the import, before anything is stored), then to deliver its messages in file order.
 * Memory stays flat: one line and one message at a time.
 */
import { StenoError } from '../../../core/errors.js';
import { readTextLines } from '../text-lines.js';
import { DateOrders, matchHeader, type WhatsAppMessage, WhatsAppParser } from './parse.js';

export async function inferDateOrders(path: string, what: string): Promise<DateOrders> {
  const vote = new DateOrders();
  for await (const { text } of readTextLines(path, what)) {
    const header = matchHeader(text);
    if (header !== null) vote.observe(header);
  }
  if (vote.count === 0) {
    throw new StenoError('invalid_input', `${what} is not a WhatsApp chat export: no line starts with a date and time`);
  }
  return vote;
}

export async function* readWhatsAppText(
  path: string,
  what: string,
  orders: DateOrders,
): AsyncGenerator<WhatsAppMessage> {
  const parser = new WhatsAppParser(orders, what);
  for await (const { number, text } of readTextLines(path, what)) {
    const message = parser.push(text, number);
    if (message !== null) yield message;
  }
  const last = parser.end();
  if (last !== null) yield last;
}
