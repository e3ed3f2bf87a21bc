/**
 * /capture/whatsapp: the WhatsApp Business Cloud API webhook.
 * - GET answers Meta's subscription handshake: hub.mode=subscribe with our verify token → hub.challenge.
 * - POST is checked against X-Hub-Signature-256 on the raw body, mapped, and answered 200 once durable.
 *   Meta retries a delivery that is not answered 200 (for up to seven days); a retry, or a replayed
 *   body, maps to the same message ids and stores nothing new. A stale body cannot be refused by age:
 *   Meta's own retries are legitimately old.
 */
import type { FastifyInstance } from 'fastify';
import type { WhatsAppConfig } from '../../../config/capture.js';
import { StenoError } from '../../../core/errors.js';
import type { ConnectorDeps } from '../connector.js';
import { header, parseJson, rawBody, secretMatches } from '../routes.js';
import { mapWhatsAppPayload } from './map.js';
import { HUB_SIGNATURE_HEADER, verifyHubSignature } from './signature.js';

export function registerWhatsApp(capture: FastifyInstance, config: WhatsAppConfig, deps: ConnectorDeps): void {
  capture.get<{ Querystring: Record<string, string | undefined> }>('/capture/whatsapp', async (request, reply) => {
    const q = request.query;
    if (q['hub.mode'] !== 'subscribe' || q['hub.challenge'] === undefined) {
      throw new StenoError('invalid_input', 'expected hub.mode=subscribe, hub.verify_token and hub.challenge');
    }
    if (!secretMatches(q['hub.verify_token'], config.verifyTokens)) {
      deps.channels.signatureFailed('whatsapp:subscription', 'whatsapp', deps.now());
      throw new StenoError('forbidden', 'hub.verify_token is not the configured verify token');
    }
    return reply.type('text/plain; charset=utf-8').send(q['hub.challenge'].slice(0, 1024));
  });

  capture.post('/capture/whatsapp', async (request, reply) => {
    const body = rawBody(request);
    const now = deps.now();
    try {
      verifyHubSignature(config.appSecrets, header(request, HUB_SIGNATURE_HEADER), body);
    } catch (error) {
      // The body is not trusted yet: the failure is the app's, not one number's.
      deps.channels.signatureFailed('whatsapp:unverified', 'whatsapp', now);
      throw error;
    }
    const batches = mapWhatsAppPayload(parseJson(body));
    let created = 0;
    let duplicate = 0;
    for (const batch of batches) {
      const result = await deps.sink.deliver(batch.channel, batch.messages);
      created += result.created;
      duplicate += result.duplicate;
    }
    for (const batch of batches) deps.channels.received(batch.channel, 'whatsapp', batch.messages.length, now);
    return reply.status(200).send({ created, duplicate });
  });
}
