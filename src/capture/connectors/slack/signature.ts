/**
 * Slack signs every Events API request with the app's signing secret (Slack's "Verifying requests from
 * Slack"):
 *
 *   X-Slack-Request-Timestamp: 1778560200                  (Unix seconds)
 *   X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:1778560200:" ‖ raw body)>
 *
 * Checked on the raw bytes, before anything is parsed, against each secret (two while one is rotated). A
 * request more than five minutes from now, either way, is refused: Slack signs each retry afresh, so an
 * old signature is only ever a replay. Pure apart from the clock the caller passes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { StenoError } from '../../../core/errors.js';

export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
/** How far a request's timestamp may be from now, either way (Slack's own advice). */
export const SLACK_MAX_SKEW_SECONDS = 300;
/** The only signature version Slack defines so far. */
const VERSION = 'v0';
const SIGNATURE = /^v0=([0-9a-fA-F]{64})$/;
const TIMESTAMP = /^\d{1,12}$/;

function digest(secret: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}:${timestamp}:`).update(body).digest();
}

/** The X-Slack-Signature Slack would send for this body at this timestamp. */
export function slackSignature(secret: string, timestamp: string, body: Buffer): string {
  return `${VERSION}=${digest(secret, timestamp, body).toString('hex')}`;
}

/**
 * Checks a request against each signing secret; returns the signature's hex (for the replay check) or
 * throws `unauthorized` saying what was wrong, never which secret came close.
 */
export function verifySlackSignature(input: {
  secrets: readonly string[];
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  nowMs: number;
}): string {
  const { timestamp, signature } = input;
  if (timestamp === undefined || signature === undefined) {
    throw new StenoError(
      'unauthorized',
      `sign the request: send ${SLACK_TIMESTAMP_HEADER} and ${SLACK_SIGNATURE_HEADER}`,
    );
  }
  if (!TIMESTAMP.test(timestamp)) {
    throw new StenoError('unauthorized', `${SLACK_TIMESTAMP_HEADER} must be Unix seconds`);
  }
  if (Math.abs(input.nowMs / 1000 - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) {
    throw new StenoError(
      'unauthorized',
      `${SLACK_TIMESTAMP_HEADER} is more than ${SLACK_MAX_SKEW_SECONDS} s from now: refused`,
    );
  }
  const presented = SIGNATURE.exec(signature);
  if (presented === null) {
    throw new StenoError('unauthorized', `${SLACK_SIGNATURE_HEADER} must be v0=<64 hex digits>`);
  }
  const hex = presented[1]!.toLowerCase();
  // Both sides are 32-byte HMAC outputs, so they compare in equal time.
  const given = Buffer.from(hex, 'hex');
  let match = false;
  for (const secret of input.secrets) {
    if (timingSafeEqual(given, digest(secret, timestamp, input.body))) match = true;
  }
  if (!match) throw new StenoError('unauthorized', 'the signature does not match the body');
  return hex;
}
