/** An order in words, and where in its message each of its fields was read. */
import type { Order } from '../api/types';
import { formatDuration, formatNumber, words } from '../ui/format';
import type { TextSpan } from '../ui/highlight';

/** The text spans an order's fields were read from. */
export function orderSpans(order: Order): TextSpan[] {
  return Object.entries(order.spans).flatMap(([field, span]) =>
    span === undefined ? [] : [{ start: span[0], end: span[1], label: field }],
  );
}

/** `BUY 10,000 0700.HK limit 352 · day`; an amendment or cancellation says so. */
export function describeOrder(order: Order): string {
  const parts: string[] = [];
  if (order.action !== 'new') parts.push(order.action === 'amend' ? 'Amend:' : 'Cancel:');
  if (order.side !== null) parts.push(order.side.toUpperCase());
  if (order.quantity !== null) parts.push(formatNumber(order.quantity));
  parts.push(order.symbol);
  if (order.orderType === 'market') parts.push('at market');
  else if (order.limitPrice !== null) parts.push(`limit ${order.limitPrice}`);
  const text = parts.join(' ');
  return order.timeInForce === null ? text : `${text} · ${order.timeInForce}`;
}

/** An exception's own details, in words; the chat and firm orders it names are on the page already. */
export function exceptionDetails(details: Record<string, unknown>): string {
  const parts = Object.entries(details)
    .filter(([key, value]) => key !== 'chatOrder' && key !== 'firmOrder' && value !== null && value !== undefined)
    .map(([key, value]) => {
      if (key.endsWith('Ms') && typeof value === 'number')
        return `${words(key.slice(0, -2))}: ${formatDuration(value)}`;
      return `${words(key)}: ${detailValue(value)}`;
    });
  return parts.length === 0 ? '' : `(${parts.join('; ')})`;
}

/** A detail's value as text: a list of names as a list, anything structured as JSON. */
function detailValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
    return value.join(', ');
  return JSON.stringify(value);
}
