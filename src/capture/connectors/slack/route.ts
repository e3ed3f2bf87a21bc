import type { FastifyInstance } from 'fastify';
import type { SlackConfig } from '../../../config/capture.js';
import type { ConnectorDeps } from '../connector.js';

export function registerSlack(_capture: FastifyInstance, _config: SlackConfig, _deps: ConnectorDeps): void {}
