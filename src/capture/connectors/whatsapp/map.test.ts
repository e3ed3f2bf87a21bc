import { describe, expect, it } from 'vitest';
import { mapWhatsAppPayload } from './map.js';

const metadata = { display_phone_number: '852 3000 1234', phone_number_id: '555' };
const payload = (value: Record<string, unknown>, field = 'messages') => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '1', changes: [{ field, value: { messaging_product: 'whatsapp', metadata, ...value } }] }],
});

describe('WhatsApp payloads', () => {
  it("maps a client's text to an inbound message of the business number's conversation with the client", () => {
    const [batch] = mapWhatsAppPayload(
      payload({
        contacts: [{ profile: { name: 'Chan Tai Man' }, wa_id: '85291234567' }],
        messages: [
          { from: '85291234567', id: 'wamid.A', timestamp: '1778560200', type: 'text', text: { body: '買 2000 匯豐' } },
        ],
      }),
    );
    expect(batch!.channel).toBe('whatsapp:555');
    expect(batch!.messages).toEqual([
      {
        platform: 'whatsapp',
        conversationId: '555:85291234567',
        sender: '+85291234567',
        senderName: 'Chan Tai Man',
        recipients: ['+85230001234'],
        account: '+85230001234',
        direction: 'inbound',
        sentAt: '2026-05-12T04:30:00.000Z',
        kind: 'message',
        platformMessageId: 'wamid.A',
        text: '買 2000 匯豐',
        raw: {
          connector: 'whatsapp',
          channel: 'whatsapp:555',
          event: {
            from: '85291234567',
            id: 'wamid.A',
            timestamp: '1778560200',
            type: 'text',
            text: { body: '買 2000 匯豐' },
          },
        },
      },
    ]);
  });

  it("maps the business's own messages (echoes) as outbound, from the business number to the client", () => {
    const [batch] = mapWhatsAppPayload(
      payload(
        {
          message_echoes: [
            {
              from: '85230001234',
              to: '85291234567',
              id: 'wamid.E',
              timestamp: '1778560200',
              type: 'text',
              text: { body: 'Done' },
            },
          ],
        },
        'smb_message_echoes',
      ),
    );
    expect(batch!.messages[0]).toMatchObject({
      conversationId: '555:85291234567',
      sender: '+85230001234',
      recipients: ['+85291234567'],
      direction: 'outbound',
      text: 'Done',
    });
  });

  it('maps edits and revokes to records that point at the original', () => {
    const [batch] = mapWhatsAppPayload(
      payload({
        messages: [
          {
            from: '852',
            id: 'wamid.X',
            timestamp: '1',
            type: 'edit',
            edit: { original_message_id: 'wamid.A', message: { type: 'text', text: { body: 'Sell instead' } } },
          },
          { from: '852', id: 'wamid.Y', timestamp: '2', type: 'revoke', revoke: { original_message_id: 'wamid.A' } },
        ],
      }),
    );
    expect(batch!.messages.map((m) => [m.kind, m.refersTo, m.text])).toEqual([
      ['edit', 'wamid.A', 'Sell instead'],
      ['delete', 'wamid.A', undefined],
    ]);
  });

  it('gives each status a message of its own and keeps types it does not know as system records', () => {
    const [batch] = mapWhatsAppPayload(
      payload({
        statuses: [
          {
            id: 'wamid.E',
            status: 'failed',
            timestamp: '3',
            recipient_id: '85291234567',
            errors: [{ code: 131047, title: 'Re-engagement message' }],
          },
        ],
        messages: [{ from: '852', id: 'wamid.Z', timestamp: '4', type: 'hologram', hologram: {} }],
      }),
    );
    expect(batch!.messages.map((m) => [m.kind, m.platformMessageId, m.text])).toEqual([
      ['system', 'wamid.Z', '[hologram message]'],
      ['system', 'wamid.E:status:failed', '[failed: Re-engagement message]'],
    ]);
  });

  it('ignores changes of other fields and refuses payloads of another shape, naming the place', () => {
    expect(mapWhatsAppPayload(payload({}, 'account_update'))).toEqual([]);
    expect(() => mapWhatsAppPayload({ object: 'instagram', entry: [] })).toThrow(/not a WhatsApp Business webhook/);
    expect(() =>
      mapWhatsAppPayload(payload({ messages: [{ id: 'wamid.Q', timestamp: '1', type: 'text', text: { body: 'x' } }] })),
    ).toThrow(/entry\[0\]\.changes\[0\]\.value\.messages\[0\]\.from is required/);
  });
});
