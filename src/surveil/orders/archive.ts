/**
 * Orders in the archive. Every archived message (ingested, imported or captured) is read for orders once
 * it is in the ledger: this service follows the ledger, as a monitor follows a transparency log, and
 * keeps a projection of the orders it finds, linked to their message, conversation, client and staff
 * member, to the order an amendment or cancellation changes, and to the confirmation staff sent back.
 *
 * The projection is derived, never evidence: it is rebuilt from the ledger when the security master or
 * the extractor changes, and its parties are resolved again when the directory changes. Its progress is
 * one state value that every write compares and sets, so two processes (a CLI import beside the server)
 * never store the same message's orders twice.
 */
import type { Directory, Party } from '../../capture/directory/directory.js';
import type { MessageContent } from '../../capture/model.js';
import { CatchUpRunner } from '../../core/catch-up.js';
import { StenoError } from '../../core/errors.js';
import { RECORD_ID_PATTERN } from '../../core/ids.js';
import { checkPageAndPeriod, partyOf, requireParty } from '../../review/search.js';
import {
  type AckLanguage,
  acknowledgementBody,
  acknowledgementText,
  isStenoConfirmation,
  messageLanguage,
  type OrderTerms,
} from './acknowledge.js';
import type { OrderWarning } from './checks.js';
import { type ExtractedOrder, OrderExtractor, type OrderField, type Span } from './extract.js';
import type { Side, TimeInForce } from './lexicon.js';
import { type LinkableAck, type LinkableOrder, linkConversation } from './links.js';
import type { MasterInForce } from './master.js';

/** What the projection needs of the security master and the directory: each as the ledger holds it now. */
interface MasterSource {
  load(): Promise<MasterInForce | null>;
}
interface DirectorySource {
  load(): Promise<Directory>;
  /** The ledger index of the last directory change loaded. */
  readonly appliedThrough: number;
}

/** Bumped when extraction changes what it reads: the projection is then rebuilt. */
export const EXTRACTION_VERSION = 1;
/** How far back an amendment, cancellation or confirmation looks for its order (GTC orders live weeks). */
export const LINK_WINDOW_MS = 90 * 86_400_000;
/** Text beyond this is not read for orders (no client types an order of 64 KiB). */
const MAX_TEXT_CHARS = 64 * 1024;
const MESSAGES_PER_BATCH = 5000;
/** Orders kept in memory for linking during one catch-up before the cache is dropped and reloaded. */
const MAX_CACHED_ORDERS = 500_000;

export interface StoredOrder {
  /** `<message ledger index>.<n>`: the n-th order the message gives, from 0. */
  id: string;
  messageIndex: number;
  messageId: string;
  ordinal: number;
  platform: string;
  conversationId: string;
  platformMessageId: string | null;
  sentAtMs: number;
  messageKind: string;
  /** On an order read from an edit: the platform message id of the message it edits. */
  revises: string | null;
  /** On an order whose message was edited later: the first order of the latest edit, if it gives one. */
  revisedByOrderId: string | null;
  sender: string;
  /** The message's other handles (recipients, the firm's capturing account): how staff are found. */
  counterparts: string[];
  clientId: string | null;
  staffId: string | null;
  action: ExtractedOrder['action'];
  side: Side | null;
  symbol: string;
  quantity: number | null;
  orderType: ExtractedOrder['orderType'] | null;
  limitPrice: number | null;
  timeInForce: TimeInForce | null;
  confidence: number;
  detail: { spans: Partial<Record<OrderField, Span>>; warnings: OrderWarning[]; language: AckLanguage };
  /** On an amendment or cancellation: the order it changes, when the conversation makes that clear. */
  changesOrderId: string | null;
  /** The ledger index of the confirmation staff sent for it, once one is archived. */
  ackMessageIndex: number | null;
}

/** A confirmation staff sent, and the orders it repeats. */
export interface StoredAck {
  messageIndex: number;
  conversationId: string;
  sentAtMs: number;
  repeats: OrderTerms[];
}

