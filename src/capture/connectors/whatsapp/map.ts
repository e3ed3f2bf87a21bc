/**
 * WhatsApp Business Cloud API webhook payloads → ingest messages. Pure.
 *
 * A payload is `{object: "whatsapp_business_account", entry: [{id, changes: [{field, value}]}]}`. The
 * `messages` field carries clients' messages (every type: text, media with caption, location, contacts,
 * interactive and button replies, reactions, edits, revokes, and types this code has not met) and status
 * updates of the business's messages; `smb_message_echoes` carries what the business sent from the
 * WhatsApp Business app. Every one becomes a message record; a status becomes a `system` record. The
 * conversation is the business number and the client (`<phone number id>:<client wa_id>`), so that two
 * of the firm's numbers talking to one client are two conversations, as they are on the phones.
 */
import { StenoError } from '../../../core/errors.js';
import { capturedRaw } from '../connector.js';

export const WHATSAPP_CONNECTOR = 'whatsapp';

/** What one payload holds, by channel (`whatsapp:<phone number id>`). */
export interface WhatsAppBatch {
  channel: string;
  messages: Record<string, unknown>[];
}

type Json = Record<string, unknown>;

/** The message types archived as messages; others (system notices, types not yet known) as system records. */
const MESSAGE_TYPES = new Set([
  'text',
  'image',
  'video',
  'document',
  'audio',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
]);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Json => (isObject(v) ? v : {});

/** Unix seconds as WhatsApp sends them (a string of digits) → ISO 8601. */
function isoFromSeconds(value: unknown, where: string): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,12}$/.test(text)) {
    throw new StenoError('invalid_input', `${where}.timestamp must be Unix seconds`, {
      problems: [{ where: `${where}.timestamp`, message: 'must be Unix seconds' }],
    });
  }
  return new Date(Number(text) * 1000).toISOString();
}

function required(value: unknown, where: string): string {
  const s = str(value);
  if (s === undefined) {
    throw new StenoError('invalid_input', `${where} is required`, { problems: [{ where, message: 'is required' }] });
  }
  return s;
}

/** The readable text of a message of any type: what a reviewer reads and the order reader sees. */
export function whatsappText(m: Json): string | undefined {
  const type = str(m.type) ?? 'unknown';
  const part = obj(m[type]);
  switch (type) {
    case 'text':
      return str(part.body);
    case 'image':
    case 'video':
    case 'document':
    case 'audio':
    case 'sticker':
      return str(part.caption);
    case 'location': {
      const label = [str(part.name), str(part.address)].filter(Boolean).join(', ');
      return `[location ${String(part.latitude)}, ${String(part.longitude)}${label ? `: ${label}` : ''}]`;
    }
    case 'contacts': {
      const names = (Array.isArray(m.contacts) ? m.contacts : []).map((c) => {
        const contact = obj(c);
        const phones = (Array.isArray(contact.phones) ? contact.phones : []).map((p) => str(obj(p).phone));
        return [str(obj(contact.name).formatted_name), ...phones].filter(Boolean).join(' ');
      });
      return `[contact ${names.join('; ')}]`;
    }
    case 'interactive': {
      const reply = obj(part[str(part.type) ?? '']);
      return str(reply.title) ?? str(reply.body) ?? str(reply.response_json);
    }
    case 'button':
      return str(part.text) ?? str(part.payload);
    case 'reaction':
      return str(part.emoji) ?? '[reaction removed]';
    case 'order':
      return `[order of ${Array.isArray(part.product_items) ? part.product_items.length : 0} item(s)]`;
    case 'system':
      return str(part.body);
    default:
      return undefined;
  }
}

/** The text of an edit: the new message's own text, whatever its type. */
function editedText(edit: Json): string {
  const inner = obj(edit.message);
  return whatsappText(inner) ?? str(obj(edit.text).body) ?? '';
}

function mapMessage(input: {
  m: Json;
  where: string;
  businessNumberId: string;
  businessNumber: string;
  client: string;
  names: Map<string, string>;
  outbound: boolean;
  channel: string;
}): Record<string, unknown> {
  const { m, where, outbound } = input;
  const id = required(m.id, `${where}.id`);
  const type = str(m.type) ?? 'unknown';
  const sentAt = isoFromSeconds(m.timestamp, where);
  const base = {
    platform: 'whatsapp',
    conversationId: `${input.businessNumberId}:${input.client}`,
    sender: outbound ? `+${input.businessNumber}` : `+${input.client}`,
    sentAt,
    recipients: [outbound ? `+${input.client}` : `+${input.businessNumber}`],
    account: `+${input.businessNumber}`,
    direction: outbound ? 'outbound' : 'inbound',
    ...(outbound || !input.names.has(input.client) ? {} : { senderName: input.names.get(input.client) }),
    raw: capturedRaw(WHATSAPP_CONNECTOR, input.channel, m),
  };
  if (type === 'edit') {
    const edit = obj(m.edit);
    const original = required(edit.original_message_id, `${where}.edit.original_message_id`);
    return { ...base, kind: 'edit', platformMessageId: id, refersTo: original, text: editedText(edit) };
  }
  if (type === 'revoke') {
    const original = required(obj(m.revoke).original_message_id, `${where}.revoke.original_message_id`);
    return { ...base, kind: 'delete', platformMessageId: id, refersTo: original };
  }
  const text = whatsappText(m);
  // A reaction and a reply point at the message they answer.
  const refersTo = type === 'reaction' ? str(obj(m.reaction).message_id) : str(obj(m.context).id);
  if (type === 'system' || !MESSAGE_TYPES.has(type)) {
    const errors = Array.isArray(m.errors) ? m.errors.map((e) => str(obj(e).title)).filter(Boolean) : [];
    return {
      ...base,
      kind: 'system',
      platformMessageId: id,
      text: text ?? `[${type} message${errors.length > 0 ? `: ${errors.join('; ')}` : ''}]`,
    };
  }
  return {
    ...base,
    kind: 'message',
    platformMessageId: id,
    ...(text === undefined ? {} : { text }),
    ...(refersTo === undefined ? {} : { refersTo }),
  };
}

