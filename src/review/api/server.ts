/**
 * HTTP API. Routes only map requests to service calls; services know nothing of HTTP.
 * There are deliberately no debug, metrics-dump or heap-dump endpoints.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { principalLabel } from '../../auth/roles.js';
import { deliveryChecker } from '../../capture/checking/deliveries.js';
import type { CaptureSink } from '../../capture/connectors/connector.js';
import { registerCapture } from '../../capture/connectors/routes.js';
import { LIMITS } from '../../capture/model.js';
import { LocalSink } from '../../capture/sink.js';
import type { Steno } from '../../context.js';
import { StenoError } from '../../core/errors.js';
import type { StoredAlert } from '../../surveil/alerts/model.js';
import { checkChannels } from '../../surveil/rules/channels.js';
import { DEFAULT_POLICY } from '../../surveil/rules/policy.js';
import { alertsOf, alertVisibleTo } from '../alert-scope.js';
import { highlightTerms, parseDateFilter } from '../search.js';
import { accessControl } from './access-control.js';
import { registerConsole } from './console.js';
import { toHttpError } from './errors.js';
import { integerParam, objectBody } from './params.js';

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
  /** Sign-in attempts one address may make in a minute (default 20). */
  signInsPerMinute?: number;
}

/**
 * For every answer. The console's scripts and styles come from its own files only; nothing may frame
 * a page; a browser must not guess a type other than the one sent.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export async function buildServer(steno: Steno, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: steno.config.maxBodyBytes,
    logger: {
      level: process.env.STENO_LOG_LEVEL ?? 'info',
      // Bearer tokens and platform secrets must never reach a log line.
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'req.headers["x-telegram-bot-api-secret-token"]',
      ],
    },
    // Per-request lines at hundreds of requests a second drown what matters; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Behind a proxy the client's address (sign-in limits, the access log) and TLS come from its headers.
    trustProxy: steno.config.trustProxy,
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

  app.addHook('onSend', async (request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    // Answers carry message content: no cache may keep them.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  const access = accessControl({
    tokens: steno.tokens,
    accounts: steno.accounts,
    secureCookies: steno.config.secureCookies,
  });
  const auth = access.requires;
  /** Who an action is recorded as: `user:<name>` or `token:<name>`. */
  const caller = (request: FastifyRequest) => principalLabel(access.principal(request));
  /** The conversations the caller may see, or null for every one. */
  const visibleConversations = async (request: FastifyRequest) => {
    const desks = access.principal(request).desks;
    return desks === null ? null : steno.desks.conversations(desks);
  };
  const alertVisible = async (request: FastifyRequest, alert: StoredAlert) => {
    const desks = access.principal(request).desks;
    return desks === null || alertVisibleTo(steno, desks, await steno.desks.conversations(desks), alert);
  };
  const recordAccess = (request: FastifyRequest, action: string, target: string | null, detail: object = {}) =>
    steno.access.record({ action, actor: caller(request), from: request.ip, target, detail: { ...detail } });

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

  app.post('/api/v1/messages', { onRequest: auth('messages.write') }, async (request, reply) =>
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
    { onRequest: auth('messages.write') },
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
    { onRequest: auth('messages.read') },
    async (request) => {
      const q = request.query;
      const conversationIds = await searchScope(request, q.desk);
      const terms = highlightTerms(q.q);
      const results = await steno.search.search({
        query: q.q,
        platform: q.platform,
        conversationId: q.conversation,
        participant: q.participant,
        ...(conversationIds === null ? {} : { conversationIds: [...conversationIds] }),
        ...(flag(q.hasOrder, 'hasOrder') ? { hasOrder: true } : {}),
        ...(flag(q.hasAlert, 'hasAlert') ? { hasAlert: true } : {}),
        ...pageAndPeriod(q),
      });
      await recordAccess(request, 'search', null, { ...q, results: results.length });
      return { results, terms };
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/orders',
    { onRequest: auth('messages.read') },
    async (request) => {
      const q = request.query;
      const visible = await visibleConversations(request);
      const criteria = {
        symbol: q.symbol,
        side: oneOf(q.side, ['buy', 'sell'] as const, 'side'),
        action: oneOf(q.action, ['new', 'amend', 'cancel'] as const, 'action'),
        conversationId: q.conversation,
        ...pageAndPeriod(q),
      };
      const orders = await fullPage({
        limit: criteria.limit ?? 50,
        beforeIndex: criteria.beforeIndex,
        read: (beforeIndex) => steno.orders.find({ ...criteria, beforeIndex }),
        indexOf: (o) => o.messageIndex,
        keep: (o) => visible === null || visible.has(o.conversationId),
      });
      return { orders };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/messages/:id/acknowledgement',
    { onRequest: auth('messages.read') },
    async (request) => {
      const ack = await steno.orders.acknowledgement(request.params.id);
      const visible = await visibleConversations(request);
      if (visible !== null) {
        const stored = (await steno.store.readContents([ack.messageIndex])).get(ack.messageIndex);
        const conversationId = stored === undefined ? null : JSON.parse(stored.content.toString('utf8')).conversationId;
        // Worded as for a message that does not exist: behind a barrier the two must not differ.
        if (!visible.has(conversationId)) {
          throw new StenoError('not_found', `no message ${request.params.id} in the archive`);
        }
      }
      return ack;
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/proof/inclusion',
    { onRequest: auth('messages.read') },
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
    { onRequest: auth('alerts.read') },
    async (request) => {
      const q = request.query;
      const criteria = {
        state: q.state,
        type: q.type,
        rule: q.rule,
        severity: q.severity,
        assignee: q.assignee,
        clientId: q.client,
        conversationId: q.conversation,
        limit: q.limit === undefined ? undefined : integerParam(q.limit, 'limit'),
      };
      const visible = await visibleConversations(request);
      const alerts = await fullPage({
        limit: criteria.limit ?? 100,
        beforeIndex: q.before === undefined ? undefined : integerParam(q.before, 'before'),
        read: (beforeIndex) => steno.alerts.list({ ...criteria, beforeIndex }),
        indexOf: (a) => a.leafIndex,
        keep: (a) => visible === null || alertVisible(request, a),
      });
      return { alerts };
    },
  );

  app.get('/api/v1/alerts/summary', { onRequest: auth('alerts.read') }, async (request) => {
    const desks = access.principal(request).desks;
    if (desks === null) return { counts: await steno.alerts.summary() };
    // Behind a barrier, only the alerts the caller may see are counted.
    const counts = new Map<string, { type: string; state: string; severity: string; count: number }>();
    for (const a of await alertsOf(steno, desks)) {
      const key = `${a.type}\u0000${a.state}\u0000${a.severity}`;
      const row = counts.get(key) ?? { type: a.type, state: a.state, severity: a.severity, count: 0 };
      row.count++;
      counts.set(key, row);
    }
    return { counts: [...counts.values()] };
  });

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', { onRequest: auth('alerts.read') }, async (request) => {
    const alert = await steno.alerts.get(request.params.id);
    if (!(await alertVisible(request, alert))) throw new StenoError('not_found', `no alert ${request.params.id}`);
    // An alert carries the words of the message it was raised on.
    await recordAccess(request, 'alert.view', alert.id, { conversationId: alert.subject.conversationId });
    return alert;
  });

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
    { onRequest: auth('alerts.work') },
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
      const needs = { assign: 'alerts.assign', approve: 'alerts.approve' }[request.params.action];
      const principal = access.principal(request);
      if (needs !== undefined && !principal.permissions.has(needs as 'alerts.assign' | 'alerts.approve')) {
        throw new StenoError(
          'forbidden',
          `the ${principal.role ?? 'token'} role does not allow this (it needs ${needs})`,
        );
      }
      if (!(await alertVisible(request, await steno.alerts.get(request.params.id)))) {
        throw new StenoError('not_found', `no alert ${request.params.id}`);
      }
      return action(request.params.id, objectBody(request.body), caller(request));
    },
  );

  app.post('/api/v1/alerts/scan', { onRequest: auth('rules.run') }, async () => steno.rules.scan());

  app.get('/api/v1/channels', { onRequest: auth('channels.read') }, async () => {
    await steno.channels.save();
    const policy = await steno.policies.current();
    const thresholds = (policy?.policy ?? DEFAULT_POLICY).thresholds.channel_health;
    return { channels: await steno.channels.states(thresholds) };
  });

  app.post('/api/v1/channels/check', { onRequest: auth('rules.run') }, async () => {
    const check = await checkChannels({ monitor: steno.channels, policies: steno.policies, alerts: steno.alerts });
    return { channels: check.states, raised: check.raised };
  });

  app.get('/api/v1/policy', { onRequest: auth('policy.read') }, async () => {
    const current = await steno.policies.current();
    if (current === null)
      throw new StenoError('not_found', 'no policy is recorded yet: the default is recorded when the rules first run');
    return current;
  });

  app.put('/api/v1/policy', { onRequest: auth('policy.write') }, async (request, reply) => {
    const result = await steno.policies.set(request.body, { by: caller(request), file: 'PUT /api/v1/policy' });
    if (result.changed) await recordAccess(request, 'policy.set', null, { version: result.policy.version });
    return reply.status(result.changed ? 201 : 200).send(result.policy);
  });

  /**
   * The conversations a search may return: the caller's desks' (or every one), narrowed to one desk
   * when asked. Null: no restriction.
   */
  async function searchScope(request: FastifyRequest, desk: string | undefined): Promise<ReadonlySet<string> | null> {
    const own = access.principal(request).desks;
    if (desk === undefined) return own === null ? null : steno.desks.conversations(own);
    await steno.desks.requireKnown(desk);
    if (own !== null && !own.includes(desk)) {
      throw new StenoError('forbidden', `desk "${desk.slice(0, 64)}" is not one of yours`, {
        problems: [{ where: 'desk', message: 'is not one of your desks' }],
      });
    }
    return steno.desks.conversations([desk]);
  }

  registerConsole(app, steno, access, { signInsPerMinute: options.signInsPerMinute ?? 20, record: recordAccess });

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

/**
 * A page of `limit` items a caller may see, newest first: pages are read on past items behind the
 * caller's information barrier, so a desk-scoped page is as full as anyone's while more remain.
 */
async function fullPage<T>(options: {
  limit: number;
  beforeIndex: number | undefined;
  read: (beforeIndex: number | undefined) => Promise<T[]>;
  indexOf: (item: T) => number;
  keep: (item: T) => boolean | Promise<boolean>;
}): Promise<T[]> {
  const out: T[] = [];
  let before = options.beforeIndex;
  for (;;) {
    const page = await options.read(before);
    for (const item of page) {
      if (!(await options.keep(item))) continue;
      out.push(item);
      if (out.length === options.limit) return out;
    }
    if (page.length < options.limit) return out;
    before = options.indexOf(page.at(-1)!);
  }
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

/** A yes/no filter: `true` or absent (`false` means the same as absent). */
function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new StenoError('invalid_input', `${name} must be true or false`, {
    problems: [{ where: name, message: 'must be true or false' }],
  });
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
