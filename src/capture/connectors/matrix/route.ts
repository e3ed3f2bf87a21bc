import type { FastifyInstance } from 'fastify';
import type { MatrixConfig } from '../../../config/capture.js';
import type { ConnectorDeps } from '../connector.js';

export function registerMatrix(_capture: FastifyInstance, _config: MatrixConfig, _deps: ConnectorDeps): void {}
