/**
 * POST /capture/telegram/<bot>: a bot's webhook (setWebhook with secret_token). Telegram sends each
 * update once per request with X-Telegram-Bot-Api-Secret-Token, which is checked before the body is
 * read. Telegram signs nothing and sends no timestamp: a replayed request is caught by its update_id
 * (remembered per bot) and, failing that, by the archive's de-duplication, which stores nothing twice.
 * Telegram retries any request not answered 2xx; the answer is sent only once the update is durable.
 */
import type { FastifyInstance } from 'fastify';
import type { TelegramBotConfig } from '../../../config/capture.js';
import { StenoError } from '../../../core/errors.js';
import type { ConnectorDeps } from '../connector.js';
import { header, parseJson, rawBody, secretMatches } from '../routes.js';
import { mapTelegramUpdate, updateIdOf } from './map.js';

export const SECRET_TOKEN_HEADER = 'x-telegram-bot-api-secret-token';
/** Update ids remembered per bot: far more than Telegram keeps pending for a webhook. */
export const REMEMBERED_UPDATES = 10_000;

/** The update ids most recently archived for one bot, oldest forgotten first. */
export class RecentUpdates {
  private readonly ids = new Set<number>();

  constructor(private readonly capacity = REMEMBERED_UPDATES) {}

  has(id: number): boolean {
    return this.ids.has(id);
  }

  add(id: number): void {
    this.ids.add(id);
    // A Set iterates in insertion order: the first is the oldest.
    while (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as number);
  }
}

/** A bot's own user id is the part of its token before the colon. */
function botUserId(token: string | null): string | null {
  const id = token?.split(':')[0];
  return id !== undefined && /^\d{1,20}$/.test(id) ? id : null;
}

export function registerTelegram(
  capture: FastifyInstance,
  bots: Record<string, TelegramBotConfig>,
  deps: ConnectorDeps,
): void {
  const recent = new Map(Object.keys(bots).map((bot) => [bot, new RecentUpdates()]));
  capture.post<{ Params: { bot: string } }>('/capture/telegram/:bot', async (request, reply) => {
    const { bot } = request.params;
    const config = Object.hasOwn(bots, bot) ? bots[bot] : undefined;
    const seen = recent.get(bot);
    if (config === undefined || seen === undefined) {
      throw new StenoError('not_found', `no Telegram bot "${bot.slice(0, 64)}" is configured`);
    }
    const channel = `telegram:${bot}`;
    const now = deps.now();
    if (!secretMatches(header(request, SECRET_TOKEN_HEADER), config.secretTokens)) {
      deps.channels.signatureFailed(channel, 'telegram', now);
      throw new StenoError(
        'unauthorized',
        `send ${SECRET_TOKEN_HEADER} with the secret_token given to setWebhook for this bot`,
      );
    }
    const payload = parseJson(rawBody(request));
    const updateId = updateIdOf(payload);
    if (seen.has(updateId)) return reply.status(200).send({ created: 0, duplicate: 0, repeated: true });
    const { messages } = mapTelegramUpdate(payload, {
      bot,
      botUserId: botUserId(config.botToken),
      receivedAtMs: now,
    });
    const result = await deps.sink.deliver(channel, messages);
    // Remembered only once durable: a failed delivery is retried by Telegram and must be let in.
    seen.add(updateId);
    deps.channels.received(channel, 'telegram', messages.length, now);
    deps.channels.sequence(channel, 'telegram', updateId, now);
    return reply.status(200).send(result);
  });
}
