/**
 * Slack Events API requests → ingest messages. Pure; the input is hostile until proven otherwise.
 *
 * A request is an envelope: `url_verification` (Slack checking the URL, answered with its challenge),
 * `event_callback` (one event of the workspace `team_id`, with a unique `event_id`), or a type about the
 * app itself (`app_rate_limited`). A `message` event's `ts` is the message's id within its channel and
 * its time (Unix seconds with microseconds), so a message is archived under its `ts`; an edit, a delete
 * and every other event get ids of their own, derived from the event, so that Slack's retries (the same
 * event again) store nothing new.
 */
import { StenoError } from '../../../core/errors.js';
import { LIMITS } from '../../model.js';
import { capturedRaw } from '../connector.js';

export const SLACK_CONNECTOR = 'slack';

type Json = Record<string, unknown>;
export type SlackMessage = Record<string, unknown>;

/** What one request asks of the route. */
export type SlackRequest =
  | { type: 'url_verification'; challenge: string }
  | { type: 'archive'; channel: string; messages: SlackMessage[] }
  | { type: 'ignore'; reason: string };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const label = (v: unknown): string | undefined => str(v)?.slice(0, LIMITS.handle);

/** Slack's workspace, user, channel and event ids: letters and digits (a bound on what becomes a key). */
const SLACK_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Slack's `ts`: Unix seconds with up to six decimals, "1778560200.000200". */
const TS = /^(\d{1,12})(?:\.(\d{1,6}))?$/;
const MAX_CHALLENGE_CHARS = 1024;

/** Notices Slack posts into a channel itself: archived as `system`, with the text Slack wrote for them. */
const NOTICE_SUBTYPES = new Set([
  'channel_join',
  'channel_leave',
  'channel_topic',
  'channel_purpose',
  'channel_name',
  'channel_archive',
  'channel_unarchive',
  'channel_posting_permissions',
  'channel_convert_to_private',
  'channel_convert_to_public',
  'group_join',
  'group_leave',
  'group_topic',
  'group_purpose',
  'group_name',
  'group_archive',
  'group_unarchive',
  'pinned_item',
  'unpinned_item',
  'bot_add',
  'bot_remove',
  'reminder_add',
  'ekm_access_denied',
]);
/** Subtypes that are something a person (or the firm's bot) wrote: archived as `message`. */
const MESSAGE_SUBTYPES = new Set(['bot_message', 'me_message', 'file_share', 'thread_broadcast']);

function invalid(where: string, message: string): StenoError {
  return new StenoError('invalid_input', `${where} ${message}`, { problems: [{ where, message }] });
}

function required(value: unknown, where: string): string {
  const s = str(value);
  if (s === undefined) throw invalid(where, value === undefined || value === '' ? 'is required' : 'must be a string');
  return s;
}

function slackId(value: unknown, where: string): string {
  const s = required(value, where);
  if (!SLACK_ID.test(s)) throw invalid(where, 'is not a Slack id');
  return s;
}

function ts(value: unknown, where: string): string {
  const s = required(value, where);
  if (!TS.test(s)) throw invalid(where, 'must be a Slack timestamp (Unix seconds, e.g. "1778560200.000200")');
  return s;
}

/** A Slack `ts` → ISO 8601 UTC with milliseconds, from the digits (a double would round the microseconds). */
export function isoFromTs(value: string): string {
  const match = TS.exec(value);
  if (match === null) throw new Error(`not a Slack timestamp: ${value.slice(0, 40)}`);
  const ms = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0').slice(0, 3));
  return new Date(ms).toISOString();
}

/**
 * One request body, after its signature was checked. Throws `invalid_input` (the request is not the
 * shape Slack sends) before anything is archived.
 */
export function mapSlackRequest(body: unknown): SlackRequest {
  if (!isObject(body) || typeof body.type !== 'string') {
    throw invalid('type', 'is required: the body is not a Slack Events API request');
  }
  switch (body.type) {
    case 'url_verification': {
      const challenge = required(body.challenge, 'challenge');
      if (challenge.length > MAX_CHALLENGE_CHARS)
        throw invalid('challenge', `is over ${MAX_CHALLENGE_CHARS} characters`);
      return { type: 'url_verification', challenge };
    }
    case 'event_callback': {
      const teamId = slackId(body.team_id, 'team_id');
      if (!isObject(body.event)) throw invalid('event', 'is required: an event_callback carries one event');
      const channel = slackChannel(teamId);
      return { type: 'archive', channel, messages: [mapSlackEvent({ teamId, envelope: body, event: body.event })] };
    }
    case 'app_rate_limited':
      return { type: 'archive', ...rateLimited(body) };
    default: {
      // A type this code has not met. With an event it is something that happened in the workspace and is
      // kept; without one it is Slack talking about the app, and has nothing of a conversation to archive.
      if (!isObject(body.event))
        return { type: 'ignore', reason: `a request of type ${body.type.slice(0, 64)} with no event` };
      const teamId = slackId(body.team_id, 'team_id');
      const message = mapSlackEvent({ teamId, envelope: body, event: body.event });
      message.kind = 'system';
      message.text = `[Slack ${body.type.slice(0, 64)} request] ${String(message.text ?? '')}`.trimEnd();
      return { type: 'archive', channel: slackChannel(teamId), messages: [message] };
    }
  }
}

