/**
 * Meta signs each webhook POST with the app secret: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app
 * secret, raw body)>`. Checked on the raw bytes, before anything is parsed, against each secret (two
 * while one is rotated).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { StenoError } from '../../../core/errors.js';

export const HUB_SIGNATURE_HEADER = 'x-hub-signature-256';
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

export function hubSignature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Throws `unauthorized` saying what was wrong, never which secret came close. */
export function verifyHubSignature(secrets: readonly string[], signature: string | undefined, body: Buffer): void {
  if (signature === undefined) throw new StenoError('unauthorized', `sign the request: send ${HUB_SIGNATURE_HEADER}`);
  const presented = SIGNATURE.exec(signature);
  if (presented === null)
    throw new StenoError('unauthorized', `${HUB_SIGNATURE_HEADER} must be sha256=<64 hex digits>`);
  const given = Buffer.from(presented[1]!.toLowerCase(), 'hex');
  for (const secret of secrets) {
    if (timingSafeEqual(given, createHmac('sha256', secret).update(body).digest())) return;
  }
  throw new StenoError('unauthorized', 'the signature does not match the body');
}