/** A status of one of the business's messages (sent, delivered, read, failed) as a system record. */
function mapStatus(input: {
  s: Json;
  where: string;
  businessNumberId: string;
  businessNumber: string;
  channel: string;
}): Record<string, unknown> {
  const { s, where } = input;
  const id = required(s.id, `${where}.id`);
  const status = required(s.status, `${where}.status`);
  const recipient = required(s.recipient_id, `${where}.recipient_id`);
  const errors = Array.isArray(s.errors) ? s.errors.map((e) => str(obj(e).title)).filter(Boolean) : [];
  return {
    platform: 'whatsapp',
    conversationId: `${input.businessNumberId}:${recipient}`,
    sender: `+${input.businessNumber}`,
    sentAt: isoFromSeconds(s.timestamp, where),
    kind: 'system',
    // A message is sent, delivered and read: one record for each status it reaches.
    platformMessageId: `${id}:status:${status}`,
    refersTo: id,
    text: `[${status}${errors.length > 0 ? `: ${errors.join('; ')}` : ''}]`,
    account: `+${input.businessNumber}`,
    direction: 'outbound',
    raw: capturedRaw(WHATSAPP_CONNECTOR, input.channel, s),
  };
}

/**
 * Every message and status in a payload, grouped by the business number it came through. A payload
 * that is not the Cloud API's shape is refused whole, naming where it went wrong.
 */
export function mapWhatsAppPayload(payload: unknown): WhatsAppBatch[] {
  if (!isObject(payload) || payload.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) {
    throw new StenoError(
      'invalid_input',
      'the body is not a WhatsApp Business webhook: expected {"object": "whatsapp_business_account", "entry": [...]}',
    );
  }
  const byChannel = new Map<string, Record<string, unknown>[]>();
  payload.entry.forEach((entry, e) => {
    const changes = obj(entry).changes;
    if (!Array.isArray(changes)) {
      throw new StenoError('invalid_input', `entry[${e}].changes must be an array`);
    }
    changes.forEach((change, c) => {
      const where = `entry[${e}].changes[${c}].value`;
      const field = str(obj(change).field);
      const value = obj(obj(change).value);
      const metadata = obj(value.metadata);
      const businessNumberId = str(metadata.phone_number_id);
      const businessNumber = str(metadata.display_phone_number)?.replace(/\D/g, '');
      // Changes of other fields (account updates, templates, quality) carry no messages.
      if (field !== 'messages' && field !== 'smb_message_echoes') return;
      if (businessNumberId === undefined || businessNumber === undefined) {
        throw new StenoError('invalid_input', `${where}.metadata needs phone_number_id and display_phone_number`);
      }
      const channel = `whatsapp:${businessNumberId}`;
      const out = byChannel.get(channel) ?? [];
      byChannel.set(channel, out);
      const names = new Map<string, string>();
      for (const contact of Array.isArray(value.contacts) ? value.contacts : []) {
        const waId = str(obj(contact).wa_id);
        const name = str(obj(obj(contact).profile).name);
        if (waId !== undefined && name !== undefined) names.set(waId, name);
      }
      const common = { businessNumberId, businessNumber, names, channel };
      (Array.isArray(value.messages) ? value.messages : []).forEach((m, i) => {
        const at = `${where}.messages[${i}]`;
        const message = obj(m);
        out.push(
          mapMessage({
            ...common,
            m: message,
            where: at,
            client: required(message.from, `${at}.from`),
            outbound: false,
          }),
        );
      });
      (Array.isArray(value.message_echoes) ? value.message_echoes : []).forEach((m, i) => {
        const at = `${where}.message_echoes[${i}]`;
        const message = obj(m);
        out.push(
          mapMessage({ ...common, m: message, where: at, client: required(message.to, `${at}.to`), outbound: true }),
        );
      });
      (Array.isArray(value.statuses) ? value.statuses : []).forEach((s, i) => {
        out.push(mapStatus({ ...common, s: obj(s), where: `${where}.statuses[${i}]` }));
      });
    });
  });
  return [...byChannel].map(([channel, messages]) => ({ channel, messages }));
}
