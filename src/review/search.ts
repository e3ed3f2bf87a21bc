/**
 * Search over archived messages: full text (Steno's own query syntax, CJK-aware) with filters.
 * Storage translates the parsed query for its engine (FTS5 or PostgreSQL text search).
 */

import type { MessageContent } from '../capture/model.js';
import { StenoError } from '../core/errors.js';
import { parseQuery, type Query } from '../index/query.js';
import type { ContentReader } from '../ledger/content.js';

export interface MessageFilters {
  platform?: string;
  conversationId?: string;
  participant?: string;
  /** Inclusive lower bound on sentAt, epoch ms. */
  fromMs?: number;
  /** Exclusive upper bound on sentAt, epoch ms. */
  toMs?: number;
}

export interface SearchCriteria extends MessageFilters {
  query?: Query;
  limit: number;
  /** Page backwards from this ledger index (exclusive); newest first. */
  beforeIndex?: number;
}

export interface MessageHit {
  leafIndex: number;
  recordId: string;
  platform: string;
  conversationId: string;
  sender: string;
  sentAtMs: number;
  kind: string;
}

/** What search needs of storage. */
export interface SearchStorage {
  searchMessages(criteria: SearchCriteria): Promise<MessageHit[]>;
}

export interface SearchResult extends MessageHit {
  sentAt: string;
  content: MessageContent | null;
}

export const MAX_SEARCH_LIMIT = 1000;

export class SearchService {
  private readonly storage: SearchStorage;
  private readonly contents: ContentReader;

  constructor(options: { storage: SearchStorage; contents: ContentReader }) {
    this.storage = options.storage;
    this.contents = options.contents;
  }

  async search(
    input: { query?: string; limit?: number; beforeIndex?: number } & MessageFilters,
  ): Promise<SearchResult[]> {
    const limit = input.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
      throw new StenoError('invalid_input', `limit must be an integer from 1 to ${MAX_SEARCH_LIMIT}`, {
        problems: [{ where: 'limit', message: `must be an integer from 1 to ${MAX_SEARCH_LIMIT}` }],
      });
    }
    if (input.fromMs !== undefined && input.toMs !== undefined && input.fromMs >= input.toMs) {
      throw new StenoError('invalid_input', 'from must be before to', {
        problems: [{ where: 'from', message: 'must be before to' }],
      });
    }
    const { query, ...filters } = input;
    const criteria: SearchCriteria = { ...filters, limit };
    if (query !== undefined) criteria.query = parseQuery(query);
    const hits = await this.storage.searchMessages(criteria);
    const contents = await this.contents.readContents(hits.map((h) => h.leafIndex));
    return hits.map((hit) => {
      const stored = contents.get(hit.leafIndex);
      return {
        ...hit,
        sentAt: new Date(hit.sentAtMs).toISOString(),
        content: stored === undefined ? null : (JSON.parse(stored.content.toString('utf8')) as MessageContent),
      };
    });
  }
}

/**
 * Parses a date filter: an ISO 8601 date-time with offset, or a date (UTC). As an upper bound (`to`),
 * a date means the end of that day, so `--from 2026-05-04 --to 2026-05-04` is the whole of the 4th.
 */
export function parseDateFilter(value: string, where: string, bound: 'from' | 'to' = 'from'): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = dateOnly ? Date.parse(`${value}T00:00:00Z`) + (bound === 'to' ? 86_400_000 : 0) : Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new StenoError('invalid_input', `${where}: "${value.slice(0, 64)}" is not an ISO 8601 date or date-time`, {
      problems: [{ where, message: 'must be an ISO 8601 date (2026-05-04) or date-time with offset' }],
    });
  }
  return ms;
}
