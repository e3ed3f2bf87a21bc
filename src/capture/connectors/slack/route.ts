/**
 * POST /capture/slack: the Slack Events API request URL.
 *
 * Every request is checked against X-Slack-Signature on the raw body first (signature.ts), and a
 * signature seen before within the five-minute window is refused as a replay. Then:
 * - `url_verification` is answered with its challenge, and nothing is stored;
 * - `event_callback` is mapped (map.ts) and answered 200 once durable. Slack retries a request that is
 *   not answered 2xx within three seconds (X-Slack-Retry-Num), signed afresh; a retry carries the same
 *   event, maps to the same message ids and stores nothing new.
 */
import type { FastifyInstance } from 'fastify';
import type { SlackConfig } from '../../../config/capture.js';
import type { ConnectorDeps } from '../connector.js';
import { header, parseJson, rawBody } from '../routes.js';
import { ReplayGuard } from '../webhook/signature.js';
import { mapSlackRequest } from './map.js';
import { SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, verifySlackSignature } from './signature.js';

/** Where authentication failures are counted: before the signature, the body's team_id is not trusted. */
export const SLACK_UNVERIFIED_CHANNEL = 'slack:unknown';

export function registerSlack(capture: FastifyInstance, config: SlackConfig, deps: ConnectorDeps): void {
  const replays = new ReplayGuard();
  capture.post('/capture/slack', async (request, reply) => {
    const body = rawBody(request);
    const nowMs = deps.now();
    let signature: string;
    try {
      signature = verifySlackSignature({
        secrets: config.signingSecrets,
        timestamp: header(request, SLACK_TIMESTAMP_HEADER),
        signature: header(request, SLACK_SIGNATURE_HEADER),
        body,
        nowMs,
      });
      replays.check(`slack:${signature}`, nowMs);
    } catch (error) {
      deps.channels.signatureFailed(SLACK_UNVERIFIED_CHANNEL, 'slack', nowMs);
      throw error;
    }
    try {
      const mapped = mapSlackRequest(parseJson(body));
      if (mapped.type === 'url_verification') return reply.status(200).send({ challenge: mapped.challenge });
      if (mapped.type === 'ignore') {
        request.log.info({ reason: mapped.reason }, 'a Slack request with nothing to archive');
        return reply.status(200).send({});
      }
      await deps.sink.deliver(mapped.channel, mapped.messages);
      // A retry counts too: Slack sent it, whether or not it was new to the archive.
      deps.channels.received(mapped.channel, 'slack', mapped.messages.length, nowMs);
      return reply.status(200).send({});
    } catch (error) {
      // A refused or failed delivery is retried by Slack, signed afresh, but the same request may also be
      // sent again as it was: it must not be taken for a replay.
      replays.forget(`slack:${signature}`);
      throw error;
    }
  });
}