export interface OrderCriteria {
  symbol?: string;
  side?: Side;
  action?: ExtractedOrder['action'];
  clientId?: string;
  staffId?: string;
  conversationId?: string;
  messageIndex?: number;
  /** Inclusive lower bound on the message's sentAt, epoch ms. */
  fromMs?: number;
  /** Exclusive upper bound. */
  toMs?: number;
  /** Orders from messages before this ledger index (paging backwards). */
  beforeIndex?: number;
  limit: number;
}

/** A message as the projection reads it. */
export interface ArchivedMessage {
  index: number;
  recordId: string;
  content: Buffer | null;
}

/** The projection's write: compared against and setting its state, in one transaction. */
export interface OrdersWrite {
  expectedState: string | null;
  state: string;
  /** Delete every stored order and confirmation first (a rebuild). */
  reset: boolean;
  /** Inserted, or replaced where the id exists. */
  orders: StoredOrder[];
  acks: StoredAck[];
}

/** What the projection needs of storage. */
export interface OrderStorage {
  /** The projection's progress as last written (null before the first write). */
  ordersState(): Promise<string | null>;
  treeSize(): Promise<number>;
  /** Message records after a ledger index, in ledger order, up to `limit`. */
  messagesAfter(afterIndex: number, limit: number): Promise<ArchivedMessage[]>;
  /** Stored orders and confirmations of these conversations sent at or after `fromMs`. */
  conversationOrders(
    conversationIds: readonly string[],
    fromMs: number,
  ): Promise<{ orders: StoredOrder[]; acks: StoredAck[] }>;
  /** Every stored order, for resolving parties again. */
  allOrders(): Promise<StoredOrder[]>;
  findOrders(criteria: OrderCriteria): Promise<StoredOrder[]>;
  /** The ledger index of a message record, by its id; null when there is no such message. */
  messageIndexOf(recordId: string): Promise<number | null>;
  /** Throws a `conflict` StenoError when the state is no longer `expectedState`. */
  writeOrders(write: OrdersWrite): Promise<void>;
}

interface ProjectionState {
  version: number;
  /** Ledger index of the security master the orders were read with. */
  master: number;
  /** Ledger index of the last directory change the parties reflect. */
  directory: number;
  /** Every message up to this ledger index has been read. */
  through: number;
}

export interface CatchUpResult {
  /** Messages read for orders. */
  messages: number;
  orders: number;
  /** Set when nothing can be read: no security master has been imported. */
  waiting?: string;
}

export const NO_MASTER =
  'no security master has been imported, so no orders are read yet: run steno instruments import FILE.csv';

export interface OrderView extends Omit<StoredOrder, 'detail' | 'sentAtMs' | 'counterparts'> {
  sentAt: string;
  spans: StoredOrder['detail']['spans'];
  warnings: OrderWarning[];
  language: AckLanguage;
}

export class OrderArchive {
  private readonly storage: OrderStorage;
  private readonly masters: MasterSource;
  private readonly directory: DirectorySource;
  private extractor: { index: number; extractor: OrderExtractor } | null = null;
  private readonly runner = new CatchUpRunner(() => this.run());

  constructor(options: { storage: OrderStorage; masters: MasterSource; directory: DirectorySource }) {
    this.storage = options.storage;
    this.masters = options.masters;
    this.directory = options.directory;
  }

  /**
   * Reads every message archived so far that has not been read, and brings links and parties up to
   * date. Calls made while one runs share the next run, which starts after it: a caller always sees
   * what was archived before it called.
   */
  catchUp(): Promise<CatchUpResult> {
    return this.runner.catchUp();
  }

