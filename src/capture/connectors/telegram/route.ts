import type { FastifyInstance } from 'fastify';
import type { TelegramBotConfig } from '../../../config/capture.js';
import type { ConnectorDeps } from '../connector.js';

export function registerTelegram(
  _capture: FastifyInstance,
  _bots: Record<string, TelegramBotConfig>,
  _deps: ConnectorDeps,
): void {}
