/** A person using the console's API: a cookie, its CSRF token, and sign-in through every stage. */

import { totpCode } from '../../src/auth/totp.js';
import type { Steno } from '../../src/context.js';

export const PASSWORD = 'correct horse battery staple';
export const NEW_PASSWORD = 'a much longer passphrase 2026';

/** The last TOTP step used per secret, across clients: the server takes each step's code once. */
const usedSteps = new Map<string, number>();

export class ConsoleClient {
  cookie: string | null = null;
  csrf: string | null = null;
  totpSecret: string | null = null;

  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie !== null) h.cookie = this.cookie;
    if (this.csrf !== null && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie !== null) {
      const value = setCookie.split(';')[0]!;
      this.cookie = value.endsWith('=') ? null : value;
    }
    return res;
  }

  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /**
   * A TOTP code for a step not used before with this secret. A code works once, and the server accepts
   * the next step's code too (clock drift), so a second code in the same 30 seconds is the next step's;
   * only past that does this wait.
   */
  async freshCode(secret: string): Promise<string> {
    const last = usedSteps.get(secret) ?? -1;
    let step = Math.max(Math.floor(Date.now() / 30_000), last + 1);
    while (step > Math.floor(Date.now() / 30_000) + 1) {
      await new Promise((r) => setTimeout(r, 250));
      step = Math.max(Math.floor(Date.now() / 30_000), last + 1);
    }
    usedSteps.set(secret, step);
    return totpCode(secret, step * 30_000);
  }

  /** Signs in through every stage the account calls for; returns the session answer. */
  async signIn(username: string, password: string, options: { newPassword?: string } = {}) {
    const res = await this.call('POST', '/api/v1/session', { username, password });
    if (!res.ok) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
    let session = (await res.json()) as { stage: string; csrfToken: string };
    this.csrf = session.csrfToken;
    for (let i = 0; i < 5 && session.stage !== 'ready'; i++) {
      if (session.stage === 'totp') {
        session = await this.json('POST', '/api/v1/session/totp', { code: await this.freshCode(this.totpSecret!) });
      } else if (session.stage === 'change-password') {
        session = await this.json('POST', '/api/v1/session/password', {
          current: password,
          next: options.newPassword ?? NEW_PASSWORD,
        });
      } else if (session.stage === 'enroll-totp') {
        const { secret } = await this.json<{ secret: string }>('POST', '/api/v1/session/totp/setup');
        this.totpSecret = secret;
        session = await this.json('POST', '/api/v1/session/totp/confirm', { code: await this.freshCode(secret) });
      }
    }
    return session;
  }
}

/** Creates a user directly, with a known password, and signs them in (changing it) over the API. */
export async function userClient(
  steno: Steno,
  base: string,
  user: { username: string; role: string; desks?: string[] },
): Promise<ConsoleClient> {
  await steno.accounts.create({ ...user, password: PASSWORD });
  const client = new ConsoleClient(base);
  await client.signIn(user.username, PASSWORD);
  return client;
}