  private async run(): Promise<CatchUpResult> {
    const inForce = await this.masters.load();
    if (inForce === null) return { messages: 0, orders: 0, waiting: NO_MASTER };
    const extractor = this.extractorFor(inForce);
    const directory = await this.directory.load();
    const directoryIndex = this.directory.appliedThrough;
    const stored = await this.storage.ordersState();
    let expected = stored;
    const previous = parseState(stored);
    let reset = previous === null || previous.version !== EXTRACTION_VERSION || previous.master !== inForce.index;
    let state: ProjectionState =
      previous !== null && !reset
        ? previous
        : { version: EXTRACTION_VERSION, master: inForce.index, directory: directoryIndex, through: -1 };
    const cache = new ConversationCache(this.storage);
    if (!reset && state.directory !== directoryIndex) {
      state = { ...state, directory: directoryIndex };
      await this.resolvePartiesAgain(directory, expected, state, cache);
      expected = serialiseState(state);
    }
    const end = (await this.storage.treeSize()) - 1;
    let messages = 0;
    let found = 0;
    while (state.through < end) {
      const batch = (await this.storage.messagesAfter(state.through, MESSAGES_PER_BATCH)).filter((m) => m.index <= end);
      if (batch.length === 0) break;
      const read = readMessages(batch, extractor, directory);
      messages += batch.length;
      found += read.orders.length;
      const next: ProjectionState = { ...state, through: batch.at(-1)!.index };
      const linked = await cache.link(read.orders, read.acks);
      const write: OrdersWrite = {
        expectedState: expected,
        state: serialiseState(next),
        reset,
        orders: linked,
        acks: read.acks,
      };
      await this.storage.writeOrders(write);
      expected = write.state;
      state = next;
      reset = false;
    }
    if (reset) {
      // A rebuild with nothing to read still clears what the old master found.
      const write = { expectedState: expected, state: serialiseState(state), reset, orders: [], acks: [] };
      await this.storage.writeOrders(write);
    }
    return { messages, orders: found };
  }

  private extractorFor(inForce: MasterInForce): OrderExtractor {
    if (this.extractor?.index !== inForce.index) {
      this.extractor = { index: inForce.index, extractor: new OrderExtractor(inForce.master) };
    }
    return this.extractor.extractor;
  }

  /** After a directory change: each order's client and staff member as the directory now says, and links again. */
  private async resolvePartiesAgain(
    directory: Directory,
    expected: string | null,
    state: ProjectionState,
    cache: ConversationCache,
  ): Promise<void> {
    const changed: StoredOrder[] = [];
    for (const order of await this.storage.allOrders()) {
      const parties = resolveParties(directory, order.platform, order.sender, order.counterparts, order.sentAtMs);
      if (parties.clientId === order.clientId && parties.staffId === order.staffId) continue;
      changed.push({ ...order, ...parties });
    }
    const linked = await cache.relink(changed);
    await this.storage.writeOrders({
      expectedState: expected,
      state: serialiseState(state),
      reset: false,
      orders: linked,
      acks: [],
    });
  }

  /** Stored orders, newest message first. */
  async find(input: Omit<OrderCriteria, 'limit'> & { limit?: number }): Promise<OrderView[]> {
    // A bad request is refused before any catching up is done for it.
    const criteria: OrderCriteria = { ...input, limit: checkPageAndPeriod(input) };
    const party = partyOf({ clientId: input.clientId, staffId: input.staffId });
    if (party !== null) requireParty(await this.directory.load(), party);
    await this.catchUp();
    if (input.symbol !== undefined) criteria.symbol = await this.symbolOf(input.symbol);
    return (await this.storage.findOrders(criteria)).map(viewOf);
  }

  /** A symbol as a user types it (`700`, `tencent`, `aapl`) as the master writes it. */
  private async symbolOf(written: string): Promise<string> {
    const master = (await this.masters.load())?.master;
    return master?.resolve(written)?.symbol ?? written.trim().toUpperCase();
  }

  /** Every stored order from a message sent in [fromMs, toMs), after catching up. */
  async sentBetween(fromMs: number, toMs: number): Promise<StoredOrder[]> {
    await this.catchUp();
    return this.storage.findOrders({ fromMs, toMs, limit: Number.MAX_SAFE_INTEGER });
  }

