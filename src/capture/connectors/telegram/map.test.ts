import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../model.js';
import { mapTelegramUpdate, type TelegramContext } from './map.js';
import { telegramRefs } from './media.js';

type Update = Record<string, unknown> & { update_id: number };
const updates = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../../test/fixtures/telegram/updates.json'), 'utf8'),
) as Record<string, Update>;
const fixture = (name: string): Update => structuredClone(updates[name]!);
/** The payload of an update: what `raw.event` keeps. */
const payloadOf = (update: Update): unknown => Object.entries(update).find(([key]) => key !== 'update_id')![1];

const RECEIVED_AT = Date.parse('2026-05-12T05:00:00Z');
const ctx: TelegramContext = { bot: 'desk1', botUserId: '7100000001', receivedAtMs: RECEIVED_AT };
const raw = (event: unknown) => ({ connector: 'telegram', channel: 'telegram:desk1', event });
const map = (update: unknown, context = ctx) => mapTelegramUpdate(update, context).messages;

const CHAN = {
  sender: '5012345678',
  senderName: 'Tai Man Chan',
  conversationId: 'desk1:5012345678',
  conversationTitle: 'Tai Man Chan',
  account: 'desk1',
};
const WONG = { conversationId: 'Qk9PS0NPTk5FQ1RJT04x:6011122233', conversationTitle: 'Ka Yan Wong' };
const CONNECTION = 'Qk9PS0NPTk5FQ1RJT04x';

