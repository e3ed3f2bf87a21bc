/**
 * POST /capture/webhook/<source>: the generic signed webhook (see signature.ts). The payload is the
 * ingest schema: one message or an array. An optional X-Steno-Sequence header (a whole number the
 * source increases by one per delivery) lets Steno notice deliveries that never arrived.
 */
import type { FastifyInstance } from 'fastify';
import { StenoError } from '../../../core/errors.js';
import type { ConnectorDeps } from '../connector.js';
import { header, parseJson, rawBody } from '../routes.js';
import { ReplayGuard, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from './signature.js';

export const SEQUENCE_HEADER = 'x-steno-sequence';

export function registerWebhook(
  capture: FastifyInstance,
  sources: Record<string, string[]>,
  deps: ConnectorDeps,
): void {
  const replays = new ReplayGuard();
  capture.post<{ Params: { source: string } }>('/capture/webhook/:source', async (request, reply) => {
    const { source } = request.params;
    const secrets = Object.hasOwn(sources, source) ? sources[source] : undefined;
    if (secrets === undefined) {
      throw new StenoError('not_found', `no webhook source "${source.slice(0, 64)}" is configured`);
    }
    const channel = `webhook:${source}`;
    const body = rawBody(request);
    const nowMs = deps.now();
    let signature: string;
    try {
      signature = verifyWebhook({
        secrets,
        timestamp: header(request, TIMESTAMP_HEADER),
        signature: header(request, SIGNATURE_HEADER),
        body,
        nowMs,
      });
      replays.check(`${source}:${signature}`, nowMs);
    } catch (error) {
      deps.channels.signatureFailed(channel, 'other', nowMs);
      throw error;
    }
    try {
      const payload = parseJson(body);
      const batch = Array.isArray(payload);
      const items: unknown[] = batch ? payload : [payload];
      if (items.length === 0) throw new StenoError('invalid_input', 'the array is empty: send at least one message');
      const sequence = header(request, SEQUENCE_HEADER);
      if (sequence !== undefined && !/^\d{1,15}$/.test(sequence)) {
        throw new StenoError('invalid_input', `${SEQUENCE_HEADER} must be a whole number`);
      }
      const result = await deps.sink.deliver(channel, items);
      deps.channels.received(channel, 'other', items.length, nowMs);
      if (sequence !== undefined) deps.channels.sequence(channel, 'other', Number(sequence), nowMs);
      return reply.status(result.created > 0 ? 201 : 200).send({ accepted: items.length, ...result });
    } catch (error) {
      // A refused or failed delivery may be sent again, signed the same way.
      replays.forget(`${source}:${signature}`);
      throw error;
    }
  });
}