  /**
   * The confirmation for each order a message gives, in the language the client wrote in (SFC circular,
   * footnote 7: acknowledge an order by repeating it).
   */
  async acknowledgement(messageId: string): Promise<{
    messageId: string;
    messageIndex: number;
    acknowledgements: { orderId: string; text: string; language: AckLanguage }[];
  }> {
    await this.catchUp();
    const inForce = await this.masters.load();
    if (inForce === null) throw new StenoError('not_found', NO_MASTER);
    const index = await this.messageIndexOf(messageId);
    const orders = (await this.storage.findOrders({ messageIndex: index, limit: 1000 })).sort(
      (a, b) => a.ordinal - b.ordinal,
    );
    const acknowledgements = [];
    for (const o of orders) {
      // "Change the 700 to 350" names no side; the order it changes does, and the client should hear it.
      const side = o.side ?? (await this.sideOf(o.changesOrderId));
      acknowledgements.push({
        orderId: o.id,
        language: o.detail.language,
        text: acknowledgementText({ ...o, side }, inForce.master.bySymbol(o.symbol), o.detail.language),
      });
    }
    return { messageId, messageIndex: index, acknowledgements };
  }

  private async sideOf(orderId: string | null): Promise<Side | null> {
    if (orderId === null) return null;
    const messageIndex = Number(orderId.slice(0, orderId.indexOf('.')));
    const found = await this.storage.findOrders({ messageIndex, limit: 1000 });
    return found.find((o) => o.id === orderId)?.side ?? null;
  }

  private async messageIndexOf(messageId: string): Promise<number> {
    if (!RECORD_ID_PATTERN.test(messageId)) {
      throw new StenoError(
        'invalid_input',
        `"${messageId.slice(0, 64)}" is not a message id (a UUID, as ingest returns)`,
        {
          problems: [{ where: 'messageId', message: 'must be a message id as ingest returns it' }],
        },
      );
    }
    const index = await this.storage.messageIndexOf(messageId);
    if (index === null) throw new StenoError('not_found', `no message ${messageId} in the archive`);
    return index;
  }
}

function parseState(value: string | null): ProjectionState | null {
  if (value === null) return null;
  try {
    const s = JSON.parse(value) as ProjectionState;
    return typeof s.through === 'number' && typeof s.master === 'number' ? s : null;
  } catch {
    return null;
  }
}

function serialiseState(s: ProjectionState): string {
  return JSON.stringify({ version: s.version, master: s.master, directory: s.directory, through: s.through });
}

/**
 * Whether the firm sent a message: outbound, from the firm's capturing account, or from staff (`sender`:
 * who the directory says sent it, when it was sent).
 */
export function sentByFirm(content: MessageContent, sender: Party | null): boolean {
  return (
    content.direction === 'outbound' ||
    (content.account !== undefined && content.sender === content.account) ||
    sender?.kind === 'staff'
  );
}

/** Reads a batch of archived messages: the orders each gives and the confirmations staff sent. */
function readMessages(
  batch: readonly ArchivedMessage[],
  extractor: OrderExtractor,
  directory: Directory,
): { orders: StoredOrder[]; acks: StoredAck[] } {
  const orders: StoredOrder[] = [];
  const acks: StoredAck[] = [];
  for (const message of batch) {
    if (message.content === null) continue; // shredded
    const content = JSON.parse(message.content.toString('utf8')) as MessageContent;
    if ((content.kind !== 'message' && content.kind !== 'edit') || typeof content.text !== 'string') continue;
    const text = content.text.length > MAX_TEXT_CHARS ? content.text.slice(0, MAX_TEXT_CHARS) : content.text;
    const sentAtMs = Date.parse(content.sentAt);
    const counterparts = [...(content.recipients ?? []), ...(content.account === undefined ? [] : [content.account])];
    const parties = resolveParties(directory, content.platform, content.sender, counterparts, sentAtMs);
    // Only the client's instructions are orders; what the firm sends may confirm them.
    const sender = directory.resolve(content.platform, content.sender, sentAtMs);
    if (sentByFirm(content, sender) || isStenoConfirmation(text)) {
      const ackBody = acknowledgementBody(text);
      const repeats = ackBody === null ? [] : extractor.extract(ackBody).map(termsOf);
      if (repeats.length > 0) {
        acks.push({ messageIndex: message.index, conversationId: content.conversationId, sentAtMs, repeats });
      }
      continue;
    }
    const extracted = extractor.extract(text);
    if (extracted.length === 0) continue;
    const names = extracted.flatMap((o) => (o.spans.symbol === undefined ? [] : [o.spans.symbol]));
    const language = messageLanguage(text, names);
    extracted.forEach((o, ordinal) => {
      const terms = termsOf(o);
      orders.push({
        id: `${message.index}.${ordinal}`,
        messageIndex: message.index,
        messageId: message.recordId,
        ordinal,
        platform: content.platform,
        conversationId: content.conversationId,
        platformMessageId: content.platformMessageId ?? null,
        sentAtMs,
        messageKind: content.kind,
        revises: content.kind === 'edit' ? (content.refersTo ?? null) : null,
        revisedByOrderId: null,
        sender: content.sender,
        counterparts,
        ...parties,
        action: terms.action,
        side: terms.side ?? null,
        symbol: terms.symbol,
        quantity: terms.quantity ?? null,
        orderType: terms.orderType ?? null,
        limitPrice: terms.limitPrice ?? null,
        timeInForce: terms.timeInForce ?? null,
        confidence: o.confidence,
        detail: { spans: o.spans, warnings: o.warnings, language },
        changesOrderId: null,
        ackMessageIndex: null,
      });
    });
  }
  return { orders, acks };
}

