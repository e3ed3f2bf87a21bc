/**
 * The generic signed webhook for a firm's in-house systems: each source has its own secret (two during a
 * rotation), and signs `<timestamp>.<raw body>` with HMAC-SHA256:
 *
 *   X-Steno-Timestamp: 1778600000            (Unix seconds)
 *   X-Steno-Signature: v1=<hex HMAC-SHA256(secret, "1778600000." ‖ raw body)>
 *
 * The signature is checked on the raw bytes before anything is parsed; a request older or newer than
 * five minutes is refused, and so is a signature seen before (a replay). Pure apart from the clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { StenoError } from '../../../core/errors.js';

export const SIGNATURE_HEADER = 'x-steno-signature';
export const TIMESTAMP_HEADER = 'x-steno-timestamp';
/** How far a request's timestamp may be from now, either way. */
export const MAX_SKEW_SECONDS = 300;
const SIGNATURE = /^v1=([0-9a-f]{64})$/;

export function webhookSignature(secret: string, timestamp: string, body: Buffer): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Checks a request's signature against each of the source's secrets; returns the signature (for the
 * replay check) or throws `unauthorized` saying what was wrong, never which secret came close.
 */
export function verifyWebhook(input: {
  secrets: readonly string[];
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  nowMs: number;
}): string {
  const { timestamp, signature } = input;
  if (timestamp === undefined || signature === undefined) {
    throw new StenoError('unauthorized', `sign the request: send ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER}`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new StenoError('unauthorized', `${TIMESTAMP_HEADER} must be Unix seconds`);
  }
  if (Math.abs(input.nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) {
    throw new StenoError('unauthorized', `${TIMESTAMP_HEADER} is more than ${MAX_SKEW_SECONDS} s from now: refused`);
  }
  const presented = SIGNATURE.exec(signature);
  if (presented === null) {
    throw new StenoError('unauthorized', `${SIGNATURE_HEADER} must be v1=<64 hex digits>`);
  }
  const given = Buffer.from(presented[1]!, 'hex');
  for (const secret of input.secrets) {
    const expected = Buffer.from(webhookSignature(secret, timestamp, input.body).slice(3), 'hex');
    if (timingSafeEqual(given, expected)) return presented[1]!;
  }
  throw new StenoError('unauthorized', 'the signature does not match the body');
}

/**
 * Signatures seen within the skew window: a second request with one is a replay. A request outside the
 * window is refused by its timestamp, so nothing older needs keeping.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  /** Throws `unauthorized` if the signature was seen; otherwise remembers it. */
  check(signature: string, nowMs: number): void {
    for (const [s, at] of this.seen) {
      if (nowMs - at <= 2 * MAX_SKEW_SECONDS * 1000) break; // insertion order: the rest are newer
      this.seen.delete(s);
    }
    if (this.seen.has(signature)) throw new StenoError('unauthorized', 'this request was delivered before (a replay)');
    this.seen.set(signature, nowMs);
  }

  /** Forgets a signature whose request failed, so that the sender's retry is not taken for a replay. */
  forget(signature: string): void {
    this.seen.delete(signature);
  }
}
