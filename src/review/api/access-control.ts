/**
 * Who is calling, and may they: an API token (`Authorization: Bearer`) or a person's session cookie.
 * A session reaches nothing until it has passed every stage of signing in, and every request from it
 * that changes something must carry its CSRF token. Runs as onRequest, before the body is read: an
 * unauthenticated caller cannot make the server buffer or parse it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService, ActiveSession } from '../../auth/accounts.js';
import { type Permission, type Principal, scopePermissions } from '../../auth/roles.js';
import type { TokenService } from '../../auth/tokens.js';
import { StenoError } from '../../core/errors.js';

export const SESSION_COOKIE = 'steno_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AccessControl {
  /** An onRequest hook admitting callers that hold `permission`. */
  requires(permission: Permission | 'any'): (request: FastifyRequest) => Promise<void>;
  /** An onRequest hook admitting any session, at any stage of signing in (the sign-in routes). */
  signingIn(): (request: FastifyRequest) => Promise<void>;
  principal(request: FastifyRequest): Principal;
  session(request: FastifyRequest): ActiveSession;
  setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void;
  clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void;
}

export function accessControl(options: {
  tokens: TokenService;
  accounts: AccountService;
  /** Marks the cookie Secure even when TLS ends at a proxy in front. */
  secureCookies: boolean;
}): AccessControl {
  const { tokens, accounts } = options;
  const principals = new WeakMap<FastifyRequest, Principal>();
  const sessions = new WeakMap<FastifyRequest, ActiveSession>();

  async function sessionOf(request: FastifyRequest): Promise<ActiveSession> {
    const active = await accounts.session(cookie(request, SESSION_COOKIE));
    if (active === null) throw new StenoError('unauthorized', 'sign in first: no session, or it has ended');
    if (!SAFE_METHODS.has(request.method)) {
      // SameSite=Strict keeps other sites' requests from carrying the cookie; the token and the origin
      // check hold where a browser does not honour it.
      requireSameOrigin(request);
      const csrf = request.headers['x-csrf-token'];
      if (!accounts.csrfMatches(active, typeof csrf === 'string' ? csrf : undefined)) {
        throw new StenoError('forbidden', "send the session's CSRF token in X-CSRF-Token (GET /api/v1/session has it)");
      }
    }
    sessions.set(request, active);
    return active;
  }

  async function identify(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      const info = await tokens.authenticate(token, 'any');
      return { kind: 'token', name: info.name, role: null, permissions: scopePermissions(info.scopes), desks: null };
    }
    if (cookie(request, SESSION_COOKIE) === undefined) {
      throw new StenoError(
        'unauthorized',
        'send "Authorization: Bearer <token>" with a token from `steno token create`, or sign in to the console',
      );
    }
    const active = await sessionOf(request);
    if (active.stage !== 'ready') {
      throw new StenoError('unauthorized', `finish signing in first: this session is at stage "${active.stage}"`);
    }
    return accounts.principal(active.user);
  }

  const secure = (request: FastifyRequest) => options.secureCookies || request.protocol === 'https';

  return {
    requires: (permission) => async (request) => {
      const principal = await identify(request);
      if (permission !== 'any' && !principal.permissions.has(permission)) {
        throw new StenoError(
          'forbidden',
          principal.kind === 'token'
            ? `this token's scopes do not allow this (it needs ${permission})`
            : `the ${principal.role} role does not allow this (it needs ${permission})`,
        );
      }
      principals.set(request, principal);
    },
    signingIn: () => async (request) => {
      await sessionOf(request);
    },
    principal: (request) => {
      const p = principals.get(request);
      if (p === undefined) throw new Error('route without an access check');
      return p;
    },
    session: (request) => {
      const s = sessions.get(request);
      if (s === undefined) throw new StenoError('unauthorized', 'sign in first');
      return s;
    },
    setSessionCookie: (request, reply, token) => {
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure(request) ? '; Secure' : ''}`,
      );
    },
    clearSessionCookie: (request, reply) => {
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(request) ? '; Secure' : ''}`,
      );
    },
  };
}

/**
 * Refuses a request a browser sent from another site's page. The host is compared, not the scheme:
 * behind a proxy that ends TLS the server sees http while the browser's origin says https.
 */
export function requireSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== request.host) throw new StenoError('forbidden', 'the request came from another origin');
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Sign-in attempts per client address: at most `perMinute` in any minute, whatever the usernames, so
 * that one address cannot try passwords across many accounts (each account also locks on its own).
 */
export class SignInLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt; throws when the address is over its limit. */
  check(address: string): void {
    const now = this.now();
    const recent = (this.attempts.get(address) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.perMinute) {
      this.attempts.set(address, recent);
      throw new StenoError('too_many_requests', 'too many sign-in attempts from this address; wait a minute');
    }
    recent.push(now);
    this.attempts.set(address, recent);
    // Keep the map small: forget addresses with nothing recent.
    if (this.attempts.size > 10_000) {
      for (const [key, times] of this.attempts) if (times.every((t) => now - t >= 60_000)) this.attempts.delete(key);
    }
  }
}
