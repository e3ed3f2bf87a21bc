/**
 * The review console's side of the API: signing in, accounts and tokens, the access log, the
 * conversation view and attachments, and the web app itself. Every search, view, export and change
 * made here is an access record in the ledger.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessFilter } from '../../audit/access.js';
import type { Principal } from '../../auth/roles.js';
import { TOKEN_SCOPES, type TokenScope } from '../../auth/tokens.js';
import type { MessageContent } from '../../capture/model.js';
import type { Steno } from '../../context.js';
import { StenoError } from '../../core/errors.js';
import { LAST_VERIFICATION } from '../../store/meta.js';
import { DEFAULT_POLICY } from '../../surveil/rules/policy.js';
import { alertsOf } from '../alert-scope.js';
import { alertFigures, type Dashboard } from '../dashboard.js';
import { orderTrail } from '../order-trail.js';
import { reconciliationView } from '../reconciliation-view.js';
import { parseDateFilter } from '../search.js';
import { type AccessControl, requireSameOrigin, SignInLimiter } from './access-control.js';
import { integerParam, objectBody } from './params.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Images a browser may show inline; anything else (SVG included: it can hold script) is a download. */
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function registerConsole(
  app: FastifyInstance,
  steno: Steno,
  access: AccessControl,
  options: {
    signInsPerMinute: number;
    /** Records what the request's caller did as an access record. */
    record: (request: FastifyRequest, action: string, target: string | null, detail?: object) => Promise<number>;
  },
): void {
  const signIns = new SignInLimiter(options.signInsPerMinute);
  const codeTries = new SignInLimiter(5);
  const { record } = options;
  const recordSession = (request: FastifyRequest, username: string, action: string, detail = {}) =>
    steno.access.record({ action, actor: `user:${username}`, from: request.ip, target: null, detail });

  // Signing in.
  // Before anyone is known, the body is small and the limit is counted before it is read.
  const signInRoute = { bodyLimit: 4096 };
  app.post(
    '/api/v1/session',
    {
      ...signInRoute,
      onRequest: async (request) => {
        requireSameOrigin(request);
        signIns.check(request.ip);
      },
    },
    async (request, reply) => {
      const body = objectBody(request.body);
      try {
        const { token, active } = await steno.accounts.signIn({
          username: body.username,
          password: body.password,
          from: request.ip,
        });
        await recordSession(request, active.user.username, 'sign-in', { stage: active.stage });
        access.setSessionCookie(request, reply, token);
        return steno.accounts.viewSession(active);
      } catch (error) {
        if (error instanceof StenoError && error.code === 'unauthorized') {
          // What was typed as the username is kept only when it is one: people type passwords there.
          const tried = (await steno.accounts.knows(body.username)) ? (body.username as string) : '?';
          await steno.access.record({
            action: 'sign-in.failed',
            actor: `user:${tried}`,
            from: request.ip,
            target: null,
            detail: { reason: error.message },
          });
        }
        throw error;
      }
    },
  );

  app.get('/api/v1/session', { onRequest: access.signingIn() }, async (request) =>
    steno.accounts.viewSession(access.session(request)),
  );

  app.delete('/api/v1/session', { onRequest: access.signingIn() }, async (request, reply) => {
    const active = access.session(request);
    await steno.accounts.signOut(active);
    await recordSession(request, active.user.username, 'sign-out');
    access.clearSessionCookie(request, reply);
    return reply.status(204).send();
  });

  app.post('/api/v1/session/totp', { ...signInRoute, onRequest: access.signingIn() }, async (request) => {
    const active = access.session(request);
    codeTries.check(`totp:${active.user.username}`);
    const body = objectBody(request.body);
    try {
      const next = await steno.accounts.passTotp(active, body.code);
      await recordSession(request, active.user.username, 'sign-in.totp');
      return steno.accounts.viewSession(next);
    } catch (error) {
      if (error instanceof StenoError && error.code === 'unauthorized') {
        await recordSession(request, active.user.username, 'sign-in.totp-failed');
      }
      throw error;
    }
  });

  app.post('/api/v1/session/password', { ...signInRoute, onRequest: access.signingIn() }, async (request) => {
    const active = access.session(request);
    const body = objectBody(request.body);
    const next = await steno.accounts.changePassword(active, body.current, body.next);
    await recordSession(request, active.user.username, 'password.change');
    return steno.accounts.viewSession(next);
  });

  app.post('/api/v1/session/totp/setup', { onRequest: access.signingIn() }, async (request) =>
    steno.accounts.startTotp(access.session(request)),
  );

  app.post('/api/v1/session/totp/confirm', { ...signInRoute, onRequest: access.signingIn() }, async (request) => {
    const active = access.session(request);
    codeTries.check(`totp:${active.user.username}`);
    const next = await steno.accounts.confirmTotp(active, objectBody(request.body).code);
    await recordSession(request, active.user.username, 'totp.enrol');
    return steno.accounts.viewSession(next);
  });

  // Accounts and tokens (admin).
  app.get('/api/v1/users', { onRequest: access.requires('users.manage') }, async () => ({
    users: await steno.accounts.list(),
  }));

  app.post('/api/v1/users', { onRequest: access.requires('users.manage') }, async (request, reply) => {
    const body = objectBody(request.body);
    const created = await steno.accounts.create({ username: body.username, role: body.role, desks: body.desks });
    await record(request, 'user.create', created.user.username, { role: created.user.role, desks: created.user.desks });
    return reply.status(201).send(created);
  });

  app.patch<{ Params: { username: string } }>(
    '/api/v1/users/:username',
    { onRequest: access.requires('users.manage') },
    async (request) => {
      const { user, changed } = await steno.accounts.update(request.params.username, objectBody(request.body));
      if (Object.keys(changed).length > 0) await record(request, 'user.change', user.username, changed);
      return user;
    },
  );

  app.post<{ Params: { username: string } }>(
    '/api/v1/users/:username/reset',
    { onRequest: access.requires('users.manage') },
    async (request) => {
      const result = await steno.accounts.reset(request.params.username);
      await record(request, 'user.reset', request.params.username);
      return result;
    },
  );

  app.get('/api/v1/tokens', { onRequest: access.requires('tokens.manage') }, async () => ({
    tokens: await steno.tokens.list(),
  }));

  app.post('/api/v1/tokens', { onRequest: access.requires('tokens.manage') }, async (request, reply) => {
    const body = objectBody(request.body);
    if (typeof body.name !== 'string') {
      throw new StenoError('invalid_input', 'name is required', {
        problems: [{ where: 'name', message: 'is required' }],
      });
    }
    if (!Array.isArray(body.scopes) || body.scopes.length === 0 || !body.scopes.every((s) => typeof s === 'string')) {
      throw new StenoError('invalid_input', `scopes must be a list of ${TOKEN_SCOPES.join(', ')}`, {
        problems: [{ where: 'scopes', message: `must be a list of ${TOKEN_SCOPES.join(', ')}` }],
      });
    }
    const created = await steno.tokens.create({ name: body.name, scopes: body.scopes as TokenScope[] });
    await record(request, 'token.create', created.info.name, { scopes: created.info.scopes });
    return reply.status(201).send(created);
  });

  app.delete<{ Params: { name: string } }>(
    '/api/v1/tokens/:name',
    { onRequest: access.requires('tokens.manage') },
    async (request, reply) => {
      await steno.tokens.revoke(request.params.name);
      await record(request, 'token.revoke', request.params.name);
      return reply.status(204).send();
    },
  );

  app.get('/api/v1/desks', { onRequest: access.requires('any') }, async (request) => {
    const principal = access.principal(request);
    return { desks: principal.desks ?? (await steno.desks.desks()) };
  });

  // The access log (auditors).
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/audit',
    { onRequest: access.requires('audit.read') },
    async (request) => {
      const q = request.query;
      const filter: AccessFilter = { limit: q.limit === undefined ? 100 : integerParam(q.limit, 'limit') };
      if (q.actor !== undefined) filter.actor = q.actor;
      if (q.action !== undefined) filter.action = q.action;
      if (q.from !== undefined) filter.fromMs = parseDateFilter(q.from, 'from');
      if (q.to !== undefined) filter.toMs = parseDateFilter(q.to, 'to', 'to');
      if (q.before !== undefined) filter.beforeIndex = integerParam(q.before, 'before');
      const events = await steno.access.list(filter);
      await record(request, 'audit.view', null, { ...q });
      return { events };
    },
  );

  app.get('/api/v1/audit/export', { onRequest: access.requires('audit.read') }, async (request, reply) => {
    await record(request, 'audit.export', null);
    const lines: string[] = [];
    for await (const entry of steno.access.entries()) lines.push(JSON.stringify(entry));
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', 'attachment; filename="steno-access-log.jsonl"')
      .send(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  });

  // Reading conversations.
  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    '/api/v1/conversations/:id',
    { onRequest: access.requires('messages.read') },
    async (request) => {
      const conversationId = request.params.id;
      await requireConversation(access.principal(request), conversationId);
      const q = request.query;
      const view = await steno.conversations.read(conversationId, {
        ...(q.before === undefined ? {} : { beforeIndex: integerParam(q.before, 'before') }),
        ...(q.limit === undefined ? {} : { limit: integerParam(q.limit, 'limit') }),
      });
      await record(request, 'conversation.view', conversationId, {
        messages: view.messages.length,
        ...(q.before === undefined ? {} : { before: q.before }),
      });
      return view;
    },
  );

  app.get<{ Params: { index: string; sha256: string } }>(
    '/api/v1/messages/:index/attachments/:sha256',
    { onRequest: access.requires('messages.read') },
    async (request, reply) => {
      const index = integerParam(request.params.index, 'index');
      const { sha256 } = request.params;
      if (!SHA256_HEX.test(sha256)) throw new StenoError('invalid_input', 'the attachment is named by its SHA-256');
      const stored = (await steno.store.readContents([index])).get(index);
      const content = stored === undefined ? null : (JSON.parse(stored.content.toString('utf8')) as MessageContent);
      // Sent with the message, or fetched from the platform afterwards (a media record naming it).
      const fetched = (await steno.capturedMedia.forMessages([index])).get(index) ?? [];
      const attachment =
        content?.attachments?.find((a) => a.sha256 === sha256) ??
        fetched.find((m) => m.attachment?.sha256 === sha256)?.attachment ??
        undefined;
      if (content === null || typeof content.conversationId !== 'string' || attachment === undefined) {
        throw new StenoError('not_found', 'no such attachment on that message');
      }
      if (!(await steno.desks.allows(access.principal(request).desks, content.conversationId))) {
        throw new StenoError('not_found', 'no such attachment on that message');
      }
      const bytes = await steno.blobs.get(sha256);
      if (bytes === null) throw new StenoError('not_found', 'the attachment was named but its bytes were never stored');
      await record(request, 'attachment.view', content.conversationId, { message: index, sha256 });
      const type = attachment.contentType?.toLowerCase() ?? 'application/octet-stream';
      const inline = INLINE_IMAGES.has(type);
      return reply
        .type(inline ? type : 'application/octet-stream')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', contentDisposition(inline, attachment.filename ?? sha256))
        .send(bytes);
    },
  );

  // The dashboard: what each role may see of it.
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/dashboard',
    { onRequest: access.requires('channels.read') },
    async (request) => {
      const principal = access.principal(request);
      const days = request.query.days === undefined ? 30 : integerParam(request.query.days, 'days');
      if (days < 1 || days > 366) {
        throw new StenoError('invalid_input', 'days must be from 1 to 366', {
          problems: [{ where: 'days', message: 'must be from 1 to 366' }],
        });
      }
      const now = Date.now();
      const visible = principal.desks === null ? null : await steno.desks.conversations(principal.desks);
      const fromMs = Math.floor(now / 86_400_000 - days + 1) * 86_400_000;
      const messagesPerDay = principal.permissions.has('messages.read')
        ? await steno.store.messageCountsByDay(fromMs, visible === null ? undefined : [...visible])
        : [];
      const alerts = principal.permissions.has('alerts.read') ? await alertsOf(steno, principal.desks) : [];
      const latest = await steno.store.latestCheckpoint();
      const verification = await steno.store.getMeta(LAST_VERIFICATION);
      const policy = await steno.policies.current();
      const dashboard: Dashboard = {
        days,
        messagesPerDay,
        alerts: alertFigures(alerts, now),
        ledger: {
          treeSize: await steno.store.treeSize(),
          latestCheckpoint: latest === null ? null : { size: latest.size, createdAt: latest.createdAt },
          lastVerification: verification === null ? null : (JSON.parse(verification) as Record<string, unknown>),
        },
        channels: await steno.channels.states((policy?.policy ?? DEFAULT_POLICY).thresholds.channel_health),
      };
      return dashboard;
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/reconciliation',
    { onRequest: access.requires('messages.read') },
    async (request) => {
      const q = request.query;
      const principal = access.principal(request);
      const report = await steno.reconcile.run({
        ...(q.from === undefined ? {} : { fromMs: parseDateFilter(q.from, 'from') }),
        ...(q.to === undefined ? {} : { toMs: parseDateFilter(q.to, 'to', 'to') }),
      });
      const scope =
        principal.desks === null
          ? null
          : { desks: principal.desks, conversations: await steno.desks.conversations(principal.desks) };
      await record(request, 'reconciliation.view', null, { ...q });
      const view = reconciliationView(report, await steno.directory.load(), scope);
      if (scope !== null) {
        // The firm-wide totals are not a desk's to see: its own chat orders are counted instead.
        const period = await steno.orders.sentBetween(Date.parse(report.period.from), Date.parse(report.period.to));
        view.chatOrders = period.filter((o) => scope.conversations.has(o.conversationId)).length;
        view.firmOrders = null;
        view.unreconciled = null;
      }
      return view;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/orders/:id/trail',
    { onRequest: access.requires('messages.read') },
    async (request) => {
      const desks = access.principal(request).desks;
      const trail = await orderTrail({ ...steno, contents: steno.store }, request.params.id, (conversationId) =>
        steno.desks.allows(desks, conversationId),
      );
      await record(request, 'order.view', trail.order.id, { conversationId: trail.order.conversationId });
      return trail;
    },
  );

  // The directory: admins keep it, readers see who people are.
  app.get<{ Params: { kind: string } }>(
    '/api/v1/directory/:kind',
    { onRequest: access.requires('any') },
    async (request) => {
      const principal = access.principal(request);
      if (!principal.permissions.has('users.manage') && !principal.permissions.has('messages.read')) {
        throw new StenoError('forbidden', 'the directory is for admins and readers of the archive');
      }
      const kind = request.params.kind;
      if (kind !== 'staff' && kind !== 'clients') {
        throw new StenoError('not_found', 'the directory has staff and clients');
      }
      await record(request, 'directory.view', kind);
      return { entries: (await steno.directory.load()).list(kind === 'staff' ? 'staff' : 'client') };
    },
  );

  // Evidence export: count first, then download the package as a ZIP.
  app.post('/api/v1/exports/preview', { onRequest: access.requires('evidence.export') }, async (request) =>
    steno.exports.preview(objectBody(request.body), access.principal(request).desks),
  );

  app.post('/api/v1/exports', { onRequest: access.requires('evidence.export') }, async (request, reply) => {
    const filters = objectBody(request.body);
    await steno.exports.build(filters, access.principal(request).desks, async ({ bytes, chunks, result }) => {
      // Recorded before a byte leaves: an export that is not in the log must not have happened.
      await record(request, 'export', null, { selection: filters, records: result.records, treeSize: result.treeSize });
      const name = `steno-evidence-${new Date().toISOString().replace(/[:.]/g, '-')}.zip`;
      const body = Readable.from(chunks);
      reply
        .type('application/zip')
        .header('content-length', String(bytes))
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(body);
      // The package's folder is removed once this returns: wait until the archive has been read out.
      await finished(body).catch(() => undefined);
    });
    return reply;
  });

  /** A conversation outside the caller's desks is not found, as if it did not exist. */
  async function requireConversation(principal: Principal, conversationId: string): Promise<void> {
    if (!(await steno.desks.allows(principal.desks, conversationId))) {
      throw new StenoError('not_found', `no conversation "${conversationId.slice(0, 200)}"`);
    }
  }

  serveWebApp(app);
}

