/**
 * Information barriers. A conversation belongs to the desks of the staff who took part in it: a handle
 * a desk's staff member held, as sender or recipient, while the conversation ran (by the directory's
 * timeline of who held which handle when). A caller scoped to desks sees only their conversations; to
 * them, anything else does not exist.
 *
 * Each desk's set of conversations is kept and brought up to date with only the messages archived
 * since it was last read, so a conversation is visible from its first message on, without re-reading
 * the archive on every request. A change to the directory starts the set afresh.
 */
import type { Directory } from '../capture/directory/directory.js';
import type { ConversationsByHandle } from './search.js';

interface DeskConversations {
  /** The ledger size this set has read up to. */
  treeSize: number;
  /** The directory change it was worked out with. */
  directoryAt: number;
  conversations: Set<string>;
}

export class DeskScope {
  private readonly storage: ConversationsByHandle;
  private readonly directory: { load(): Promise<Directory>; readonly appliedThrough: number };
  private readonly desksRead = new Map<string, Promise<DeskConversations>>();

  constructor(options: {
    storage: ConversationsByHandle;
    directory: { load(): Promise<Directory>; readonly appliedThrough: number };
  }) {
    this.storage = options.storage;
    this.directory = options.directory;
  }

  /** Every desk in the staff directory. */
  async desks(): Promise<string[]> {
    const directory = await this.directory.load();
    const desks = new Set<string>();
    for (const entry of directory.list('staff')) if (entry.kind === 'staff') desks.add(entry.desk);
    return [...desks].sort();
  }

  /** The conversations of any of these desks. */
  async conversations(desks: readonly string[]): Promise<ReadonlySet<string>> {
    const sets = await Promise.all(desks.map((d) => this.conversationsOfDesk(d)));
    if (sets.length === 1) return sets[0]!;
    const all = new Set<string>();
    for (const set of sets) for (const c of set) all.add(c);
    return all;
  }

  /** Whether a caller with these desks (null: every desk) may see the conversation. */
  async allows(desks: readonly string[] | null, conversationId: string): Promise<boolean> {
    if (desks === null) return true;
    return (await this.conversations(desks)).has(conversationId);
  }

  private async conversationsOfDesk(desk: string): Promise<ReadonlySet<string>> {
    // One update at a time per desk: each reads on from where the last one stopped.
    const previous = this.desksRead.get(desk);
    const next = (previous ?? Promise.resolve(null)).catch(() => null).then((known) => this.update(desk, known));
    this.desksRead.set(desk, next);
    return (await next).conversations;
  }

  private async update(desk: string, known: DeskConversations | null): Promise<DeskConversations> {
    const directory = await this.directory.load();
    const directoryAt = this.directory.appliedThrough;
    const treeSize = await this.storage.treeSize();
    const fresh = known === null || known.directoryAt !== directoryAt;
    if (!fresh && known.treeSize === treeSize) return known;
    const conversations = fresh ? new Set<string>() : known.conversations;
    const afterIndex = fresh ? -1 : known.treeSize - 1;
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
    return { treeSize, directoryAt, conversations };
  }
}
