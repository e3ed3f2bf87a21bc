/**
 * The capture routes, under /capture/…: each connector's, in one Fastify plugin whose bodies stay raw
 * Buffers, because every platform signs the bytes it sent and a signature is checked before anything
 * is parsed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaptureConfig } from '../../config/capture.js';
import { StenoError } from '../../core/errors.js';
import type { ConnectorDeps } from './connector.js';
import { registerMatrix } from './matrix/route.js';
import { registerSlack } from './slack/route.js';
import { registerTelegram } from './telegram/route.js';
import { registerWebhook } from './webhook/route.js';
import { registerWhatsApp } from './whatsapp/route.js';

export async function registerCapture(
  app: FastifyInstance,
  settings: { capture: CaptureConfig; webhookSources: Record<string, string[]> },
  deps: ConnectorDeps,
): Promise<void> {
  await app.register(async (capture) => {
    capture.removeAllContentTypeParsers();
    capture.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    registerWebhook(capture, settings.webhookSources, deps);
    if (settings.capture.whatsapp !== null) registerWhatsApp(capture, settings.capture.whatsapp, deps);
    if (settings.capture.telegram !== null) registerTelegram(capture, settings.capture.telegram, deps);
    if (settings.capture.slack !== null) registerSlack(capture, settings.capture.slack, deps);
    if (settings.capture.matrix !== null) registerMatrix(capture, settings.capture.matrix, deps);
  });
}

/** The raw body of a capture request (empty when none was sent). */
export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** One header's value, when sent once. */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Whether a presented token (a verify token, a secret token, an hs_token) is one of the configured
 * ones, two while rotating. Both sides are hashed first: equal lengths for the equal-time comparison,
 * and the configured token's length is not revealed. Every token is compared, whichever matches.
 */
export function secretMatches(presented: string | undefined, secrets: readonly string[]): boolean {
  if (presented === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  const given = digest(presented);
  let matched = false;
  for (const secret of secrets) matched = timingSafeEqual(given, digest(secret)) || matched;
  return matched;
}

/** Parses a body already authenticated; a malformed one is the sender's error, named as such. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new StenoError('invalid_input', `the body is not valid JSON: ${(error as Error).message}`);
  }
}