export function slackChannel(teamId: string): string {
  return `slack:${teamId}`;
}

/**
 * Slack stopped delivering this app's events for a minute: a gap in capture that Slack itself reports,
 * kept in the archive as a `system` record of the workspace (the legacy verification `token` left out).
 */
function rateLimited(body: Json): { channel: string; messages: SlackMessage[] } {
  const teamId = slackId(body.team_id, 'team_id');
  const minute = body.minute_rate_limited;
  if (typeof minute !== 'number' || !Number.isSafeInteger(minute) || minute < 0 || minute > 1e12) {
    throw invalid('minute_rate_limited', 'must be Unix seconds');
  }
  const channel = slackChannel(teamId);
  const { token: _token, ...event } = body;
  const sentAt = new Date(minute * 1000).toISOString();
  return {
    channel,
    messages: [
      {
        platform: 'slack',
        conversationId: workspaceConversation(teamId),
        sender: 'slack',
        sentAt,
        kind: 'system',
        platformMessageId: `app_rate_limited:${minute}`,
        text: `Slack did not deliver this app's events for the minute from ${sentAt}: the app was over its rate limit`,
        account: teamId,
        raw: capturedRaw(SLACK_CONNECTOR, channel, event),
      },
    ],
  };
}

/** Events that belong to no channel (a user's profile changed, a channel was created…). */
function workspaceConversation(teamId: string): string {
  return `team:${teamId}`;
}

/** One event of an `event_callback` → one ingest message. */
export function mapSlackEvent(input: { teamId: string; envelope: Json; event: Json }): SlackMessage {
  const { teamId, envelope, event } = input;
  const type = required(event.type, 'event.type');
  const channel = slackChannel(teamId);
  const common = { platform: 'slack', account: teamId, raw: capturedRaw(SLACK_CONNECTOR, channel, event) };
  // An app_mention is a message the app is also sent as `message`: the same ts keeps one copy.
  if (type === 'message' || type === 'app_mention') return { ...common, ...messageEvent(event) };
  return { ...common, ...otherEvent({ teamId, envelope, event, type }) };
}

const isBot = (m: Json): boolean => str(m.bot_id) !== undefined || m.subtype === 'bot_message';
const direction = (m: Json): 'inbound' | 'outbound' => (isBot(m) ? 'outbound' : 'inbound');

function senderName(m: Json): string | undefined {
  const profile = obj(m.user_profile);
  return label(profile.display_name) ?? label(profile.real_name) ?? label(m.username);
}

/** A `message` event of any subtype. */
function messageEvent(event: Json): Json {
  // As the Slack export importer names it, so a message both imported and captured is archived once.
  const conversationId = `slack:${slackId(event.channel, 'event.channel')}`;
  const eventTs = ts(event.ts, 'event.ts');
  const subtype = str(event.subtype);

  if (subtype === 'message_changed') {
    const message = obj(event.message);
    const messageTs = ts(message.ts, 'event.message.ts');
    const edited = obj(message.edited).ts;
    // Slack marks a text edit with `edited`; a change without one (an unfurl added) is dated by the event.
    const editedTs = edited === undefined ? eventTs : ts(edited, 'event.message.edited.ts');
    return {
      conversationId,
      sender: str(message.user) ?? str(message.bot_id) ?? 'unknown',
      ...optional('senderName', senderName(message)),
      sentAt: isoFromTs(editedTs),
      kind: 'edit',
      platformMessageId: `${messageTs}:edit:${editedTs}`,
      refersTo: messageTs,
      text: typeof message.text === 'string' ? message.text : '',
      direction: direction(message),
    };
  }
  if (subtype === 'message_deleted') {
    const deletedTs = ts(event.deleted_ts, 'event.deleted_ts');
    const previous = obj(event.previous_message);
    return {
      conversationId,
      sender: str(previous.user) ?? str(previous.bot_id) ?? 'unknown',
      sentAt: isoFromTs(eventTs),
      kind: 'delete',
      platformMessageId: `${deletedTs}:deleted`,
      refersTo: deletedTs,
      direction: direction(previous),
    };
  }

  const threadTs = event.thread_ts === undefined ? undefined : ts(event.thread_ts, 'event.thread_ts');
  const text = typeof event.text === 'string' ? event.text : undefined;
  const base = {
    conversationId,
    sender: str(event.user) ?? str(event.bot_id) ?? 'unknown',
    ...optional('senderName', senderName(event)),
    sentAt: isoFromTs(eventTs),
    ...optional('refersTo', threadTs !== undefined && threadTs !== eventTs ? threadTs : undefined),
    direction: direction(event),
  };
  if (subtype === undefined || MESSAGE_SUBTYPES.has(subtype)) {
    return { ...base, kind: 'message', platformMessageId: eventTs, ...optional('text', text) };
  }
  // A hidden subtype is an event about another message (message_replied and the like), and its ts may be
  // that message's: an id of its own keeps the two apart. A visible notice is a message of the channel.
  const hidden = event.hidden === true || !NOTICE_SUBTYPES.has(subtype);
  return {
    ...base,
    kind: 'system',
    platformMessageId: hidden ? `${eventTs}:${subtype}` : eventTs,
    text: text !== undefined && text !== '' ? text : `[Slack ${subtype}]`,
  };
}

