/**
 * Information barriers. A conversation belongs to the desks of the staff who took part in it: a handle
 * a desk's staff member held, as sender or recipient, while the conversation ran (by the directory's
 * timeline of who held which handle when). A caller scoped to desks sees only their conversations; to
 * them, anything else does not exist.
 *
 * Each desk's set of conversations is kept and brought up to date with only the messages archived
 * since it was last read; a change to the directory starts it afresh. Reading on costs about the same
 * however few messages are new (the full-text index cannot seek within a handle's entries), so a
 * search reads on at most once a second, while opening a conversation the set does not hold yet reads
 * on at once: a new conversation opens from its first message.
 */
import type { Directory } from '../capture/directory/directory.js';
import { StenoError } from '../core/errors.js';
import type { ConversationsByHandle } from './search.js';

/** How stale a desk's set may be for a search (not for opening a conversation). */
const SEARCH_STALENESS_MS = 1_000;

interface DeskConversations {
  /** The newest message this set has read. */
  throughIndex: number;
  /** The directory change it was worked out with. */
  directoryAt: number;
  readAtMs: number;
  conversations: Set<string>;
}

export class DeskScope {
  private readonly storage: ConversationsByHandle;
  private readonly directory: { load(): Promise<Directory>; readonly appliedThrough: number };
  private readonly now: () => number;
  private readonly desksRead = new Map<string, Promise<DeskConversations>>();

  constructor(options: {
    storage: ConversationsByHandle;
    directory: { load(): Promise<Directory>; readonly appliedThrough: number };
    now?: () => number;
  }) {
    this.storage = options.storage;
    this.directory = options.directory;
    this.now = options.now ?? Date.now;
  }

  /** Every desk in the staff directory. */
  async desks(): Promise<string[]> {
    const directory = await this.directory.load();
    const desks = new Set<string>();
    for (const entry of directory.list('staff')) if (entry.kind === 'staff') desks.add(entry.desk);
    return [...desks].sort();
  }

  /** Refuses a desk the staff directory does not name: a request may not make up desks. */
  async requireKnown(desk: string): Promise<void> {
    if (!(await this.desks()).includes(desk)) {
      throw new StenoError('invalid_input', `no desk "${desk.slice(0, 64)}" in the staff directory`, {
        problems: [{ where: 'desk', message: 'is not a desk of the staff directory' }],
      });
    }
  }

  /** The conversations of any of these desks, as of at most a second ago. */
  async conversations(desks: readonly string[]): Promise<ReadonlySet<string>> {
    return this.union(desks, SEARCH_STALENESS_MS);
  }

  /** Whether a caller with these desks (null: every desk) may see the conversation, as of now. */
  async allows(desks: readonly string[] | null, conversationId: string): Promise<boolean> {
    if (desks === null) return true;
    if ((await this.union(desks, SEARCH_STALENESS_MS)).has(conversationId)) return true;
    return (await this.union(desks, 0)).has(conversationId);
  }

  /** Whether a client talks with any of these desks: a conversation of theirs in which the client took part. */
  async clientVisible(desks: readonly string[], clientId: string): Promise<boolean> {
    const visible = await this.union(desks, 0);
    const directory = await this.directory.load();
    for (const held of directory.holdings('client', clientId)) {
      const colon = held.handle.indexOf(':');
      const conversations = await this.storage.conversationsWith(
        held.handle.slice(0, colon),
        held.handle.slice(colon + 1),
        -1,
      );
      if (conversations.some((c) => visible.has(c.conversationId))) return true;
    }
    return false;
  }

  private async union(desks: readonly string[], stalenessMs: number): Promise<ReadonlySet<string>> {
    const sets = await Promise.all(desks.map((d) => this.conversationsOfDesk(d, stalenessMs)));
    if (sets.length === 1) return sets[0]!;
    const all = new Set<string>();
    for (const set of sets) for (const c of set) all.add(c);
    return all;
  }

  private async conversationsOfDesk(desk: string, stalenessMs: number): Promise<ReadonlySet<string>> {
    // One update at a time per desk: each reads on from where the last one stopped.
    const next = (this.desksRead.get(desk) ?? Promise.resolve(null))
      .catch(() => null)
      .then((known) => this.update(desk, known, stalenessMs));
    this.desksRead.set(desk, next);
    return (await next).conversations;
  }

  private async update(desk: string, known: DeskConversations | null, stalenessMs: number): Promise<DeskConversations> {
    const directory = await this.directory.load();
    const directoryAt = this.directory.appliedThrough;
    const fresh = known === null || known.directoryAt !== directoryAt;
    const now = this.now();
    if (!fresh && now - known.readAtMs < stalenessMs) return known;
    const throughIndex = await this.storage.latestMessageIndex();
    if (!fresh && known.throughIndex === throughIndex) return { ...known, readAtMs: now };
    const conversations = fresh ? new Set<string>() : known.conversations;
    const afterIndex = fresh ? -1 : known.throughIndex;
    for (const staff of directory.list('staff')) {
      if (staff.kind !== 'staff' || staff.desk !== desk) continue;
      for (const held of directory.holdings('staff', staff.id)) {
        const colon = held.handle.indexOf(':');
        const platform = held.handle.slice(0, colon);
        const handle = held.handle.slice(colon + 1);
        for (const c of await this.storage.conversationsWith(platform, handle, afterIndex)) {
          if (c.lastMs >= held.fromMs && c.firstMs < held.untilMs) conversations.add(c.conversationId);
        }
      }
    }
    return { throughIndex, directoryAt, readAtMs: now, conversations };
  }
}