describe('Telegram updates', () => {
  it("maps a private chat's text to an inbound message of the bot's conversation with the user", () => {
    const update = fixture('text');
    expect(mapTelegramUpdate(update, ctx)).toEqual({
      updateId: 731400001,
      messages: [
        {
          platform: 'telegram',
          ...CHAN,
          direction: 'inbound',
          sentAt: '2026-05-12T04:30:00.000Z',
          kind: 'message',
          platformMessageId: '41',
          text: 'Buy 2000 HSBC at market',
          raw: raw(payloadOf(update)),
        },
      ],
    });
  });

  it("maps a supergroup's photo by its chat id, with its caption as the text", () => {
    const update = fixture('photo');
    expect(map(update)).toEqual([
      {
        platform: 'telegram',
        conversationId: '-1001987654321',
        conversationTitle: 'HK Equities Desk',
        sender: '5098765432',
        senderName: 'Mei Ling Ho',
        account: 'desk1',
        direction: 'inbound',
        sentAt: '2026-05-12T04:30:30.000Z',
        kind: 'message',
        platformMessageId: '9187',
        text: 'Term sheet for the 0005.HK placement',
        raw: raw(payloadOf(update)),
      },
    ]);
  });

  it('maps an edit to the message it changes, with an id and a time of its own', () => {
    const update = fixture('edited');
    expect(map(update)).toEqual([
      {
        platform: 'telegram',
        ...CHAN,
        direction: 'inbound',
        sentAt: '2026-05-12T04:31:00.000Z',
        kind: 'edit',
        platformMessageId: '41:edit:1778560260',
        refersTo: '41',
        text: 'Buy 3000 HSBC at market',
        raw: raw(payloadOf(update)),
      },
    ]);
  });

  it("maps a business chat's messages to the connection: the client's inbound, the business's outbound", () => {
    const inbound = fixture('businessInbound');
    const outbound = fixture('businessOutbound');
    expect(map(inbound)).toEqual([
      {
        platform: 'telegram',
        ...WONG,
        sender: '6011122233',
        senderName: 'Ka Yan Wong',
        account: CONNECTION,
        direction: 'inbound',
        sentAt: '2026-05-12T04:31:40.000Z',
        kind: 'message',
        platformMessageId: '2001',
        text: 'Can you sell my Tencent before the close?',
        raw: raw(payloadOf(inbound)),
      },
    ]);
    expect(map(outbound)).toEqual([
      {
        platform: 'telegram',
        ...WONG,
        sender: '7033344455',
        senderName: 'Amy Lee',
        account: CONNECTION,
        direction: 'outbound',
        sentAt: '2026-05-12T04:32:00.000Z',
        kind: 'message',
        platformMessageId: '2002',
        text: 'Selling 500 0700.HK at the close',
        raw: raw(payloadOf(outbound)),
      },
    ]);
  });

  it("treats a message the business's bot sent in a business chat as outbound", () => {
    const update = fixture('businessInbound');
    const m = payloadOf(update) as Record<string, unknown>;
    m.sender_business_bot = { id: 7100000001, is_bot: true, first_name: 'Steno Desk Bot' };
    expect(map(update)[0]).toMatchObject({ direction: 'outbound' });
  });

  it("maps the bot's own messages as outbound, knowing the bot's id from its token", () => {
    const update = fixture('text');
    const m = payloadOf(update) as Record<string, unknown>;
    m.from = { id: 7100000001, is_bot: true, first_name: 'Steno Desk Bot', username: 'steno_desk_bot' };
    expect(map(update)[0]).toMatchObject({ direction: 'outbound', sender: '7100000001', senderName: 'Steno Desk Bot' });
    expect(map(update, { ...ctx, botUserId: null })[0]).toMatchObject({ direction: 'inbound' });
  });

  it('maps an edit in a business chat to the connection', () => {
    const update = fixture('editedBusiness');
    expect(map(update)).toEqual([
      {
        platform: 'telegram',
        ...WONG,
        sender: '7033344455',
        senderName: 'Amy Lee',
        account: CONNECTION,
        direction: 'outbound',
        sentAt: '2026-05-12T04:33:00.000Z',
        kind: 'edit',
        platformMessageId: '2002:edit:1778560380',
        refersTo: '2002',
        text: 'Selling 800 0700.HK at the close',
        raw: raw(payloadOf(update)),
      },
    ]);
  });

  it('maps deleted business messages to one delete each, dated when they were reported', () => {
    const update = fixture('deletedBusiness');
    const deleted = payloadOf(update);
    const one = (id: number) => ({
      platform: 'telegram',
      ...WONG,
      sender: CONNECTION,
      account: CONNECTION,
      sentAt: '2026-05-12T05:00:00.000Z',
      kind: 'delete',
      platformMessageId: `${id}:deleted`,
      refersTo: String(id),
      raw: raw(deleted),
    });
    expect(map(update)).toEqual([one(2001), one(2002)]);
  });

  it('maps a button press to a system record in the chat of the message it belongs to', () => {
    const update = fixture('callbackQuery');
    expect(map(update)).toEqual([
      {
        platform: 'telegram',
        ...CHAN,
        direction: 'inbound',
        sentAt: '2026-05-12T05:00:00.000Z',
        kind: 'system',
        platformMessageId: 'desk1:731400008:callback_query',
        refersTo: '42',
        text: '[button pressed: confirm:buy:0005.HK:2000]',
        raw: raw(payloadOf(update)),
      },
    ]);
  });

  it('renders a location, a venue, a contact, a poll and a die as text', () => {
    const update = fixture('location');
    expect(map(update)[0]).toMatchObject({ kind: 'message', text: '[location 22.2783, 114.1747]' });
    const m = payloadOf(update) as Record<string, unknown>;
    const variants: [Record<string, unknown>, string][] = [
      [
        {
          venue: {
            location: { latitude: 22.2819, longitude: 114.1582 },
            title: 'Exchange Square',
            address: '8 Connaught Place, Central',
          },
        },
        '[venue Exchange Square, 8 Connaught Place, Central (22.2819, 114.1582)]',
      ],
      [
        { contact: { phone_number: '+85291234567', first_name: 'Ka Yan', last_name: 'Wong' } },
        '[contact Ka Yan Wong +85291234567]',
      ],
      [
        { poll: { id: '1', question: 'Lunch?', options: [{ text: 'Dim sum' }, { text: 'Noodles' }] } },
        '[poll Lunch?: Dim sum / Noodles]',
      ],
      [{ dice: { emoji: '🎲', value: 4 } }, '[dice 🎲 4]'],
    ];
    for (const [content, text] of variants) {
      const { location: _location, ...rest } = m;
      expect(map({ update_id: 1, message: { ...rest, ...content } })[0]).toMatchObject({ kind: 'message', text });
    }
  });

  it('maps a service message and an update type it does not know to system records, never dropping them', () => {
    const m = payloadOf(fixture('text')) as Record<string, unknown>;
    const { text: _text, ...envelope } = m;
    const joined = map({ update_id: 5, message: { ...envelope, new_chat_members: [{ id: 1, first_name: 'Amy' }] } });
    expect(joined[0]).toMatchObject({ kind: 'system', platformMessageId: '41', text: '[joined: Amy]' });
    const future = map({ update_id: 6, message: { ...envelope, gift_upgrade_sent: { stars: 5 } } });
    expect(future[0]).toMatchObject({ kind: 'system', text: '[gift upgrade sent]' });
    const unknown = map({ update_id: 7, purchased_paid_media: { from: { id: 9, first_name: 'Bo' }, payload: 'x' } });
    expect(unknown).toEqual([
      {
        platform: 'telegram',
        conversationId: 'desk1:9',
        sender: '9',
        senderName: 'Bo',
        account: 'desk1',
        direction: 'inbound',
        sentAt: '2026-05-12T05:00:00.000Z',
        kind: 'system',
        platformMessageId: 'desk1:7:purchased_paid_media',
        text: '[purchased paid media]',
        raw: raw({ from: { id: 9, first_name: 'Bo' }, payload: 'x' }),
      },
    ]);
    const member = map({
      update_id: 8,
      my_chat_member: {
        chat: { id: -1001987654321, title: 'HK Equities Desk', type: 'supergroup' },
        from: { id: 5098765432, first_name: 'Mei Ling' },
        date: 1778560000,
        old_chat_member: { status: 'member', user: { id: 7100000001, first_name: 'Steno Desk Bot' } },
        new_chat_member: { status: 'administrator', user: { id: 7100000001, first_name: 'Steno Desk Bot' } },
      },
    });
    expect(member[0]).toMatchObject({
      conversationId: '-1001987654321',
      sentAt: '2026-05-12T04:26:40.000Z',
      text: '[bot Steno Desk Bot: member → administrator]',
    });
    const connection = map({
      update_id: 9,
      business_connection: {
        id: CONNECTION,
        user: { id: 7033344455, first_name: 'Amy', last_name: 'Lee' },
        user_chat_id: 7033344455,
        date: 1778550000,
        is_enabled: true,
      },
    });
    expect(connection[0]).toMatchObject({
      conversationId: 'desk1:7033344455',
      account: CONNECTION,
      kind: 'system',
      text: '[business connection enabled by Amy Lee]',
    });
  });

  it('keeps two bots, or two business accounts, talking to one client in two conversations', () => {
    const update = fixture('text');
    expect(map(update, { ...ctx, bot: 'desk2' })[0]).toMatchObject({
      conversationId: 'desk2:5012345678',
      platformMessageId: '41',
    });
    const business = fixture('businessInbound');
    (payloadOf(business) as Record<string, unknown>).business_connection_id = 'T1RIRVJDT05ORUNUSU9O';
    expect(map(business)[0]).toMatchObject({ conversationId: 'T1RIRVJDT05ORUNUSU9O:6011122233' });
  });

  it('produces messages the ingest schema accepts', () => {
    for (const name of Object.keys(updates)) {
      for (const message of map(fixture(name))) {
        const result = validateMessage(message, name, { maxAttachmentBytes: 1 });
        expect(result.ok ? [] : result.problems, name).toEqual([]);
      }
    }
  });

  it('refuses what is not an update, naming where it went wrong', () => {
    const text = payloadOf(fixture('text')) as Record<string, unknown>;
    const cases: [unknown, string][] = [
      [[1, 2], 'not a Telegram update'],
      [{ message: text }, 'update_id must be a non-negative integer'],
      [{ update_id: '7', message: text }, 'update_id must be a non-negative integer'],
      [{ update_id: 7 }, 'carries nothing besides update_id'],
      [{ update_id: 7, message: 'hello' }, 'message must be an object'],
      [{ update_id: 7, message: { ...text, chat: undefined } }, 'message.chat must be an object'],
      [{ update_id: 7, message: { ...text, message_id: 'x' } }, 'message.message_id must be an integer'],
      [{ update_id: 7, message: { ...text, date: 'yesterday' } }, 'message.date must be Unix seconds'],
      [{ update_id: 7, business_message: text }, 'business_message.business_connection_id is required'],
      [
        { update_id: 7, deleted_business_messages: { business_connection_id: 'x', chat: { id: 1 }, message_ids: [] } },
        'deleted_business_messages.message_ids must be an array',
      ],
      [
        {
          update_id: 7,
          deleted_business_messages: { business_connection_id: 'x', chat: { id: 1 }, message_ids: [1, 'two'] },
        },
        'deleted_business_messages.message_ids[1] must be an integer',
      ],
    ];
    for (const [update, message] of cases) expect(() => map(update), message).toThrow(message);
  });
});

