/**
 * Search over archived messages: full text (Steno's own query syntax, CJK-aware) with filters.
 * Storage translates the parsed query for its engine (FTS5 or PostgreSQL text search).
 */

import type { Directory, EntryKind, Party } from '../capture/directory/directory.js';
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
  /** Only these conversations (a desk's, for a caller behind an information barrier). */
  conversationIds?: readonly string[];
  /** Only messages orders were read from. */
  hasOrder?: boolean;
  /** Only messages in conversations an alert was raised on. */
  hasAlert?: boolean;
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

/** A conversation a handle took part in, and when it first and last did. */
export interface HandleConversation {
  conversationId: string;
  firstMs: number;
  lastMs: number;
}

/**
 * What desk scoping needs of storage: the conversations a handle (without its platform) took part in,
 * in messages after a ledger index (-1: all of them).
 */
export interface ConversationsByHandle {
  conversationsWith(platform: string, handle: string, afterIndex: number): Promise<HandleConversation[]>;
  /** The ledger index of the newest message (-1 for none). */
  latestMessageIndex(): Promise<number>;
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
    const limit = checkPageAndPeriod(input);
    const { query, clientId, staffId, ...filters } = input;
    const criteria: SearchCriteria = { ...filters, limit };
    if (query !== undefined) criteria.query = parseQuery(query);
    const directory = this.directory === undefined ? null : await this.directory();
    const party = partyOf({ clientId, staffId });
    if (party !== null) {
      if (directory === null) throw new StenoError('not_found', 'there is no directory to select by');
      const handles = partyHandles(directory, party);
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
      if (party !== null && directory !== null && !involves(directory, party, hit, content)) continue;
      results.push(result);
    }
    if (directory !== null) await this.flagUnregisteredInStaffConversations(directory, results);
    return results;
  }

  /**
   * A sender no one in the directory holds, in a conversation where staff take part (though not named
   * on this message, as in a group chat), is an unregistered sender too.
   */
  private async flagUnregisteredInStaffConversations(directory: Directory, results: SearchResult[]): Promise<void> {
    const suspects = results.filter(
      (r) =>
        r.resolved !== undefined && r.resolved.sender === null && r.resolved.flags.length === 0 && r.kind !== 'system',
    );
    if (suspects.length === 0) return;
    const staffHandles = directory.list('staff').flatMap((s) => s.handles.map((h) => h.slice(h.indexOf(':') + 1)));
    if (staffHandles.length === 0) return;
    const withStaff = new Map<string, boolean>();
    for (const r of suspects) {
      let staffed = withStaff.get(r.conversationId);
      if (staffed === undefined) {
        const hits = await this.storage.searchMessages({
          conversationId: r.conversationId,
          participants: staffHandles,
          limit: 1,
        });
        staffed = hits.length > 0;
        withStaff.set(r.conversationId, staffed);
      }
      if (staffed) r.resolved!.flags.push('unregistered-sender');
    }
  }
}

/** The words of a query's required clauses, for highlighting matches (excluded words are not shown). */
export function highlightTerms(query: string | undefined): string[] {
  if (query === undefined || query.trim() === '') return [];
  const terms = new Set<string>();
  for (const clause of parseQuery(query).include) {
    const phrases = clause.kind === 'phrase' ? [clause] : clause.options;
    for (const phrase of phrases) for (const token of phrase.tokens) terms.add(token);
  }
  return [...terms];
}

/** Checks a listing's page size (default 50) and period; returns the page size. */
export function checkPageAndPeriod(input: { limit?: number; fromMs?: number; toMs?: number }): number {
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
  return limit;
}

export function partyOf(filter: PartyFilter): { kind: EntryKind; id: string } | null {
  if (filter.clientId !== undefined) return { kind: 'client', id: filter.clientId };
  if (filter.staffId !== undefined) return { kind: 'staff', id: filter.staffId };
  return null;
}

/**
 * Every handle (without its platform) a client or staff member ever held: what storage selects on.
 * Each message found is then kept only if they held the handle when it was sent (involves()).
 */
export function partyHandles(directory: Directory, party: { kind: EntryKind; id: string }): string[] {
  requireParty(directory, party);
  return directory.handlesEverHeld(party.kind, party.id).map((h) => h.slice(h.indexOf(':') + 1));
}

/** Throws not_found when the directory has no such client or staff member. */
export function requireParty(directory: Directory, party: { kind: EntryKind; id: string }): void {
  if (directory.get(party.kind, party.id) === undefined) {
    throw new StenoError(
      'not_found',
      `no ${party.kind === 'client' ? 'client' : 'staff member'} ${party.id} in the directory`,
    );
  }
}

/** Whether the party sent or received the message, by the handles they held at the time. */
export function involves(
  directory: Directory,
  party: { kind: EntryKind; id: string },
  hit: MessageHit,
  content: MessageContent | null,
): boolean {
  const is = (handle: string) => {
    const p = directory.resolve(hit.platform, handle, hit.sentAtMs);
    return p?.kind === party.kind && p.id === party.id;
  };
  return is(hit.sender) || (content?.recipients ?? []).some(is);
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
