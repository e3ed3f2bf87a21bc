import type { FastifyInstance } from 'fastify';
import type { WhatsAppConfig } from '../../../config/capture.js';
import type { ConnectorDeps } from '../connector.js';

export function registerWhatsApp(_capture: FastifyInstance, _config: WhatsAppConfig, _deps: ConnectorDeps): void {}
