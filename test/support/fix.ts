/** FIX tag=value messages for tests and benchmarks, with BodyLength (9) and CheckSum (10) computed. */

export type FixFields = readonly (readonly [number, string | number])[];

const SOH = '\x01';

/** One message, delimited by SOH or `|` (CheckSum is computed as if by SOH, as FIX logs printed with `|` are). */
export function fixMessage(version: 'FIX.4.2' | 'FIX.4.4', fields: FixFields, delimiter = SOH): string {
  const body = fields.map(([tag, value]) => `${tag}=${value}${SOH}`).join('');
  const head = `8=${version}${SOH}9=${Buffer.byteLength(body, 'latin1')}${SOH}`;
  let sum = 0;
  for (const byte of Buffer.from(head + body, 'latin1')) sum += byte;
  const message = `${head}${body}10=${String(sum % 256).padStart(3, '0')}${SOH}`;
  return delimiter === SOH ? message : message.replaceAll(SOH, delimiter);
}

/** A FIX UTCTimestamp (`20260504-01:41:00.000`) for an ISO instant. */
export function fixTime(iso: string): string {
  const d = new Date(iso).toISOString();
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}-${d.slice(11, 23)}`;
}