/** Every other event type: a `system` record with a short readable text. */
function otherEvent(input: { teamId: string; envelope: Json; event: Json; type: string }): Json {
  const { teamId, envelope, event, type } = input;
  const item = obj(event.item);
  const user = obj(event.user);
  const channelObject = obj(event.channel);
  const conversation = str(event.channel) ?? str(event.channel_id) ?? str(item.channel) ?? str(channelObject.id);
  const conversationId =
    conversation === undefined ? workspaceConversation(teamId) : `slack:${slackId(conversation, 'event.channel')}`;
  const sender =
    label(event.user) ??
    label(event.user_id) ??
    label(user.id) ??
    label(channelObject.creator) ??
    label(event.bot_id) ??
    'slack';
  const sentAt = eventTime(event, envelope);
  const eventId = str(envelope.event_id);
  if (eventId !== undefined && !SLACK_ID.test(eventId)) throw invalid('event_id', 'is not a Slack id');
  const itemTs = str(item.ts) ?? str(obj(item.message).ts);
  return {
    conversationId,
    sender,
    sentAt: sentAt.iso,
    kind: 'system',
    // Slack gives every event a unique event_id, the same on each retry.
    platformMessageId: eventId ?? `${type.slice(0, 64)}:${sentAt.ts}`,
    ...optional('refersTo', itemTs !== undefined && TS.test(itemTs) ? itemTs : undefined),
    text: describeEvent({ type, event, sender, itemTs }),
  };
}

/** When the event happened: its event_ts, else the envelope's event_time (whole seconds). */
function eventTime(event: Json, envelope: Json): { iso: string; ts: string } {
  if (event.event_ts !== undefined) {
    const value = ts(event.event_ts, 'event.event_ts');
    return { iso: isoFromTs(value), ts: value };
  }
  const time = envelope.event_time;
  if (typeof time === 'number' && Number.isSafeInteger(time) && time >= 0 && time < 1e12) {
    return { iso: new Date(time * 1000).toISOString(), ts: String(time) };
  }
  throw invalid('event.event_ts', 'is required (or the envelope’s event_time)');
}

function describeEvent(input: { type: string; event: Json; sender: string; itemTs: string | undefined }): string {
  const { type, event, sender, itemTs } = input;
  const target = itemTs === undefined ? '' : ` to message ${itemTs}`;
  const from = itemTs === undefined ? '' : ` from message ${itemTs}`;
  const reaction = label(event.reaction) ?? '?';
  const channelName = label(obj(event.channel).name) ?? label(event.name);
  switch (type) {
    case 'reaction_added':
      return `${sender} reacted :${reaction}:${target}`;
    case 'reaction_removed':
      return `${sender} removed the reaction :${reaction}:${from}`;
    case 'member_joined_channel': {
      const inviter = label(event.inviter);
      return `${sender} joined the channel${inviter === undefined ? '' : ` (invited by ${inviter})`}`;
    }
    case 'member_left_channel':
      return `${sender} left the channel`;
    case 'file_shared':
      return `${sender} shared file ${label(event.file_id) ?? label(obj(event.file).id) ?? '?'}`;
    case 'file_deleted':
      return `file ${label(event.file_id) ?? '?'} was deleted`;
    case 'pin_added':
      return `${sender} pinned message ${itemTs ?? '?'}`;
    case 'pin_removed':
      return `${sender} unpinned message ${itemTs ?? '?'}`;
    case 'channel_created':
      return `${sender} created the channel${channelName === undefined ? '' : ` #${channelName}`}`;
    case 'channel_rename':
      return `the channel was renamed${channelName === undefined ? '' : ` #${channelName}`}`;
    default:
      return `[Slack ${type.slice(0, 64)} event]`;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