function termsOf(o: ExtractedOrder): OrderTerms {
  const terms: OrderTerms = { action: o.action, symbol: o.symbol };
  if (o.side !== undefined) terms.side = o.side;
  if (o.quantity !== undefined) terms.quantity = o.quantity;
  if (o.orderType !== undefined) terms.orderType = o.orderType;
  if (o.limitPrice !== undefined) terms.limitPrice = o.limitPrice;
  if (o.timeInForce !== undefined) terms.timeInForce = o.timeInForce;
  return terms;
}

/**
 * Who an order is from and who received it, as the directory knew them when it was sent: the first
 * client among the sender and recipients, the first staff member among them and the firm's account.
 */
function resolveParties(
  directory: Directory,
  platform: string,
  sender: string,
  counterparts: readonly string[],
  atMs: number,
): { clientId: string | null; staffId: string | null } {
  let clientId: string | null = null;
  let staffId: string | null = null;
  for (const handle of [sender, ...counterparts]) {
    const party = directory.resolve(platform, handle, atMs);
    if (party?.kind === 'client') clientId ??= party.id;
    if (party?.kind === 'staff') staffId ??= party.id;
  }
  return { clientId, staffId };
}

function partyKey(o: StoredOrder): string {
  return o.clientId !== null ? `client:${o.clientId}` : `handle:${o.sender}`;
}

/**
 * The stored orders and confirmations of the conversations one catch-up touches, loaded once each (from
 * the link window before the earliest message touched) and kept while it runs, so that a long import of
 * one conversation is linked in one pass, not reloaded for every batch.
 */
class ConversationCache {
  private readonly conversations = new Map<
    string,
    { fromMs: number; orders: Map<string, StoredOrder>; acks: Map<number, StoredAck> }
  >();
  private size = 0;

  constructor(private readonly storage: OrderStorage) {}

  /** Links new orders and confirmations with their conversations; returns every order to write. */
  async link(orders: readonly StoredOrder[], acks: readonly StoredAck[]): Promise<StoredOrder[]> {
    await this.load([...orders, ...acks]);
    for (const o of orders) this.conversations.get(o.conversationId)!.orders.set(o.id, o);
    for (const a of acks) this.conversations.get(a.conversationId)!.acks.set(a.messageIndex, a);
    this.size += orders.length + acks.length;
    const fresh = new Set(orders.map((o) => o.id));
    const out = this.relinkTouched(new Set([...orders, ...acks].map((x) => x.conversationId)), fresh);
    if (this.size > MAX_CACHED_ORDERS) {
      this.conversations.clear();
      this.size = 0;
    }
    return out;
  }

