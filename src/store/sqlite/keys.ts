/**
 * Exact-match lookups that would otherwise need B-tree indexes on random keys (dedup key, conversation,
 * participant). A random-keyed index makes every commit rewrite about one page per row in the WAL (it
 * cost 40% of ingest throughput); FTS5 is log-structured, so these tokens are written sequentially.
 * A token is a prefix letter and 64 bits of SHA-256: rows found through a token are confirmed against
 * the stored value wherever exactness matters (dedup), and a false match is a 2^-64 event elsewhere.
 */
import { sha256 } from '../../core/hash.js';

const token = (prefix: string, digest: Buffer) => `${prefix}${digest.toString('hex', 0, 8)}`;

export const dedupToken = (dedupKey: Buffer) => token('d', dedupKey);
/**
 * Conversations and participants recur in nearly every batch; remembering their tokens saves two or
 * three SHA-256s per message on the writer thread. Bounded: cleared when full.
 */
class TokenCache {
  private readonly tokens = new Map<string, string>();
  constructor(
    private readonly prefix: string,
    private readonly capacity = 16_384,
  ) {}
  get(value: string): string {
    let found = this.tokens.get(value);
    if (found === undefined) {
      if (this.tokens.size >= this.capacity) this.tokens.clear();
      found = token(this.prefix, sha256(Buffer.from(value)));
      this.tokens.set(value, found);
    }
    return found;
  }
}
const conversationTokens = new TokenCache('c');
const participantTokens = new TokenCache('p');

export const conversationToken = (conversationId: string) => conversationTokens.get(conversationId);
export const participantToken = (handle: string) => participantTokens.get(handle);

/** FTS5 MATCH for any / all of the tokens (tokens are [a-z0-9] only, so quoting is enough). */
export const anyOf = (tokens: readonly string[]) => tokens.map((t) => `"${t}"`).join(' OR ');
export const allOf = (tokens: readonly string[]) => tokens.map((t) => `"${t}"`).join(' AND ');

export function messageTokens(row: {
  dedupKey: Buffer;
  conversationId: string;
  participants: readonly string[];
}): string {
  return [
    dedupToken(row.dedupKey),
    conversationToken(row.conversationId),
    ...row.participants.map(participantToken),
  ].join(' ');
}
