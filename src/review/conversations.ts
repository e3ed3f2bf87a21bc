/**
 * A conversation as the console shows it: its messages oldest first, each with its content, who its
 * participants were by the directory at the time, and the orders read from it. Edits, deletes and
 * recalls are records of their own pointing at the original (nothing is overwritten); the reader shows
 * them on the original, so both texts stay in view.
 */
import type { Directory } from '../capture/directory/directory.js';
import type { MessageContent } from '../capture/model.js';
import { StenoError } from '../core/errors.js';
import type { ContentReader } from '../ledger/content.js';
import type { OrderArchive, OrderView } from '../surveil/orders/archive.js';
import type { MediaLookup, MessageMedia } from './media-lookup.js';
import { type Resolution, resolveParticipants, type SearchStorage } from './search.js';

export const CONVERSATION_PAGE = { default: 500, max: 5000 } as const;

export interface ConversationMessage {
  leafIndex: number;
  recordId: string;
  sentAt: string;
  sender: string;
  kind: string;
  content: MessageContent | null;
  resolved: Resolution;
  orders: OrderView[];
  /** Media fetched from the platform after the message was captured, each its own ledger record. */
  media: MessageMedia[];
}

export interface ConversationView {
  conversationId: string;
  platform: string | null;
  title: string | null;
  /** The desks of the staff who took part, in this page. */
  desks: string[];
  messages: ConversationMessage[];
  /** Whether older messages remain (page on with `before` = the first message's leafIndex). */
  more: boolean;
}

export class ConversationService {
  private readonly storage: SearchStorage;
  private readonly contents: ContentReader;
  private readonly directory: () => Promise<Directory>;
  private readonly orders: OrderArchive;
  private readonly media: MediaLookup;

  constructor(options: {
    storage: SearchStorage;
    contents: ContentReader;
    directory: () => Promise<Directory>;
    orders: OrderArchive;
    media: MediaLookup;
  }) {
    this.storage = options.storage;
    this.contents = options.contents;
    this.directory = options.directory;
    this.orders = options.orders;
    this.media = options.media;
  }

  /** The newest `limit` messages before `beforeIndex`, oldest first; not_found when there are none at all. */
  async read(conversationId: string, page: { beforeIndex?: number; limit?: number } = {}): Promise<ConversationView> {
    const limit = page.limit ?? CONVERSATION_PAGE.default;
    if (!Number.isInteger(limit) || limit < 1 || limit > CONVERSATION_PAGE.max) {
      throw new StenoError('invalid_input', `limit must be an integer from 1 to ${CONVERSATION_PAGE.max}`, {
        problems: [{ where: 'limit', message: `must be an integer from 1 to ${CONVERSATION_PAGE.max}` }],
      });
    }
    // One more than asked, to know whether older messages remain.
    const hits = await this.storage.searchMessages({
      conversationId,
      limit: limit + 1,
      ...(page.beforeIndex === undefined ? {} : { beforeIndex: page.beforeIndex }),
    });
    if (hits.length === 0 && page.beforeIndex === undefined) {
      throw new StenoError('not_found', `no conversation "${conversationId.slice(0, 200)}"`);
    }
    const more = hits.length > limit;
    const shown = hits.slice(0, limit).reverse();
    const [contents, directory, orders, media] = await Promise.all([
      this.contents.readContents(shown.map((h) => h.leafIndex)),
      this.directory(),
      shown.length === 0
        ? Promise.resolve([])
        : this.orders.find({ conversationId, beforeIndex: shown.at(-1)!.leafIndex + 1, limit: 1000 }),
      this.media.forMessages(shown.map((h) => h.leafIndex)),
    ]);
    const ordersByMessage = new Map<number, OrderView[]>();
    for (const order of orders) {
      const list = ordersByMessage.get(order.messageIndex) ?? [];
      list.push(order);
      ordersByMessage.set(order.messageIndex, list);
    }
    const desks = new Set<string>();
    let title: string | null = null;
    const messages = shown.map((hit): ConversationMessage => {
      const stored = contents.get(hit.leafIndex);
      const content = stored === undefined ? null : (JSON.parse(stored.content.toString('utf8')) as MessageContent);
      if (content?.conversationTitle !== undefined) title = content.conversationTitle;
      const resolved = resolveParticipants(directory, hit, content);
      for (const party of [resolved.sender, ...resolved.recipients]) {
        if (party?.kind !== 'staff') continue;
        const entry = directory.get('staff', party.id);
        if (entry?.kind === 'staff') desks.add(entry.desk);
      }
      return {
        leafIndex: hit.leafIndex,
        recordId: hit.recordId,
        sentAt: new Date(hit.sentAtMs).toISOString(),
        sender: hit.sender,
        kind: hit.kind,
        content,
        resolved,
        orders: (ordersByMessage.get(hit.leafIndex) ?? []).sort((a, b) => a.ordinal - b.ordinal),
        media: media.get(hit.leafIndex) ?? [],
      };
    });
    return {
      conversationId,
      platform: shown[0]?.platform ?? null,
      title,
      desks: [...desks].sort(),
      messages,
      more,
    };
  }
}
