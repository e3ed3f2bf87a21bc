/**
 * HTTP API. Routes only map requests to service calls; services know nothing of HTTP.
 * There are deliberately no debug, metrics-dump or heap-dump endpoints.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { TokenInfo, TokenScope } from '../../auth/tokens.js';
import { deliveryChecker } from '../../capture/checking/deliveries.js';
import type { CaptureSink } from '../../capture/connectors/connector.js';
import { registerCapture } from '../../capture/connectors/routes.js';
import { LIMITS } from '../../capture/model.js';
import { LocalSink } from '../../capture/sink.js';
import type { Steno } from '../../context.js';
import { StenoError } from '../../core/errors.js';
import { checkChannels } from '../../surveil/rules/channels.js';
import { DEFAULT_POLICY } from '../../surveil/rules/policy.js';
import { parseDateFilter } from '../search.js';
import { toHttpError } from './errors.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** How long after a burst of ingest the orders in it are read. */
const ORDERS_DELAY_MS = 250;
/** How often the server looks for messages archived by other processes, to read their orders. */
const ORDERS_POLL_MS = 10_000;
/** How often what this process counted of its capture channels is saved, and how often channels are judged. */
const CHANNEL_SAVE_MS = 5_000;
const CHANNEL_CHECK_MS = 60_000;

export interface ServerOptions {
  /** Where capture delivers; by default this process's ledger (with STENO_QUEUE, the queue's stream). */
  sink?: CaptureSink;
}

