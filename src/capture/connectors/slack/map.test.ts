import { describe, expect, it } from 'vitest';
import { ingestMessageSchema } from '../../model.js';
import { isoFromTs, mapSlackRequest, type SlackMessage } from './map.js';

const TEAM = 'T0FIRM0001';
const DESK = 'C0EQDESK01';
const envelope = (event: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  token: 'legacy-verification-token',
  team_id: TEAM,
  api_app_id: 'A0STENO001',
  type: 'event_callback',
  event_id: 'Ev0TEST0001',
  event_time: 1778560200,
  event,
  ...extra,
});
const raw = (event: unknown) => ({ connector: 'slack', channel: `slack:${TEAM}`, event });

/** Maps one event_callback and checks the message against the ingest schema, as the sink will. */
function mapOne(event: Record<string, unknown>, extra: Record<string, unknown> = {}): SlackMessage {
  const mapped = mapSlackRequest(envelope(event, extra));
  if (mapped.type !== 'archive') throw new Error(`expected messages, got ${mapped.type}`);
  expect(mapped.channel).toBe(`slack:${TEAM}`);
  expect(mapped.messages).toHaveLength(1);
  const message = mapped.messages[0]!;
  const parsed = ingestMessageSchema.safeParse(message);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return message;
}

describe('Slack events', () => {
  it('reads ts as seconds and microseconds, to the millisecond, without rounding through a double', () => {
    expect(isoFromTs('1778560200.000200')).toBe('2026-05-12T04:30:00.000Z');
    expect(isoFromTs('1778560200.999999')).toBe('2026-05-12T04:30:00.999Z');
    expect(isoFromTs('1778560200.5')).toBe('2026-05-12T04:30:00.500Z');
    expect(isoFromTs('1778560200')).toBe('2026-05-12T04:30:00.000Z');
    expect(() => isoFromTs('1778560200.0000001')).toThrow('not a Slack timestamp');
  });

  it("maps a person's message to an inbound message of the channel, under its ts", () => {
    const event = {
      type: 'message',
      channel: DESK,
      user: 'U0CLIENT01',
      text: 'Buy 2000 HSBC at market please',
      ts: '1778560200.000200',
      event_ts: '1778560200.000200',
      channel_type: 'channel',
    };
    expect(mapOne(event)).toEqual({
      platform: 'slack',
      account: TEAM,
      conversationId: `slack:${DESK}`,
      sender: 'U0CLIENT01',
      sentAt: '2026-05-12T04:30:00.000Z',
      direction: 'inbound',
      kind: 'message',
      platformMessageId: '1778560200.000200',
      text: 'Buy 2000 HSBC at market please',
      raw: raw(event),
    });
  });

  it('links a thread reply to its thread, but not the thread’s first message to itself', () => {
    const reply = mapOne({
      type: 'message',
      channel: DESK,
      user: 'U0TRADER01',
      text: 'Done',
      ts: '1778560260.000300',
      thread_ts: '1778560200.000200',
    });
    expect(reply).toMatchObject({
      kind: 'message',
      platformMessageId: '1778560260.000300',
      refersTo: '1778560200.000200',
    });
    const broadcast = mapOne({
      type: 'message',
      subtype: 'thread_broadcast',
      channel: DESK,
      user: 'U0TRADER01',
      text: 'Done (also sent to the channel)',
      ts: '1778560261.000300',
      thread_ts: '1778560200.000200',
    });
    expect(broadcast).toMatchObject({ kind: 'message', refersTo: '1778560200.000200' });
    const parent = mapOne({
      type: 'message',
      channel: DESK,
      user: 'U0CLIENT01',
      text: 'Buy',
      ts: '1778560200.000200',
      thread_ts: '1778560200.000200',
    });
    expect(parent).not.toHaveProperty('refersTo');
  });

  it("maps the firm's bot messages as outbound, named as the bot calls itself", () => {
    expect(
      mapOne({
        type: 'message',
        subtype: 'bot_message',
        channel: DESK,
        bot_id: 'B0ORDERBOT',
        username: 'Order Desk',
        text: 'Order 88213 acknowledged',
        ts: '1778560470.000650',
      }),
    ).toMatchObject({ kind: 'message', sender: 'B0ORDERBOT', senderName: 'Order Desk', direction: 'outbound' });
    // An app's bot user posts with both a user and a bot_id.
    expect(
      mapOne({ type: 'message', channel: DESK, user: 'U0STENOBOT', bot_id: 'B0ORDERBOT', text: 'hi', ts: '1.1' }),
    ).toMatchObject({ sender: 'U0STENOBOT', direction: 'outbound' });
  });

  it('maps an edit to the new text, referring to the edited message, with an id of its own per edit', () => {
    const event = {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: DESK,
      message: {
        type: 'message',
        user: 'U0CLIENT01',
        text: 'Buy 2500 HSBC at market please',
        ts: '1778560200.000200',
        edited: { user: 'U0CLIENT01', ts: '1778560320.000000' },
      },
      previous_message: { type: 'message', user: 'U0CLIENT01', text: 'Buy 2000', ts: '1778560200.000200' },
      ts: '1778560320.000400',
      event_ts: '1778560320.000400',
    };
    expect(mapOne(event)).toEqual({
      platform: 'slack',
      account: TEAM,
      conversationId: `slack:${DESK}`,
      sender: 'U0CLIENT01',
      sentAt: '2026-05-12T04:32:00.000Z',
      kind: 'edit',
      platformMessageId: '1778560200.000200:edit:1778560320.000000',
      refersTo: '1778560200.000200',
      text: 'Buy 2500 HSBC at market please',
      direction: 'inbound',
      raw: raw(event),
    });
    // A change Slack did not mark as edited (an unfurl added) is dated, and named, by the event.
    const { edited: _edited, ...unmarked } = event.message;
    expect(mapOne({ ...event, message: unmarked })).toMatchObject({
      kind: 'edit',
      platformMessageId: '1778560200.000200:edit:1778560320.000400',
      sentAt: '2026-05-12T04:32:00.000Z',
    });
  });

  it('maps a delete to the deleted message, sent by whoever wrote it', () => {
    const event = {
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      channel: DESK,
      deleted_ts: '1778560200.000200',
      previous_message: { type: 'message', user: 'U0CLIENT01', text: 'Buy 2500', ts: '1778560200.000200' },
      ts: '1778560380.000500',
    };
    expect(mapOne(event)).toEqual({
      platform: 'slack',
      account: TEAM,
      conversationId: `slack:${DESK}`,
      sender: 'U0CLIENT01',
      sentAt: '2026-05-12T04:33:00.000Z',
      kind: 'delete',
      platformMessageId: '1778560200.000200:deleted',
      refersTo: '1778560200.000200',
      direction: 'inbound',
      raw: raw(event),
    });
    const { previous_message: _previous, ...bare } = event;
    expect(mapOne(bare)).toMatchObject({ sender: 'unknown', kind: 'delete' });
  });

  it('keeps a file share as a message, even with no text (the files are fetched as media)', () => {
    const files = [{ id: 'F0TERMSHT1', name: 'term-sheet.pdf', url_private: 'https://files.slack.com/x' }];
    expect(
      mapOne({ type: 'message', subtype: 'file_share', channel: DESK, user: 'U0TRADER01', text: '', files, ts: '2.0' }),
    ).toMatchObject({ kind: 'message', text: '', platformMessageId: '2.0' });
    expect(mapOne({ type: 'message', channel: DESK, user: 'U0TRADER01', files, ts: '3.0' })).toMatchObject({
      kind: 'message',
      platformMessageId: '3.0',
    });
  });

  it("keeps Slack's channel notices as system records with Slack's text, and an unknown subtype too", () => {
    expect(
      mapOne({
        type: 'message',
        subtype: 'channel_join',
        channel: DESK,
        user: 'U0COMPLY01',
        text: '<@U0COMPLY01> has joined the channel',
        ts: '1778560480.000660',
      }),
    ).toMatchObject({
      kind: 'system',
      sender: 'U0COMPLY01',
      platformMessageId: '1778560480.000660',
      text: '<@U0COMPLY01> has joined the channel',
    });
    expect(
      mapOne({ type: 'message', subtype: 'channel_topic', channel: DESK, user: 'U0TRADER01', ts: '4.0' }),
    ).toMatchObject({ kind: 'system', text: '[Slack channel_topic]' });
    // A hidden subtype is about another message, whose ts it may carry: it gets an id of its own.
    expect(
      mapOne({
        type: 'message',
        subtype: 'message_replied',
        hidden: true,
        channel: DESK,
        message: { ts: '1778560200.000200', reply_count: 1 },
        ts: '1778560260.000300',
      }),
    ).toMatchObject({ kind: 'system', platformMessageId: '1778560260.000300:message_replied' });
    expect(
      mapOne({ type: 'message', subtype: 'huddle_thread', channel: DESK, user: 'U0TRADER01', text: 'x', ts: '5.0' }),
    ).toMatchObject({ kind: 'system', platformMessageId: '5.0:huddle_thread', text: 'x' });
  });

  it('maps an app_mention under the ts of the message it is, so the message event and it are stored once', () => {
    const message = { channel: DESK, user: 'U0CLIENT01', text: '<@U0STENOBOT> buy', ts: '6.000100' };
    const mention = mapOne({ type: 'app_mention', ...message });
    const plain = mapOne({ type: 'message', ...message });
    expect([mention.conversationId, mention.platformMessageId, mention.kind]).toEqual([
      plain.conversationId,
      plain.platformMessageId,
      plain.kind,
    ]);
  });

  it('maps other event types to system records with a readable text, named by event_id', () => {
    const reaction = {
      type: 'reaction_added',
      user: 'U0TRADER01',
      reaction: 'white_check_mark',
      item_user: 'U0CLIENT01',
      item: { type: 'message', channel: DESK, ts: '1778560200.000200' },
      event_ts: '1778560500.000700',
    };
    expect(mapOne(reaction, { event_id: 'Ev0REACT001' })).toEqual({
      platform: 'slack',
      account: TEAM,
      conversationId: `slack:${DESK}`,
      sender: 'U0TRADER01',
      sentAt: '2026-05-12T04:35:00.000Z',
      kind: 'system',
      platformMessageId: 'Ev0REACT001',
      refersTo: '1778560200.000200',
      text: 'U0TRADER01 reacted :white_check_mark: to message 1778560200.000200',
      raw: raw(reaction),
    });
    expect(
      mapOne({
        type: 'member_joined_channel',
        user: 'U0COMPLY01',
        channel: DESK,
        inviter: 'U0TRADER01',
        event_ts: '7.0',
      }),
    ).toMatchObject({
      kind: 'system',
      conversationId: `slack:${DESK}`,
      text: 'U0COMPLY01 joined the channel (invited by U0TRADER01)',
    });
    expect(
      mapOne({ type: 'file_shared', file_id: 'F0X', user_id: 'U0TRADER01', channel_id: DESK, event_ts: '8.0' }),
    ).toMatchObject({ conversationId: `slack:${DESK}`, sender: 'U0TRADER01', text: 'U0TRADER01 shared file F0X' });
    // An event of no channel belongs to the workspace; one with no event_ts is dated by the envelope.
    expect(mapOne({ type: 'emoji_changed', subtype: 'add', name: 'hsbc' })).toMatchObject({
      conversationId: `team:${TEAM}`,
      sender: 'slack',
      sentAt: '2026-05-12T04:30:00.000Z',
      kind: 'system',
      platformMessageId: 'Ev0TEST0001',
      text: '[Slack emoji_changed event]',
    });
    expect(
      mapOne({ type: 'channel_created', channel: { id: 'C0NEWDESK1', name: 'fx-desk', creator: 'U0TRADER01' } }),
    ).toMatchObject({ conversationId: 'slack:C0NEWDESK1', text: 'U0TRADER01 created the channel #fx-desk' });
  });

  it('answers url_verification with its challenge, and keeps what Slack says about the app', () => {
    expect(mapSlackRequest({ token: 't', challenge: 'abc123', type: 'url_verification' })).toEqual({
      type: 'url_verification',
      challenge: 'abc123',
    });
    const limited = mapSlackRequest({
      token: 'legacy-verification-token',
      type: 'app_rate_limited',
      team_id: TEAM,
      minute_rate_limited: 1778560560,
      api_app_id: 'A0STENO001',
    });
    expect(limited).toEqual({
      type: 'archive',
      channel: `slack:${TEAM}`,
      messages: [
        {
          platform: 'slack',
          conversationId: `team:${TEAM}`,
          sender: 'slack',
          sentAt: '2026-05-12T04:36:00.000Z',
          kind: 'system',
          platformMessageId: 'app_rate_limited:1778560560',
          text: "Slack did not deliver this app's events for the minute from 2026-05-12T04:36:00.000Z: the app was over its rate limit",
          account: TEAM,
          raw: raw({
            type: 'app_rate_limited',
            team_id: TEAM,
            minute_rate_limited: 1778560560,
            api_app_id: 'A0STENO001',
          }),
        },
      ],
    });
    // An envelope type not met before: kept as system if it carries an event, else nothing to keep.
    expect(mapSlackRequest({ type: 'app_uninstalled_notice', team_id: TEAM })).toMatchObject({ type: 'ignore' });
    const other = mapSlackRequest({
      type: 'event_bulletin',
      team_id: TEAM,
      event_id: 'Ev0NEW0001',
      event: { type: 'message', channel: DESK, user: 'U0X', text: 'hello', ts: '1778560200.000300', thread_ts: '1.0' },
    });
    expect(other).toMatchObject({
      type: 'archive',
      messages: [
        {
          kind: 'system',
          text: '[Slack event_bulletin request] hello',
          platformMessageId: '1778560200.000300',
          refersTo: '1.0',
        },
      ],
    });
  });

  it('refuses a body that is not what Slack sends, naming the field', () => {
    const message = { type: 'message', channel: DESK, user: 'U0CLIENT01', text: 'x', ts: '1778560200.000200' };
    const cases: [unknown, string][] = [
      [[1, 2], 'type is required'],
      [{ challenge: 'x' }, 'type is required'],
      [{ type: 'url_verification' }, 'challenge is required'],
      [{ type: 'url_verification', challenge: 'x'.repeat(1025) }, 'challenge is over 1024'],
      [{ type: 'event_callback', event: message }, 'team_id is required'],
      [{ type: 'event_callback', team_id: 'T 1', event: message }, 'team_id is not a Slack id'],
      [{ type: 'event_callback', team_id: TEAM }, 'event is required'],
      [envelope({ ...message, type: undefined }), 'event.type is required'],
      [envelope({ ...message, channel: undefined }), 'event.channel is required'],
      [envelope({ ...message, ts: 'yesterday' }), 'event.ts must be a Slack timestamp'],
      [envelope({ ...message, thread_ts: 12 }), 'event.thread_ts must be a string'],
      [envelope({ ...message, subtype: 'message_deleted' }), 'event.deleted_ts is required'],
      [envelope({ ...message, subtype: 'message_changed' }), 'event.message.ts is required'],
      [envelope({ type: 'reaction_added', user: 'U0X' }, { event_time: 'noon' }), 'event.event_ts is required'],
      [envelope({ type: 'reaction_added', event_ts: '1.0' }, { event_id: 'Ev 1' }), 'event_id is not a Slack id'],
      [{ type: 'app_rate_limited', team_id: TEAM, minute_rate_limited: 'soon' }, 'minute_rate_limited must be'],
    ];
    for (const [body, message] of cases) {
      let thrown: unknown;
      try {
        mapSlackRequest(body);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, message).toMatchObject({ code: 'invalid_input' });
      expect((thrown as Error).message, message).toContain(message);
    }
  });
});