  /** Orders whose parties changed: stored again with their conversations' links worked out anew. */
  async relink(changed: readonly StoredOrder[]): Promise<StoredOrder[]> {
    if (changed.length === 0) return [];
    const byConversation = new Set(changed.map((o) => o.conversationId));
    // Parties can change anywhere in a conversation's history: load all of it.
    const { orders, acks } = await this.storage.conversationOrders([...byConversation], Number.MIN_SAFE_INTEGER);
    const entries = new Map(
      [...byConversation].map((c) => [
        c,
        { fromMs: Number.MIN_SAFE_INTEGER, orders: new Map<string, StoredOrder>(), acks: new Map<number, StoredAck>() },
      ]),
    );
    for (const o of orders) entries.get(o.conversationId)!.orders.set(o.id, o);
    for (const a of acks) entries.get(a.conversationId)!.acks.set(a.messageIndex, a);
    for (const o of changed) entries.get(o.conversationId)!.orders.set(o.id, o);
    for (const [id, entry] of entries) this.conversations.set(id, entry);
    return this.relinkTouched(byConversation, new Set(changed.map((o) => o.id)));
  }

  private async load(items: readonly { conversationId: string; sentAtMs: number }[]): Promise<void> {
    const earliest = new Map<string, number>();
    for (const x of items)
      earliest.set(x.conversationId, Math.min(earliest.get(x.conversationId) ?? x.sentAtMs, x.sentAtMs));
    const missing: string[] = [];
    let fromMs = Number.MAX_SAFE_INTEGER;
    for (const [conversation, sentAtMs] of earliest) {
      const cached = this.conversations.get(conversation);
      const needFrom = sentAtMs - LINK_WINDOW_MS;
      if (cached !== undefined && cached.fromMs <= needFrom) continue;
      missing.push(conversation);
      fromMs = Math.min(fromMs, needFrom);
    }
    if (missing.length === 0) return;
    const { orders, acks } = await this.storage.conversationOrders(missing, fromMs);
    for (const c of missing) {
      const previous = this.conversations.get(c);
      this.conversations.set(c, {
        fromMs,
        orders: previous?.orders ?? new Map(),
        acks: previous?.acks ?? new Map(),
      });
    }
    for (const o of orders) {
      const entry = this.conversations.get(o.conversationId)!;
      if (!entry.orders.has(o.id)) this.size++;
      entry.orders.set(o.id, o);
    }
    for (const a of acks) this.conversations.get(a.conversationId)!.acks.set(a.messageIndex, a);
  }

  /**
   * Works out each touched conversation's links and returns the orders to write: those in `always`, and
   * any whose links changed, provided it is late enough that its whole link window is loaded.
   */
  private relinkTouched(conversations: ReadonlySet<string>, always: ReadonlySet<string>): StoredOrder[] {
    const out: StoredOrder[] = [];
    for (const id of conversations) {
      const entry = this.conversations.get(id)!;
      const orders = [...entry.orders.values()];
      const linkable: LinkableOrder[] = orders.map((o) => ({ ...o, party: partyKey(o) }));
      const acks: LinkableAck[] = [...entry.acks.values()];
      const links = linkConversation(linkable, acks);
      const trustedFrom = entry.fromMs + LINK_WINDOW_MS;
      for (const o of orders) {
        const changesOrderId = o.action === 'new' ? null : (links.changes.get(o.id) ?? null);
        const ackMessageIndex = links.acknowledgedBy.get(o.id) ?? null;
        const revisedByOrderId = links.revisedBy.get(o.id) ?? null;
        const moved =
          changesOrderId !== o.changesOrderId ||
          ackMessageIndex !== o.ackMessageIndex ||
          revisedByOrderId !== o.revisedByOrderId;
        if (!always.has(o.id) && !(moved && o.sentAtMs >= trustedFrom)) continue;
        const linked = { ...o, changesOrderId, ackMessageIndex, revisedByOrderId };
        entry.orders.set(o.id, linked);
        out.push(linked);
      }
    }
    return out;
  }
}

function viewOf(o: StoredOrder): OrderView {
  const { detail, sentAtMs, counterparts: _counterparts, ...rest } = o;
  return {
    ...rest,
    sentAt: new Date(sentAtMs).toISOString(),
    spans: detail.spans,
    warnings: detail.warnings,
    language: detail.language,
  };
}
