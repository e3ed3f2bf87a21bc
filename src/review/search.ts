/**
 * Search over archived messages: full text (Steno's own query syntax, CJK-aware) with filters.
 * Storage translates the parsed query for its engine (FTS5 or PostgreSQL text search).
 */

import type { Directory, Party } from '../capture/directory/directory.js';
import type { MessageContent } from '../capture/model.js';
import { StenoError } from '../core/errors.js';
import { parseQuery, type Query } from '../index/query.js';
import type { ContentReader } from '../ledger/content.js';

export interface MessageFilters {
  platform?: string;
  conversationId?: string;
  participant?: string;
  /** Any of these handles (the handles a client or staff member held). */
  participants?: string[];
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
  /** Who the participants were, by the directory, when the message was sent. */
  resolved?: Resolution;
}

export interface Resolution {
  sender: Party | null;
  recipients: (Party | null)[];
  /** `unregistered-sender`: a handle no client or staff member holds, writing to staff. */
  flags: string[];
}

/** A selection by directory entry instead of by handle. */
export interface PartyFilter {
  clientId?: string;
  staffId?: string;
}

export const MAX_SEARCH_LIMIT = 1000;

export class SearchService {
  private readonly storage: SearchStorage;
  private readonly contents: ContentReader;

  private readonly directory: (() => Promise<Directory>) | undefined;

  constructor(options: { storage: SearchStorage; contents: ContentReader; directory?: () => Promise<Directory> }) {
    this.storage = options.storage;
    this.contents = options.contents;
    this.directory = options.directory;
  }

  async search(
    input: { query?: string; limit?: number; beforeIndex?: number } & MessageFilters & PartyFilter,
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
    const { query, clientId, staffId, ...filters } = input;
    const criteria: SearchCriteria = { ...filters, limit };
    if (query !== undefined) criteria.query = parseQuery(query);
    const directory = this.directory === undefined ? null : await this.directory();
    const party =
      clientId !== undefined
        ? { kind: 'client' as const, id: clientId }
        : staffId !== undefined
          ? { kind: 'staff' as const, id: staffId }
          : null;
    if (party !== null) {
      if (directory === null || directory.get(party.kind, party.id) === undefined) {
        throw new StenoError(
          'not_found',
          `no ${party.kind === 'client' ? 'client' : 'staff member'} ${party.id} in the directory`,
        );
      }
      // Every handle the party ever held; each hit is then kept only if the party held it at the time.
      const handles = directory.handlesEverHeld(party.kind, party.id).map((h) => h.slice(h.indexOf(':') + 1));
      if (handles.length === 0) return [];
      criteria.participants = handles;
    }
    const hits = await this.storage.searchMessages(criteria);
    const contents = await this.contents.readContents(hits.map((h) => h.leafIndex));
    const results: SearchResult[] = [];
    for (const hit of hits) {
      const stored = contents.get(hit.leafIndex);
      const content = stored === undefined ? null : (JSON.parse(stored.content.toString('utf8')) as MessageContent);
      const result: SearchResult = { ...hit, sentAt: new Date(hit.sentAtMs).toISOString(), content };
      if (directory !== null) result.resolved = resolveParticipants(directory, hit, content);
      if (party !== null) {
        const involved = [result.resolved?.sender, ...(result.resolved?.recipients ?? [])];
        if (!involved.some((p) => p?.kind === party.kind && p.id === party.id)) continue;
      }
      results.push(result);
    }
    return results;
  }
}

/** Resolves a message's sender and recipients through the directory, as of when it was sent. */
export function resolveParticipants(directory: Directory, hit: MessageHit, content: MessageContent | null): Resolution {
  const at = hit.sentAtMs;
  const sender = directory.resolve(hit.platform, hit.sender, at);
  const recipients = (content?.recipients ?? []).map((r) => directory.resolve(hit.platform, r, at));
  const account = content?.account === undefined ? null : directory.resolve(hit.platform, content.account, at);
  const flags: string[] = [];
  const toStaff = [...recipients, account].some((p) => p?.kind === 'staff');
  if (sender === null && toStaff && content?.kind !== 'system') flags.push('unregistered-sender');
  return { sender, recipients, flags };
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
