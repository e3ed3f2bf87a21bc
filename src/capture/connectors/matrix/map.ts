/**
 * Matrix application service transactions → ingest messages. Pure.
 *
 * The homeserver pushes `PUT /_matrix/app/v1/transactions/{txnId}` with `{"events": [...]}`: the room
 * events of every room the appservice's namespaces cover (Client-Server API "ClientEvent" shape, with
 * `room_id`, `event_id`, `sender`, `origin_server_ts`). Each event becomes one message record whose
 * platformMessageId is its event_id: event ids are unique per event (an edit or a redaction is an event
 * of its own), so a retried or repeated transaction stores nothing new.
 *
 * The `ephemeral` and `to_device` sections (sent only to registrations that ask for them) are not read:
 * typing, receipts and presence are not communications, and to-device messages carry end-to-end
 * encryption keys, which an archive must not hold.
 */
import { type Problem, StenoError } from '../../../core/errors.js';
import { LIMITS } from '../../model.js';
import { capturedRaw } from '../connector.js';

export const MATRIX_CONNECTOR = 'matrix';
/** Events per transaction: the ingest batch bound, far above what a homeserver puts in one. */
export const MAX_TRANSACTION_EVENTS = LIMITS.batch;
export const ENCRYPTED_TEXT = "[encrypted message: Steno's appservice cannot read it]";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
/** A label from the event, cut to what a record's label field holds. */
const label = (v: unknown): string | undefined => str(v)?.slice(0, LIMITS.handle);

/** The channel of a homeserver: `matrix:<host>`, or `matrix:homeserver` when its URL is not configured. */
export function matrixChannel(homeserverUrl: string | null): string {
  if (homeserverUrl !== null) {
    try {
      return `matrix:${new URL(homeserverUrl).host}`;
    } catch {
      // An unreadable URL is refused by the settings' schema; fall through to the generic name.
    }
  }
  return 'matrix:homeserver';
}

/** What an event must carry to be archived at all; each missing field is a problem named by index. */
function requiredFields(event: unknown, where: string): Problem[] {
  if (!isObject(event)) return [{ where, message: 'must be a JSON object (a Matrix event)' }];
  const problems: Problem[] = [];
  for (const field of ['room_id', 'event_id', 'sender'] as const) {
    if (str(event[field]) === undefined) problems.push({ where: `${where}.${field}`, message: 'is required' });
  }
  const ts = event.origin_server_ts;
  // Date's range ends at 8.64e15 ms; anything beyond is not a real time.
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0 || ts > 8.64e15) {
    problems.push({ where: `${where}.origin_server_ts`, message: 'is required: milliseconds since the Unix epoch' });
  }
  return problems;
}

/** The body of an edit: the replacement content's, or the fallback body without its "* " marker. */
function editedText(content: Json): string {
  const replacement = str(obj(content['m.new_content']).body);
  if (replacement !== undefined) return replacement;
  const body = typeof content.body === 'string' ? content.body : '';
  return body.startsWith('* ') ? body.slice(2) : body;
}

/** The event a message answers: the reply's target, or for a thread message without one, the thread root. */
function answers(relatesTo: Json): string | undefined {
  return (
    str(obj(relatesTo['m.in_reply_to']).event_id) ??
    (relatesTo.rel_type === 'm.thread' ? str(relatesTo.event_id) : undefined)
  );
}

function memberText(event: Json, sender: string): string {
  const content = obj(event.content);
  const target = str(event.state_key) ?? sender;
  const membership = str(content.membership) ?? 'unknown';
  const name = label(content.displayname);
  const reason = label(content.reason);
  const byOther = target !== sender;
  let text: string;
  switch (membership) {
    case 'join':
      text = `${target} joined${name === undefined ? '' : ` as ${name}`}`;
      break;
    case 'invite':
      text = `${sender} invited ${target}`;
      break;
    case 'leave':
      text = byOther ? `${sender} removed ${target}` : `${target} left`;
      break;
    case 'ban':
      text = `${sender} banned ${target}`;
      break;
    case 'knock':
      text = `${target} asked to join`;
      break;
    default:
      text = `${sender} set the membership of ${target} to ${membership.slice(0, 64)}`;
  }
  return reason === undefined ? text : `${text} (${reason})`;
}

