/**
 * /capture/matrix: a Matrix application service. The registration's `url` is
 * `https://<steno>/capture/matrix`, so the homeserver calls (Application Service API v1):
 * - PUT  …/_matrix/app/v1/transactions/{txnId}  the room events, answered 200 {} once durable;
 * - GET  …/_matrix/app/v1/users/{userId}, …/rooms/{alias}  queries: Steno provisions no users or rooms;
 * - POST …/_matrix/app/v1/ping  the homeserver checking that we are reachable.
 *
 * Every request must carry `Authorization: Bearer <hs_token>`, checked before the body is read. Only
 * the header is accepted: the older `access_token` query parameter would put the token in URLs and logs.
 * Errors of authentication use Matrix's own shape, which homeservers log for their operators.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MatrixConfig } from '../../../config/capture.js';
import { StenoError } from '../../../core/errors.js';
import type { ConnectorDeps } from '../connector.js';
import { header, parseJson, rawBody, secretMatches } from '../routes.js';
import { mapMatrixTransaction, matrixChannel } from './map.js';

export const MATRIX_PREFIX = '/capture/matrix/_matrix/app/v1';
/** Completed transaction ids kept for answering a repeat; older repeats are caught by event id instead. */
export const REMEMBERED_TRANSACTIONS = 10_000;
const MAX_TXN_ID_CHARS = 255;
const BEARER = /^Bearer ([^\s]+)$/;

/** Transaction ids in the order they completed, the oldest forgotten first. */
class RecentTransactions {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }
}

export function registerMatrix(capture: FastifyInstance, config: MatrixConfig, deps: ConnectorDeps): void {
  const channel = matrixChannel(config.homeserverUrl);
  const completed = new RecentTransactions(REMEMBERED_TRANSACTIONS);
  // A repeat that arrives while its first delivery is still under way waits for that one.
  const inFlight = new Map<string, Promise<void>>();

  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const presented = BEARER.exec(header(request, 'authorization') ?? '')?.[1];
    if (presented === undefined) {
      deps.channels.signatureFailed(channel, 'matrix', deps.now());
      return reply
        .status(401)
        .send({ errcode: 'M_UNAUTHORIZED', error: 'send the hs_token as Authorization: Bearer <hs_token>' });
    }
    if (!secretMatches(presented, config.hsTokens)) {
      deps.channels.signatureFailed(channel, 'matrix', deps.now());
      return reply.status(403).send({ errcode: 'M_FORBIDDEN', error: 'the hs_token is not the registered one' });
    }
  };

  const deliverTransaction = async (body: Buffer): Promise<void> => {
    const now = deps.now();
    const messages = mapMatrixTransaction(parseJson(body), channel);
    // A transaction of only typing or receipts (ephemeral) has no events: nothing to archive or count.
    if (messages.length === 0) return;
    await deps.sink.deliver(channel, messages);
    deps.channels.received(channel, 'matrix', messages.length, now);
  };

  capture.put<{ Params: { txnId: string } }>(
    `${MATRIX_PREFIX}/transactions/:txnId`,
    { onRequest: authenticate },
    async (request, reply) => {
      const { txnId } = request.params;
      if (txnId.length > MAX_TXN_ID_CHARS) {
        throw new StenoError('invalid_input', `the transaction id is over ${MAX_TXN_ID_CHARS} characters`);
      }
      if (!completed.has(txnId)) {
        let delivery = inFlight.get(txnId);
        if (delivery === undefined) {
          delivery = deliverTransaction(rawBody(request));
          inFlight.set(txnId, delivery);
          try {
            await delivery;
            // Only a delivered transaction is remembered: a failed one is retried by the homeserver.
            completed.add(txnId);
          } finally {
            inFlight.delete(txnId);
          }
        } else {
          await delivery;
        }
      }
      return reply.status(200).send({});
    },
  );

  const notFound = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.status(404).send({ errcode: 'M_NOT_FOUND', error: 'Steno provisions no users or rooms' });
  capture.get(`${MATRIX_PREFIX}/users/:userId`, { onRequest: authenticate }, notFound);
  capture.get(`${MATRIX_PREFIX}/rooms/:alias`, { onRequest: authenticate }, notFound);
  capture.post(`${MATRIX_PREFIX}/ping`, { onRequest: authenticate }, async (_request, reply) =>
    reply.status(200).send({}),
  );
}
