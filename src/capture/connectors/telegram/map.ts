/**
 * Telegram Bot API updates → ingest messages. Pure; the update is hostile input, read with checks.
 *
 * Telegram posts one Update per webhook request: `{update_id, <one field>: <payload>}`. Messages
 * (`message`, `channel_post`, `business_message`), their edits (`edited_…`) and deletions in business
 * chats (`deleted_business_messages`) are mapped field by field; every other update (a button press, a
 * business connection, a membership change, updates added to the Bot API later) becomes a `system`
 * record saying what it was, its payload kept in `raw`.
 *
 * Conversations. Supergroups and channels number their messages per chat, so their chat id is the
 * conversation whichever bot sees it. Private chats and basic groups number messages per account (the
 * bot's, or the business account's): two bots, or two business accounts, talking to one client both see
 * chat id = the client's user id with independent message ids. Their conversation is therefore
 * `<account>:<chat id>`, or one would be taken for a duplicate of the other and never stored.
 */
import { StenoError } from '../../../core/errors.js';
import { LIMITS } from '../../model.js';
import { capturedRaw } from '../connector.js';

export const TELEGRAM_CONNECTOR = 'telegram';

export interface TelegramContext {
  /** The bot's name in its webhook URL (/capture/telegram/<bot>). */
  bot: string;
  /** The bot's own user id (the digits before ':' in its token), when known: its messages are outbound. */
  botUserId: string | null;
  /** When the update arrived: the time of a deletion, which Telegram does not date. */
  receivedAtMs: number;
}

export interface MappedUpdate {
  updateId: number;
  messages: Record<string, unknown>[];
}

type Json = Record<string, unknown>;

const MESSAGE_FIELDS = ['message', 'channel_post', 'business_message'] as const;
const EDIT_FIELDS = ['edited_message', 'edited_channel_post', 'edited_business_message'] as const;
const BUSINESS_FIELDS = new Set(['business_message', 'edited_business_message']);

/** Fields of a Message that carry what was said or sent; a Message with none of them is a service message. */
const CONTENT_FIELDS = [
  'text',
  'photo',
  'document',
  'video',
  'audio',
  'voice',
  'video_note',
  'animation',
  'sticker',
  'venue',
  'location',
  'contact',
  'poll',
  'dice',
  'game',
  'story',
  'invoice',
  'paid_media',
  'checklist',
  'giveaway',
  'giveaway_winners',
];

/** Fields every Message may have that say nothing about what it is. */
const ENVELOPE_FIELDS = new Set([
  'message_id',
  'message_thread_id',
  'from',
  'sender_chat',
  'sender_boost_count',
  'sender_business_bot',
  'sender_tag',
  'date',
  'business_connection_id',
  'chat',
  'forward_origin',
  'is_topic_message',
  'is_automatic_forward',
  'reply_to_message',
  'external_reply',
  'quote',
  'reply_to_story',
  'via_bot',
  'edit_date',
  'has_protected_content',
  'is_from_offline',
  'media_group_id',
  'author_signature',
  'caption',
  'entities',
  'caption_entities',
  'link_preview_options',
  'effect_id',
  'show_caption_above_media',
  'has_media_spoiler',
  'reply_markup',
]);