describe('Telegram files', () => {
  it("finds a photo's largest size, as a JPEG", () => {
    expect(telegramRefs(payloadOf(fixture('photo')))).toEqual([
      { id: 'AgACAgUAAxkBAAIkY2Y0large', filename: 'photo-AQADlarge.jpg', contentType: 'image/jpeg' },
    ]);
  });

  it('names each kind of file, using the name and type Telegram gives where it gives them', () => {
    const file = (id: string, extra: Record<string, unknown> = {}) => ({
      file_id: id,
      file_unique_id: `u${id}`,
      ...extra,
    });
    const refs = telegramRefs({
      message_id: 1,
      document: file('doc1', { file_name: 'Placement term sheet.pdf', mime_type: 'application/pdf' }),
      video: file('vid1', { mime_type: 'video/mp4' }),
      audio: file('aud1', { file_name: 'call.mp3', mime_type: 'audio/mpeg' }),
      voice: file('voi1', { mime_type: 'audio/ogg' }),
      video_note: file('vnote1'),
      sticker: file('stk1', { is_animated: false, is_video: false }),
    });
    expect(refs).toEqual([
      { id: 'doc1', filename: 'Placement term sheet.pdf', contentType: 'application/pdf' },
      { id: 'vid1', filename: 'video-uvid1.mp4', contentType: 'video/mp4' },
      { id: 'aud1', filename: 'call.mp3', contentType: 'audio/mpeg' },
      { id: 'voi1', filename: 'voice-uvoi1.ogg', contentType: 'audio/ogg' },
      { id: 'vnote1', filename: 'video-note-uvnote1.mp4', contentType: 'video/mp4' },
      { id: 'stk1', filename: 'sticker-ustk1.webp', contentType: 'image/webp' },
    ]);
  });

  it('lists an animation once, though Telegram also sends it as a document', () => {
    const gif = { file_id: 'gif1', file_unique_id: 'ugif1', file_name: 'rally.mp4', mime_type: 'video/mp4' };
    expect(telegramRefs({ message_id: 1, animation: gif, document: gif })).toEqual([
      { id: 'gif1', filename: 'rally.mp4', contentType: 'video/mp4' },
    ]);
  });

  it('finds nothing in text, deletions, button presses, or file ids that are not Telegram-shaped', () => {
    for (const name of ['text', 'edited', 'deletedBusiness', 'callbackQuery', 'location']) {
      expect(telegramRefs(payloadOf(fixture(name))), name).toEqual([]);
    }
    expect(telegramRefs({ document: { file_id: '../../etc/passwd' } })).toEqual([]);
    expect(telegramRefs(null)).toEqual([]);
    expect(telegramRefs('photo')).toEqual([]);
  });
});