/**
 * The web app: index.html at `/` (the app routes after the `#`), and the files beside it. Nothing else
 * answers, so no path can reach more than the build holds. Read once at start; a server built without
 * it says how to build it.
 */
function serveWebApp(app: FastifyInstance): void {
  const dir = webAppDir();
  const files = new Map<string, { bytes: Buffer; type: string }>();
  if (dir !== null) {
    const walk = (sub: string) => {
      for (const name of readdirSync(join(dir, sub))) {
        const rel = sub === '' ? name : `${sub}/${name}`;
        if (statSync(join(dir, rel)).isDirectory()) walk(rel);
        else files.set(`/${rel}`, { bytes: readFileSync(join(dir, rel)), type: contentType(rel) });
      }
    };
    walk('');
  }
  const index = files.get('/index.html');
  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (index === undefined) {
      return reply.status(503).type('text/plain; charset=utf-8').send('The console is not built: run npm run build.\n');
    }
    return reply.type(index.type).header('cache-control', 'no-cache').send(index.bytes);
  };
  app.get('/', page);
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const file = files.get(path);
    if (file !== undefined) {
      // Asset names carry their content hash: they never change.
      return reply
        .type(file.type)
        .header('cache-control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(file.bytes);
    }
    return reply.status(404).send({ error: { code: 'not_found', message: 'no such endpoint' } });
  });
}

/** `dist/web` of the package this module belongs to, whether it runs from the build or the sources. */
function webAppDir(): string | null {
  const here = fileURLToPath(import.meta.url);
  const at = here.lastIndexOf(`${join('src', 'review', 'api')}`);
  const root = here.slice(0, at).replace(/[/\\]dist[/\\]$/, '/');
  const dir = join(root, 'dist', 'web');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

function contentType(path: string): string {
  return TYPES[extname(path)] ?? 'application/octet-stream';
}

/** A header holds Latin-1 only: an ASCII fallback name, and the real one percent-encoded (RFC 6266). */
function contentDisposition(inline: boolean, filename: string): string {
  const name = Array.from(filename).slice(0, 200).join('');
  const ascii = name.replace(/[^A-Za-z0-9._ -]/g, '_') || 'attachment';
  let encoded: string;
  try {
    // RFC 5987 attr-chars: encodeURIComponent leaves ' ( ) * ! as they are.
    encoded = encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    encoded = encodeURIComponent(ascii); // a lone surrogate: the name is not text
  }
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