/** A short rendering of what a system record or a location is; names and titles are clipped to this. */
const MAX_LABEL = 200;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const int = (v: unknown): number | undefined => (Number.isSafeInteger(v) ? (v as number) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function invalid(where: string, message: string): StenoError {
  return new StenoError('invalid_input', `${where} ${message}`, { problems: [{ where, message }] });
}

function requiredInt(value: unknown, where: string): number {
  const n = int(value);
  if (n === undefined) throw invalid(where, 'must be an integer');
  return n;
}

/** Unix seconds as Telegram sends them → ISO 8601 in UTC. */
function isoFromSeconds(value: unknown, where: string): string {
  const seconds = int(value);
  // Up to the year 5000: anything later is not a Telegram date.
  if (seconds === undefined || seconds < 0 || seconds > 95_617_584_000) throw invalid(where, 'must be Unix seconds');
  return new Date(seconds * 1000).toISOString();
}

/** "First Last", else "@username", else nothing. */
function personName(user: Json): string | undefined {
  const full = [str(user.first_name), str(user.last_name)].filter(Boolean).join(' ');
  const name = full !== '' ? full : str(user.username) !== undefined ? `@${str(user.username)}` : undefined;
  return name === undefined ? undefined : clip(name, LIMITS.handle);
}

/** A group's or channel's title, or a private chat's other party. */
function chatTitle(chat: Json): string | undefined {
  const title = str(chat.title);
  return title !== undefined ? clip(title, LIMITS.handle) : personName(chat);
}

/** See the header: private chats and basic groups are per account, supergroups and channels are not. */
function conversationFor(chat: Json, chatId: number, account: string): string {
  return chat.type === 'supergroup' || chat.type === 'channel' ? String(chatId) : `${account}:${chatId}`;
}

function coordinates(location: Json): string {
  return `${num(location.latitude) ?? '?'}, ${num(location.longitude) ?? '?'}`;
}

/** A readable rendering of content that has no text of its own (a location, a contact, a poll…). */
function contentText(m: Json): string | undefined {
  if (isObject(m.venue)) {
    const venue = m.venue;
    const label = [str(venue.title), str(venue.address)].filter(Boolean).join(', ');
    return clip(`[venue ${label} (${coordinates(obj(venue.location))})]`, MAX_LABEL * 2);
  }
  if (isObject(m.location)) return `[location ${coordinates(m.location)}]`;
  if (isObject(m.contact)) {
    const contact = m.contact;
    const label = [personName(contact), str(contact.phone_number)].filter(Boolean).join(' ');
    return clip(`[contact ${label}]`, MAX_LABEL);
  }
  if (isObject(m.poll)) {
    const options = (Array.isArray(m.poll.options) ? m.poll.options : []).map((o) => str(obj(o).text) ?? '?');
    return clip(`[poll ${str(m.poll.question) ?? ''}: ${options.join(' / ')}]`, MAX_LABEL * 5);
  }
  if (isObject(m.dice)) return `[dice ${str(m.dice.emoji) ?? ''} ${int(m.dice.value) ?? '?'}]`;
  return undefined;
}

/** What a service message (a member joined, a title changed, a message pinned…) did. */
function serviceText(m: Json): string {
  const names = (users: unknown) =>
    (Array.isArray(users) ? users : [users]).map((u) => personName(obj(u)) ?? '?').join(', ');
  if (m.new_chat_members !== undefined) return clip(`[joined: ${names(m.new_chat_members)}]`, MAX_LABEL);
  if (m.left_chat_member !== undefined) return clip(`[left: ${names(m.left_chat_member)}]`, MAX_LABEL);
  if (typeof m.new_chat_title === 'string') return clip(`[title changed to "${m.new_chat_title}"]`, MAX_LABEL);
  if (isObject(m.pinned_message)) return `[pinned message ${int(m.pinned_message.message_id) ?? '?'}]`;
  const field = Object.keys(m).find((key) => !ENVELOPE_FIELDS.has(key));
  return field === undefined ? '[empty message]' : clip(`[${field.replaceAll('_', ' ')}]`, MAX_LABEL);
}

/** The text of a message: its text or caption, else a rendering of content that has none. */
export function telegramText(m: Json): string | undefined {
  const text = str(m.text) ?? str(m.caption);
  if (text !== undefined) return text;
  const rendered = contentText(m);
  if (rendered !== undefined) return rendered;
  // Media without a caption is its attachment; other content without text at least says what it was.
  const other = ['game', 'story', 'invoice', 'paid_media', 'checklist', 'giveaway', 'giveaway_winners'].find(
    (field) => m[field] !== undefined,
  );
  return other === undefined ? undefined : `[${other.replaceAll('_', ' ')}]`;
}

function mapMessage(input: {
  m: Json;
  where: string;
  edit: boolean;
  business: boolean;
  ctx: TelegramContext;
  channel: string;
}): Record<string, unknown> {
  const { m, where, edit, business, ctx } = input;
  const messageId = requiredInt(m.message_id, `${where}.message_id`);
  if (!isObject(m.chat)) throw invalid(`${where}.chat`, 'must be an object');
  const chat = m.chat;
  const chatId = requiredInt(chat.id, `${where}.chat.id`);
  const account = business ? str(m.business_connection_id) : ctx.bot;
  if (account === undefined) throw invalid(`${where}.business_connection_id`, 'is required');
  const from = isObject(m.from) ? m.from : undefined;
  const senderChat = isObject(m.sender_chat) ? m.sender_chat : undefined;
  const fromId = int(from?.id);
  const senderChatId = int(senderChat?.id);
  const sender = String(fromId ?? senderChatId ?? chatId);
  const senderName =
    from !== undefined ? personName(from) : senderChat !== undefined ? chatTitle(senderChat) : undefined;
  // In a business chat the client is the chat; anyone else writing in it is the business (its owner,
  // an employee or its bot).
  const outbound = business
    ? isObject(m.sender_business_bot) || (chat.type === 'private' && fromId !== undefined && fromId !== chatId)
    : ctx.botUserId !== null && fromId !== undefined && String(fromId) === ctx.botUserId;
  const title = chatTitle(chat);
  const base: Record<string, unknown> = {
    platform: 'telegram',
    conversationId: conversationFor(chat, chatId, account),
    sender,
    ...(senderName === undefined ? {} : { senderName }),
    ...(title === undefined ? {} : { conversationTitle: title }),
    account,
    direction: outbound ? 'outbound' : 'inbound',
  };
  const raw = capturedRaw(TELEGRAM_CONNECTOR, input.channel, m);
  const text = telegramText(m);
  if (edit) {
    // A live location's updates are edits too; each edit has its own time, so its own id.
    const editedAt = m.edit_date === undefined ? m.date : m.edit_date;
    const at = m.edit_date === undefined ? `${where}.date` : `${where}.edit_date`;
    const sentAt = isoFromSeconds(editedAt, at);
    return {
      ...base,
      sentAt,
      kind: 'edit',
      platformMessageId: `${messageId}:edit:${editedAt as number}`,
      refersTo: String(messageId),
      text: text ?? '',
      raw,
    };
  }
  const sentAt = isoFromSeconds(m.date, `${where}.date`);
  const isContent = CONTENT_FIELDS.some((field) => m[field] !== undefined);
  return {
    ...base,
    sentAt,
    kind: isContent ? 'message' : 'system',
    platformMessageId: String(messageId),
    ...(isContent ? (text === undefined ? {} : { text }) : { text: serviceText(m) }),
    raw,
  };
}

/** Messages deleted in a business chat: one `delete` record for each, dated when Telegram said so. */
function mapDeleted(input: { d: unknown; where: string; ctx: TelegramContext; channel: string }) {
  const { where, ctx } = input;
  if (!isObject(input.d)) throw invalid(where, 'must be an object');
  const d = input.d;
  const account = str(d.business_connection_id);
  if (account === undefined) throw invalid(`${where}.business_connection_id`, 'is required');
  if (!isObject(d.chat)) throw invalid(`${where}.chat`, 'must be an object');
  const chatId = requiredInt(d.chat.id, `${where}.chat.id`);
  if (!Array.isArray(d.message_ids) || d.message_ids.length === 0 || d.message_ids.length > LIMITS.batch) {
    throw invalid(`${where}.message_ids`, `must be an array of 1 to ${LIMITS.batch} message ids`);
  }
  const title = chatTitle(d.chat);
  const conversationId = conversationFor(d.chat, chatId, account);
  const sentAt = new Date(ctx.receivedAtMs).toISOString();
  const raw = capturedRaw(TELEGRAM_CONNECTOR, input.channel, d);
  return d.message_ids.map((value, i) => {
    const id = requiredInt(value, `${where}.message_ids[${i}]`);
    return {
      platform: 'telegram',
      conversationId,
      // Telegram does not say who deleted: the business account is where it was seen.
      sender: account,
      ...(title === undefined ? {} : { conversationTitle: title }),
      account,
      sentAt,
      kind: 'delete',
      platformMessageId: `${id}:deleted`,
      refersTo: String(id),
      raw,
    };
  });
}

/** A short description of an update that is not a message. */
function describeUpdate(type: string, p: Json): string {
  const who = (u: unknown) => personName(obj(u)) ?? '?';
  switch (type) {
    case 'callback_query':
      return `[button pressed: ${str(p.data) ?? str(p.game_short_name) ?? '?'}]`;
    case 'business_connection':
      return `[business connection ${p.is_enabled === false ? 'disabled' : 'enabled'} by ${who(p.user)}]`;
    case 'my_chat_member':
    case 'chat_member': {
      const before = str(obj(p.old_chat_member).status) ?? '?';
      const after = str(obj(p.new_chat_member).status) ?? '?';
      return `[${type === 'my_chat_member' ? 'bot' : 'member'} ${who(obj(p.new_chat_member).user)}: ${before} → ${after}]`;
    }
    case 'chat_join_request':
      return `[join request from ${who(p.from)}]`;
    case 'message_reaction': {
      const emoji = (Array.isArray(p.new_reaction) ? p.new_reaction : []).map(
        (r) => str(obj(r).emoji) ?? str(obj(r).type) ?? '?',
      );
      return `[reaction to message ${int(p.message_id) ?? '?'}: ${emoji.length > 0 ? emoji.join(' ') : 'removed'}]`;
    }
    case 'inline_query':
      return `[inline query "${str(p.query) ?? ''}"]`;
    case 'poll_answer':
      return `[poll answer: ${(Array.isArray(p.option_ids) ? p.option_ids : []).join(', ') || 'retracted'}]`;
    default:
      return `[${type.replaceAll('_', ' ')}]`;
  }
}

/** Any update that is not a message, an edit or a deletion: a system record naming what it was. */
function mapOther(input: {
  type: string;
  payload: unknown;
  updateId: number;
  ctx: TelegramContext;
  channel: string;
}): Record<string, unknown> {
  const { type, ctx } = input;
  const p = obj(input.payload);
  const business = type === 'business_connection';
  const account = business ? (str(p.id) ?? ctx.bot) : ctx.bot;
  const user = isObject(p.from) ? p.from : isObject(p.user) ? p.user : undefined;
  const chat = isObject(p.chat) ? p.chat : isObject(obj(p.message).chat) ? obj(obj(p.message).chat) : undefined;
  const chatId = int(chat?.id);
  const userId = int(user?.id);
  // A business connection is announced to the bot in its private chat with the business's owner.
  const conversationId =
    business && int(p.user_chat_id) !== undefined
      ? `${ctx.bot}:${int(p.user_chat_id)}`
      : chat !== undefined && chatId !== undefined
        ? conversationFor(chat, chatId, account)
        : userId !== undefined
          ? `${account}:${userId}` // a private chat's id is the user's id
          : account;
  const refersTo = int(p.message_id) ?? int(obj(p.message).message_id);
  const date = int(p.date) ?? int(p.remove_date);
  const senderName = user !== undefined ? personName(user) : undefined;
  const title = chat !== undefined ? chatTitle(chat) : undefined;
  return {
    platform: 'telegram',
    conversationId,
    sender: userId !== undefined ? String(userId) : chatId !== undefined ? String(chatId) : ctx.bot,
    ...(senderName === undefined ? {} : { senderName }),
    ...(title === undefined ? {} : { conversationTitle: title }),
    account,
    direction: 'inbound',
    sentAt: date !== undefined ? isoFromSeconds(date, `${type}.date`) : new Date(ctx.receivedAtMs).toISOString(),
    kind: 'system',
    // Update ids are per bot: two bots in one group have their own.
    platformMessageId: `${ctx.bot}:${input.updateId}:${type}`,
    ...(refersTo === undefined ? {} : { refersTo: String(refersTo) }),
    text: clip(describeUpdate(type, p), MAX_LABEL * 5),
    raw: capturedRaw(TELEGRAM_CONNECTOR, input.channel, input.payload),
  };
}

/** The update_id of a body that is an Update; throws `invalid_input` otherwise. */
export function updateIdOf(payload: unknown): number {
  if (!isObject(payload)) {
    throw new StenoError('invalid_input', 'the body is not a Telegram update: expected {"update_id": …, …}');
  }
  const id = int(payload.update_id);
  if (id === undefined || id < 0) throw invalid('update_id', 'must be a non-negative integer');
  return id;
}

/**
 * Every message an update carries (one, or one per deleted message). An update that is not the Bot
 * API's shape is refused whole, naming where it went wrong.
 */
export function mapTelegramUpdate(payload: unknown, ctx: TelegramContext): MappedUpdate {
  const updateId = updateIdOf(payload);
  const update = payload as Json;
  const fields = Object.keys(update).filter((key) => key !== 'update_id');
  if (fields.length === 0) throw invalid('(update)', 'carries nothing besides update_id');
  const channel = `telegram:${ctx.bot}`;
  const messages: Record<string, unknown>[] = [];
  // Telegram sends one field per update; should it ever send more, none is dropped.
  for (const field of fields) {
    const value = update[field];
    const edit = (EDIT_FIELDS as readonly string[]).includes(field);
    if (edit || (MESSAGE_FIELDS as readonly string[]).includes(field)) {
      if (!isObject(value)) throw invalid(field, 'must be an object');
      messages.push(mapMessage({ m: value, where: field, edit, business: BUSINESS_FIELDS.has(field), ctx, channel }));
    } else if (field === 'deleted_business_messages') {
      messages.push(...mapDeleted({ d: value, where: field, ctx, channel }));
    } else {
      messages.push(mapOther({ type: field, payload: value, updateId, ctx, channel }));
    }
  }
  return { updateId, messages };
}