export async function buildServer(steno: Steno, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: steno.config.maxBodyBytes,
    logger: {
      level: process.env.STENO_LOG_LEVEL ?? 'info',
      // Bearer tokens and platform secrets must never reach a log line.
      redact: ['req.headers.authorization', 'req.headers["x-telegram-bot-api-secret-token"]'],
    },
    // Per-request lines at hundreds of requests a second drown what matters; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });

  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: steno.config.maxAttachmentBytes },
    (_req, body, done) => done(null, body),
  );

  app.setErrorHandler((error: unknown, request, reply) => {
    const fastifyCode = (error as { code?: string }).code;
    const fastifyMessage = (error as Error).message;
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .status(413)
        .send({ error: { code: 'too_large', message: 'the request body is over the size limit' } });
    }
    if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({
        error: {
          code: 'invalid_input',
          message: 'send JSON (application/json), or application/octet-stream for attachments',
        },
      });
    }
    if (fastifyCode?.startsWith('FST_ERR_CTP_')) {
      return reply.status(400).send({
        error: { code: 'invalid_input', message: `the body is not valid JSON: ${fastifyMessage}` },
      });
    }
    const mapped = toHttpError(error);
    if (mapped.unexpected) request.log.error({ err: error }, 'request failed');
    return reply.status(mapped.status).send(mapped.body);
  });

  // Runs as onRequest, before the body is read: an unauthenticated caller cannot make us buffer or parse it.
  const callers = new WeakMap<FastifyRequest, TokenInfo>();
  const auth = (scope: TokenScope | 'any') => async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    callers.set(request, await steno.tokens.authenticate(token, scope));
  };
  /** Who an action is recorded as: the token's name. */
  const caller = (request: FastifyRequest) => `token:${callers.get(request)?.name ?? 'unknown'}`;

  // Unhealthy when writes cannot succeed, so that a supervisor restarts the server instead of it
  // answering 503 to every ingest.
  app.get('/healthz', async (_request, reply) =>
    steno.store.healthy() ? { ok: true } : reply.status(503).send({ ok: false, reason: 'the store cannot write' }),
  );

  /**
   * One ingest message or an array of them, as the API and the signed webhook take them: all checked
   * first (nothing stored if one is bad), answered once durable, 201 when anything was new.
   */
  async function ingestBody(body: unknown, reply: FastifyReply) {
    const batch = Array.isArray(body);
    const items: unknown[] = batch ? (body as unknown[]) : [body];
    if (items.length === 0) throw new StenoError('invalid_input', 'the array is empty: send at least one message');
    if (items.length > LIMITS.batch) {
      throw new StenoError('too_large', `at most ${LIMITS.batch} messages per request (got ${items.length})`);
    }
    const valid = steno.ingest.validate(items, (i) => (batch ? `[${i}]` : ''));
    const results = await steno.ingest.ingest(valid);
    const created = results.some((r) => r.status === 'created');
    if (created) readOrdersSoon();
    return reply.status(created ? 201 : 200).send(batch ? { results } : results[0]);
  }

  app.post('/api/v1/messages', { onRequest: auth('ingest') }, async (request, reply) =>
    ingestBody(request.body, reply),
  );

  // Capture connectors, under /capture/…: each checks its platform's signature on the raw body first.
  const deliveries = deliveryChecker({ maxAttachmentBytes: steno.config.maxAttachmentBytes });
  app.addHook('onClose', () => deliveries[Symbol.asyncDispose]());
  await registerCapture(
    app,
    { capture: steno.config.capture, webhookSources: steno.config.webhookSources },
    {
      sink: options.sink ?? new LocalSink(steno.ingest, deliveries, readOrdersSoon),
      channels: steno.channels,
      now: Date.now,
    },
  );

  app.put<{ Params: { sha256: string } }>(
    '/api/v1/attachments/:sha256',
    { onRequest: auth('ingest') },
    async (request, reply) => {
      const { sha256 } = request.params;
      if (!SHA256_HEX.test(sha256)) {
        throw new StenoError(
          'invalid_input',
          'the path must end in the SHA-256 of the bytes, 64 lower-case hex digits',
        );
      }
      if (!Buffer.isBuffer(request.body)) {
        throw new StenoError('invalid_input', 'send the attachment bytes as application/octet-stream');
      }
      const existed = await steno.blobs.has(sha256);
      await steno.blobs.put(sha256, request.body);
      return reply.status(existed ? 200 : 201).send({ sha256, size: request.body.length });
    },
  );

  app.get('/api/v1/checkpoint', { onRequest: auth('any') }, async (_request, reply) => {
    const latest = (await steno.store.latestCheckpoint()) ?? (await steno.ledger.checkpoint());
    return reply.type('text/plain; charset=utf-8').send(latest.note);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/search',
    { onRequest: auth('read') },
    async (request) => {
      const q = request.query;
      const results = await steno.search.search({
        query: q.q,
        platform: q.platform,
        conversationId: q.conversation,
        participant: q.participant,
        ...pageAndPeriod(q),
      });
      return { results };
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/orders',
    { onRequest: auth('read') },
    async (request) => {
      const q = request.query;
      const orders = await steno.orders.find({
        symbol: q.symbol,
        side: oneOf(q.side, ['buy', 'sell'] as const, 'side'),
        action: oneOf(q.action, ['new', 'amend', 'cancel'] as const, 'action'),
        conversationId: q.conversation,
        ...pageAndPeriod(q),
      });
      return { orders };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/messages/:id/acknowledgement',
    { onRequest: auth('read') },
    async (request) => steno.orders.acknowledgement(request.params.id),
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/proof/inclusion',
    { onRequest: auth('read') },
    async (request) => {
      const index = integerParam(request.query.index, 'index');
      const size = await proofTreeSize(request.query.size);
      if (index >= size) throw new StenoError('invalid_input', `index ${index} is not below tree size ${size}`);
      const proof = await steno.ledger.inclusionProof(index, size);
      return { index, treeSize: size, proof: proof.map((h) => h.toString('base64')) };
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/proof/consistency',
    { onRequest: auth('any') },
    async (request) => {
      const from = integerParam(request.query.from, 'from');
      const to = await proofTreeSize(request.query.to);
      if (from < 1 || from > to) throw new StenoError('invalid_input', `from must be between 1 and ${to}`);
      const proof = await steno.ledger.consistencyProof(from, to);
      return { from, to, proof: proof.map((h) => h.toString('base64')) };
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/alerts',
    { onRequest: auth('read') },
    async (request) => {
      const q = request.query;
      const alerts = await steno.alerts.list({
        state: q.state,
        type: q.type,
        rule: q.rule,
        severity: q.severity,
        assignee: q.assignee,
        clientId: q.client,
        conversationId: q.conversation,
        limit: q.limit === undefined ? undefined : integerParam(q.limit, 'limit'),
        beforeIndex: q.before === undefined ? undefined : integerParam(q.before, 'before'),
      });
      return { alerts };
    },
  );

  app.get('/api/v1/alerts/summary', { onRequest: auth('read') }, async () => ({
    counts: await steno.alerts.summary(),
  }));

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', { onRequest: auth('read') }, async (request) =>
    steno.alerts.get(request.params.id),
  );

  /** The alert actions: each body field named, checked, and recorded as the calling token. */
  type AlertAction = (id: string, body: Record<string, unknown>, by: string) => Promise<unknown>;
  const alertActions: Record<string, AlertAction> = {
    assign: (id, b, by) => steno.alerts.assign(id, nullableString(b, 'assignee'), by),
    comment: (id, b, by) => steno.alerts.comment(id, requiredString(b, 'text'), by),
    review: (id, b, by) => steno.alerts.move(id, 'in_review', by, optionalString(b, 'reason')),
    escalate: (id, b, by) => steno.alerts.move(id, 'escalated', by, optionalString(b, 'reason')),
    task: (id, b, by) =>
      steno.alerts.recordTaskOutcome(id, requiredString(b, 'outcome'), optionalString(b, 'note'), by),
    approve: (id, b, by) => steno.alerts.approve(id, optionalString(b, 'note'), by),
    close: (id, b, by) => steno.alerts.close(id, requiredString(b, 'reason'), by),
  };
  app.post<{ Params: { id: string; action: string } }>(
    '/api/v1/alerts/:id/:action',
    { onRequest: auth('review') },
    async (request) => {
      const action = Object.hasOwn(alertActions, request.params.action)
        ? alertActions[request.params.action]
        : undefined;
      if (action === undefined) {
        throw new StenoError(
          'not_found',
          `no alert action "${request.params.action.slice(0, 40)}"; the actions are ${Object.keys(alertActions).join(', ')}`,
        );
      }
      return action(request.params.id, objectBody(request.body), caller(request));
    },
  );

  app.post('/api/v1/alerts/scan', { onRequest: auth('review') }, async () => steno.rules.scan());

  app.get('/api/v1/channels', { onRequest: auth('read') }, async () => {
    await steno.channels.save();
    const policy = await steno.policies.current();
    const thresholds = (policy?.policy ?? DEFAULT_POLICY).thresholds.channel_health;
    return { channels: await steno.channels.states(thresholds) };
  });

  app.post('/api/v1/channels/check', { onRequest: auth('review') }, async () => {
    const check = await checkChannels({ monitor: steno.channels, policies: steno.policies, alerts: steno.alerts });
    return { channels: check.states, raised: check.raised };
  });

  app.get('/api/v1/policy', { onRequest: auth('read') }, async () => {
    const current = await steno.policies.current();
    if (current === null)
      throw new StenoError('not_found', 'no policy is recorded yet: the default is recorded when the rules first run');
    return current;
  });

  app.put('/api/v1/policy', { onRequest: auth('admin') }, async (request, reply) => {
    const result = await steno.policies.set(request.body, { by: caller(request), file: 'PUT /api/v1/policy' });
    return reply.status(result.changed ? 201 : 200).send(result.policy);
  });

  /** Proofs are only useful against a signed checkpoint: default to the latest one, and require one to exist. */
  async function proofTreeSize(raw: string | undefined): Promise<number> {
    const latest = await steno.store.latestCheckpoint();
    if (raw === undefined) {
      if (latest === null) throw new StenoError('not_found', 'no checkpoint has been signed yet');
      return latest.size;
    }
    const size = integerParam(raw, 'size');
    const cp = await steno.store.checkpointAtLeast(size);
    if (cp === null || cp.size !== size) {
      throw new StenoError('not_found', `no signed checkpoint has tree size ${size}`);
    }
    return size;
  }

  /**
   * Orders are read from messages after they are stored, never on the ingest path: a capture connector
   * is answered as soon as its messages are durable. Bursts of ingest share one catch-up.
   */
  let ordersTimer: NodeJS.Timeout | null = null;
  let ordersReading: Promise<unknown> = Promise.resolve();
  function readOrdersSoon(): void {
    if (ordersTimer !== null) return;
    ordersTimer = setTimeout(() => {
      ordersTimer = null;
      // The rules follow: what was just archived is read for alerts once its orders are known.
      // Media is fetched beside, not before: a slow platform must not hold up orders and alerts.
      steno.media.catchUp().catch((error: unknown) => {
        app.log.error({ err: error }, 'fetching captured media failed; the next catch-up retries');
      });
      ordersReading = steno.orders
        .catchUp()
        .then(() => steno.rules.scan())
        .catch((error: unknown) => {
          app.log.error(
            { err: error },
            'reading archived messages for orders and alerts failed; the next catch-up retries',
          );
        });
    }, ORDERS_DELAY_MS);
  }
  // Messages also arrive by other routes (a CLI import beside the server): look for them now and then.
  const ordersPoll = setInterval(readOrdersSoon, ORDERS_POLL_MS);
  ordersPoll.unref();
  const channelSave = setInterval(() => {
    steno.channels.save().catch((error: unknown) => app.log.error({ err: error }, 'saving channel health failed'));
  }, CHANNEL_SAVE_MS);
  channelSave.unref();
  // Silence is the absence of ingest: channels are judged on a clock, not after ingest.
  let channelChecking: Promise<unknown> = Promise.resolve();
  const channelCheck = setInterval(() => {
    channelChecking = checkChannels({ monitor: steno.channels, policies: steno.policies, alerts: steno.alerts }).catch(
      (error: unknown) => app.log.error({ err: error }, 'judging channel health failed; the next check retries'),
    );
  }, CHANNEL_CHECK_MS);
  channelCheck.unref();
  app.addHook('onReady', async () => readOrdersSoon());
  app.addHook('onClose', async () => {
    clearInterval(ordersPoll);
    clearInterval(channelSave);
    clearInterval(channelCheck);
    await channelChecking;
    if (ordersTimer !== null) clearTimeout(ordersTimer);
    ordersTimer = null;
    await ordersReading;
  });

  app.setNotFoundHandler((_request: FastifyRequest, reply: FastifyReply) =>
    reply.status(404).send({ error: { code: 'not_found', message: 'no such endpoint' } }),
  );
  return app;
}

/** The filters search and order listing share: client, staff, period and page. */
function pageAndPeriod(q: Record<string, string | undefined>) {
  return {
    clientId: q.client,
    staffId: q.staff,
    fromMs: q.from === undefined ? undefined : parseDateFilter(q.from, 'from'),
    toMs: q.to === undefined ? undefined : parseDateFilter(q.to, 'to', 'to'),
    limit: q.limit === undefined ? undefined : integerParam(q.limit, 'limit'),
    beforeIndex: q.before === undefined ? undefined : integerParam(q.before, 'before'),
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new StenoError('invalid_input', 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, name: string): string | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new StenoError('invalid_input', `${name} must be a string`, {
      problems: [{ where: name, message: 'must be a string' }],
    });
  }
  return value;
}

function requiredString(body: Record<string, unknown>, name: string): string {
  const value = optionalString(body, name);
  if (value === null) {
    throw new StenoError('invalid_input', `${name} is required`, {
      problems: [{ where: name, message: 'is required' }],
    });
  }
  return value;
}

/** A field that must be present: a string, or null to clear it. */
function nullableString(body: Record<string, unknown>, name: string): string | null {
  if (!Object.hasOwn(body, name)) {
    throw new StenoError('invalid_input', `${name} is required (null to unassign)`, {
      problems: [{ where: name, message: 'is required (null to unassign)' }],
    });
  }
  return optionalString(body, name);
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new StenoError('invalid_input', `${name} must be ${allowed.join(' or ')}`, {
    problems: [{ where: name, message: `must be ${allowed.join(' or ')}` }],
  });
}

function integerParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new StenoError('invalid_input', `${name} must be a non-negative integer`, {
      problems: [{ where: name, message: 'must be a non-negative integer' }],
    });
  }
  return Number(value);
}
