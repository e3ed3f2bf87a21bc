/**
 * API tokens. A token is 32 random bytes shown once; only its SHA-256 is stored (a high-entropy
 * secret needs no slow hash). Scopes give least privilege: a capture connector gets `ingest` and can
 * read nothing back.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { StenoError } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { newRecordId } from '../core/ids.js';

/**
 * `ingest` writes messages; `read` reads the archive, orders and alerts; `review` works alerts (assign,
 * comment, escalate, record task outcomes, approve, close) and runs the rules; `admin` sets policy.
 */
export const TOKEN_SCOPES = ['ingest', 'read', 'review', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
const TOKEN_PREFIX = 'steno_';
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface TokenRow {
  id: string;
  name: string;
  tokenHash: Buffer;
  scopes: TokenScope[];
  createdAt: string;
  revokedAt: string | null;
}

export interface TokenStorage {
  insertToken(row: TokenRow): Promise<void>;
  findTokenByHash(hash: Buffer): Promise<TokenRow | null>;
  listTokens(): Promise<TokenRow[]>;
  revokeToken(name: string, at: string): Promise<boolean>;
}

export interface TokenInfo {
  id: string;
  name: string;
  scopes: TokenScope[];
  createdAt: string;
  revokedAt: string | null;
}

export class TokenService {
  private readonly storage: TokenStorage;

  constructor(storage: TokenStorage) {
    this.storage = storage;
  }

  async create(input: { name: string; scopes: TokenScope[] }): Promise<{ token: string; info: TokenInfo }> {
    if (!TOKEN_NAME.test(input.name)) {
      throw new StenoError('invalid_input', 'token name must be 1-64 letters, digits, ".", "_" or "-"', {
        problems: [{ where: '--name', message: 'must be 1-64 letters, digits, ".", "_" or "-"' }],
      });
    }
    for (const scope of input.scopes) {
      if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) {
        throw new StenoError('invalid_input', `unknown scope "${scope}"; scopes are ${TOKEN_SCOPES.join(', ')}`, {
          problems: [{ where: '--scope', message: `must be one of ${TOKEN_SCOPES.join(', ')}` }],
        });
      }
    }
    const existing = (await this.storage.listTokens()).find((t) => t.name === input.name);
    if (existing !== undefined) {
      throw new StenoError('conflict', `a token named "${input.name}" already exists; pick another name or revoke it`);
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const row: TokenRow = {
      id: newRecordId(),
      name: input.name,
      tokenHash: sha256(Buffer.from(token)),
      scopes: [...new Set(input.scopes)],
      createdAt: new Date().toISOString(),
      revokedAt: null,
    };
    await this.storage.insertToken(row);
    return { token, info: toInfo(row) };
  }

  /** Returns the token's info if it is valid and holds `scope`; throws unauthorized/forbidden otherwise. */
  async authenticate(presented: string | undefined, scope: TokenScope | 'any'): Promise<TokenInfo> {
    if (presented === undefined || !presented.startsWith(TOKEN_PREFIX) || presented.length > 200) {
      throw new StenoError(
        'unauthorized',
        'send "Authorization: Bearer <token>" with a token from `steno token create`',
      );
    }
    const hash = sha256(Buffer.from(presented));
    const row = await this.storage.findTokenByHash(hash);
    if (row === null || row.revokedAt !== null || !timingSafeEqual(row.tokenHash, hash)) {
      throw new StenoError('unauthorized', 'the token is unknown or revoked');
    }
    if (scope !== 'any' && !row.scopes.includes(scope)) {
      throw new StenoError('forbidden', `this token lacks the "${scope}" scope`);
    }
    return toInfo(row);
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.storage.listTokens()).map(toInfo);
  }

  async revoke(name: string): Promise<void> {
    if (!(await this.storage.revokeToken(name, new Date().toISOString()))) {
      throw new StenoError('not_found', `no active token named "${name}"`);
    }
  }
}

function toInfo(row: TokenRow): TokenInfo {
  return { id: row.id, name: row.name, scopes: row.scopes, createdAt: row.createdAt, revokedAt: row.revokedAt };
}
