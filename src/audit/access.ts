/**
 * The access log: every sign-in, search, view of a conversation, export and administrative change is
 * a ledger record of type `access` (who, when, what, from where). Being leaves of the tree, the records
 * are as tamper-evident as the messages they are about, and an evidence package can carry them.
 */
import { canonicalBytes } from '../core/canonical-json.js';
import { StenoError } from '../core/errors.js';
import { newRecordId } from '../core/ids.js';
import type { StoredRecord } from '../ledger/content.js';
import { type Ledger, type LedgerWriteTx, prepareRecord } from '../ledger/log.js';

export const ACCESS_RECORD = 'access';
/** How much of a free-text detail (a search query, a reason) an access record keeps. */
const DETAIL_TEXT_MAX = 1000;
const PAGE = 500;

export interface AccessEvent {
  /** `sign-in`, `search`, `conversation.view`, `user.create`, … */
  action: string;
  /** `user:ada`, `token:crm`, or the username tried for a failed sign-in. */
  actor: string;
  /** The client address the request came from; null for the CLI. */
  from: string | null;
  /** What was acted on: a conversation id, a username, a token name. */
  target: string | null;
  detail: Record<string, unknown>;
}

export interface AccessEntry extends AccessEvent {
  index: number;
  recordId: string;
  at: string;
}

/** Records of one type, newest first: what the log reads back. */
export interface RecordsNewestFirst {
  recordsOfTypeBefore(type: string, beforeIndex: number | null, limit: number): Promise<StoredRecord[]>;
}

export interface AccessFilter {
  actor?: string;
  action?: string;
  fromMs?: number;
  toMs?: number;
  limit: number;
  beforeIndex?: number;
}

export class AccessLog<Tx extends LedgerWriteTx = LedgerWriteTx> {
  constructor(
    private readonly ledger: Ledger<Tx>,
    private readonly records: RecordsNewestFirst,
  ) {}

  /** Appends the event; answered once it is durable, so nothing is shown that was not recorded. */
  async record(event: AccessEvent): Promise<number> {
    const at = new Date().toISOString();
    const content = { ...event, at, detail: bounded(event.detail) };
    const record = prepareRecord(ACCESS_RECORD, newRecordId(), canonicalBytes(content), at);
    return this.ledger.append(async (_tx, appender) => appender.append(record).index);
  }

  /** Newest first, filtered; pages with `beforeIndex`. */
  async list(filter: AccessFilter): Promise<AccessEntry[]> {
    if (!Number.isInteger(filter.limit) || filter.limit < 1 || filter.limit > 1000) {
      throw new StenoError('invalid_input', 'limit must be an integer from 1 to 1000', {
        problems: [{ where: 'limit', message: 'must be an integer from 1 to 1000' }],
      });
    }
    const out: AccessEntry[] = [];
    let before: number | null = filter.beforeIndex ?? null;
    for (;;) {
      const page = await this.records.recordsOfTypeBefore(ACCESS_RECORD, before, PAGE);
      for (const r of page) {
        const entry = toEntry(r);
        if (entry === null) continue;
        const atMs = Date.parse(entry.at);
        if (filter.toMs !== undefined && atMs >= filter.toMs) continue;
        // Newest first: once past the start of the period, nothing older can match.
        if (filter.fromMs !== undefined && atMs < filter.fromMs) return out;
        if (filter.actor !== undefined && entry.actor !== filter.actor) continue;
        if (filter.action !== undefined && entry.action !== filter.action) continue;
        out.push(entry);
        if (out.length === filter.limit) return out;
      }
      if (page.length < PAGE) return out;
      before = page.at(-1)!.index;
    }
  }

  /** Every entry, newest first, a page at a time: for export. */
  async *entries(): AsyncGenerator<AccessEntry> {
    let before: number | null = null;
    for (;;) {
      const page = await this.records.recordsOfTypeBefore(ACCESS_RECORD, before, PAGE);
      for (const r of page) {
        const entry = toEntry(r);
        if (entry !== null) yield entry;
      }
      if (page.length < PAGE) return;
      before = page.at(-1)!.index;
    }
  }
}

function toEntry(r: StoredRecord): AccessEntry | null {
  if (r.content === null) return null; // shredded at the end of its retention
  const c = JSON.parse(r.content.toString('utf8')) as AccessEvent & { at: string };
  return {
    index: r.index,
    recordId: r.id,
    at: c.at,
    action: c.action,
    actor: c.actor,
    from: c.from,
    target: c.target,
    detail: c.detail,
  };
}

/** Free text from outside is kept, cut to a bound: the log must not become a way to store anything. */
function bounded(detail: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(detail)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'string' && value.length > DETAIL_TEXT_MAX ? value.slice(0, DETAIL_TEXT_MAX) : value;
  }
  return out;
}