/** A short readable line for an event that is not a message: what a reviewer reads in the timeline. */
function systemText(event: Json, sender: string, type: string): string {
  const content = obj(event.content);
  switch (type) {
    case 'm.room.member':
      return memberText(event, sender);
    case 'm.room.name': {
      const name = label(content.name);
      return name === undefined ? `${sender} removed the room name` : `${sender} named the room "${name}"`;
    }
    case 'm.room.topic': {
      const topic = str(content.topic);
      return topic === undefined ? `${sender} removed the topic` : `${sender} set the topic: ${topic}`;
    }
    case 'm.room.create':
      return `${sender} created the room`;
    case 'm.reaction': {
      const key = label(obj(content['m.relates_to']).key);
      return `${sender} reacted${key === undefined ? '' : ` ${key}`}`;
    }
    default: {
      const stateKey = typeof event.state_key === 'string' ? event.state_key.slice(0, 255) : undefined;
      if (stateKey === undefined) return `[${type} event]`;
      return `${sender} set ${type}${stateKey === '' ? '' : ` (${stateKey})`}`;
    }
  }
}

/** One event, already checked for its required fields. */
export function mapMatrixEvent(event: Json, channel: string): Record<string, unknown> {
  const type = str(event.type)?.slice(0, 255) ?? '(untyped)';
  const sender = str(event.sender)!;
  const content = obj(event.content);
  const relatesTo = obj(content['m.relates_to']);
  const base = {
    platform: 'matrix',
    conversationId: str(event.room_id)!,
    sender,
    sentAt: new Date(event.origin_server_ts as number).toISOString(),
    platformMessageId: str(event.event_id)!,
    raw: capturedRaw(MATRIX_CONNECTOR, channel, event),
  };
  const isState = typeof event.state_key === 'string';

  if ((type === 'm.room.message' || type === 'm.sticker') && !isState) {
    const edited = relatesTo.rel_type === 'm.replace' ? str(relatesTo.event_id) : undefined;
    if (edited !== undefined) return { ...base, kind: 'edit', refersTo: edited, text: editedText(content) };
    // For m.image/m.file/m.video/m.audio the body is the filename or the caption: kept as the text.
    const body = typeof content.body === 'string' ? content.body : undefined;
    const refersTo = answers(relatesTo);
    return {
      ...base,
      kind: 'message',
      ...(body === undefined ? {} : { text: body }),
      ...(refersTo === undefined ? {} : { refersTo }),
    };
  }
  if (type === 'm.room.redaction' && !isState) {
    // Room versions up to 10 put `redacts` at the top level; version 11 moved it into the content.
    const redacts = str(event.redacts) ?? str(content.redacts);
    const reason = str(content.reason);
    if (redacts !== undefined) {
      return { ...base, kind: 'delete', refersTo: redacts, ...(reason === undefined ? {} : { text: reason }) };
    }
    return { ...base, kind: 'system', text: '[a redaction that names no event]' };
  }
  if (type === 'm.room.encrypted' && !isState) {
    // An appservice is not a member device: it never receives the room keys. Capturing encrypted rooms
    // needs a bot account that joins them and decrypts (its own device and key backup).
    return { ...base, kind: 'system', text: ENCRYPTED_TEXT };
  }
  const title = type === 'm.room.name' && isState ? label(content.name) : undefined;
  const target = type === 'm.reaction' ? str(relatesTo.event_id) : undefined;
  return {
    ...base,
    kind: 'system',
    text: systemText(event, sender, type),
    ...(title === undefined ? {} : { conversationTitle: title }),
    ...(target === undefined ? {} : { refersTo: target }),
  };
}

/**
 * Every event of a transaction body, in order. A body that is not a transaction, holds too many events,
 * or has an event without room_id, event_id, sender or origin_server_ts is refused whole, naming
 * each bad event by its index, so that nothing of it is stored.
 */
export function mapMatrixTransaction(payload: unknown, channel: string): Record<string, unknown>[] {
  if (!isObject(payload) || !Array.isArray(payload.events)) {
    throw new StenoError(
      'invalid_input',
      'the body is not an application service transaction: expected {"events": [...]}',
    );
  }
  const events: unknown[] = payload.events;
  if (events.length > MAX_TRANSACTION_EVENTS) {
    throw new StenoError(
      'too_large',
      `the transaction holds ${events.length} events, over the limit of ${MAX_TRANSACTION_EVENTS}`,
    );
  }
  const problems = events.flatMap((event, i) => requiredFields(event, `events[${i}]`));
  if (problems.length > 0) {
    const shown = problems.slice(0, 20);
    throw new StenoError(
      'invalid_input',
      `the transaction has events that cannot be archived: ${shown.map((p) => `${p.where} ${p.message}`).join('; ')}`,
      { problems: shown },
    );
  }
  return events.map((event) => mapMatrixEvent(event as Json, channel));
}
