import { randomBytesPooled } from './hash.js';

/**
 * Record ids are UUIDv7 (RFC 9562 §5.7): time-ordered, so ids sort roughly in capture order, and
 * random enough that two capture nodes never collide.
 */
export function newRecordId(now: number = Date.now()): string {
  const bytes = Buffer.from(randomBytesPooled(16));
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const RECORD_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
