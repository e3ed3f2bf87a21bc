import { describe, expect, it } from 'vitest';
import type { StenoError } from '../../../core/errors.js';
import { ingestMessageSchema } from '../../model.js';
import { ENCRYPTED_TEXT, MAX_TRANSACTION_EVENTS, mapMatrixTransaction, matrixChannel } from './map.js';

const CHANNEL = 'matrix:matrix.example.org';
const ROOM = '!desk:example.org';
let counter = 0;
const event = (fields: Record<string, unknown>) => ({
  type: 'm.room.message',
  room_id: ROOM,
  event_id: `$event${++counter}`,
  sender: '@alice:example.org',
  origin_server_ts: 1778560200000,
  content: { msgtype: 'm.text', body: 'hello' },
  ...fields,
});
const mapOne = (fields: Record<string, unknown>) => {
  const [message] = mapMatrixTransaction({ events: [event(fields)] }, CHANNEL);
  // Every mapped event must be a valid ingest message.
  expect(ingestMessageSchema.safeParse(message).success).toBe(true);
  return message!;
};
const refusal = (payload: unknown): StenoError => {
  try {
    mapMatrixTransaction(payload, CHANNEL);
  } catch (error) {
    return error as StenoError;
  }
  throw new Error('expected the transaction to be refused');
};

describe('Matrix transactions', () => {
  it('maps a text message to a message of its room, keeping the event as raw', () => {
    const source = event({ event_id: '$text1', unsigned: { age: 12 } });
    expect(mapMatrixTransaction({ events: [source], ephemeral: [{ type: 'm.typing' }] }, CHANNEL)).toEqual([
      {
        platform: 'matrix',
        conversationId: ROOM,
        sender: '@alice:example.org',
        sentAt: '2026-05-12T04:30:00.000Z',
        kind: 'message',
        platformMessageId: '$text1',
        text: 'hello',
        raw: { connector: 'matrix', channel: CHANNEL, event: source },
      },
    ]);
  });

  it("keeps a file's body (its filename or caption) as the text", () => {
    const m = mapOne({ content: { msgtype: 'm.image', body: 'chart.png', url: 'mxc://example.org/abc' } });
    expect(m).toMatchObject({ kind: 'message', text: 'chart.png' });
  });

  it("maps an edit to the replacement's text, or the fallback body without its '* '", () => {
    const relates = { rel_type: 'm.replace', event_id: '$orig' };
    expect(
      mapOne({
        content: { body: '* new', 'm.new_content': { body: 'newer' }, 'm.relates_to': relates },
      }),
    ).toMatchObject({ kind: 'edit', refersTo: '$orig', text: 'newer' });
    expect(mapOne({ content: { body: '* fixed typo', 'm.relates_to': relates } })).toMatchObject({
      kind: 'edit',
      text: 'fixed typo',
    });
    // An m.replace that names no event cannot be an edit of anything: kept as a message.
    expect(mapOne({ content: { body: '* x', 'm.relates_to': { rel_type: 'm.replace' } } })).toMatchObject({
      kind: 'message',
      text: '* x',
    });
  });

  it('points a reply, and a thread message, at the event it answers', () => {
    expect(
      mapOne({ content: { body: 'done', 'm.relates_to': { 'm.in_reply_to': { event_id: '$asked' } } } }),
    ).toMatchObject({ kind: 'message', refersTo: '$asked', text: 'done' });
    expect(
      mapOne({ content: { body: 'in thread', 'm.relates_to': { rel_type: 'm.thread', event_id: '$root' } } }),
    ).toMatchObject({ kind: 'message', refersTo: '$root' });
  });

  it('maps a redaction to a delete, from the top level or (room v11) the content', () => {
    expect(mapOne({ type: 'm.room.redaction', redacts: '$gone', content: { reason: 'wrong room' } })).toMatchObject({
      kind: 'delete',
      refersTo: '$gone',
      text: 'wrong room',
    });
    const v11 = mapOne({ type: 'm.room.redaction', content: { redacts: '$gone2' } });
    expect(v11).toMatchObject({ kind: 'delete', refersTo: '$gone2' });
    expect(v11.text).toBeUndefined();
    expect(mapOne({ type: 'm.room.redaction', content: {} })).toMatchObject({ kind: 'system' });
  });

  it('records an encrypted event as unreadable', () => {
    expect(
      mapOne({ type: 'm.room.encrypted', content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' } }),
    ).toMatchObject({ kind: 'system', text: ENCRYPTED_TEXT });
  });

  it('describes state events and unknown types in a short line', () => {
    const member = (content: Record<string, unknown>, sender = '@bob:example.org') =>
      mapOne({ type: 'm.room.member', sender, state_key: '@bob:example.org', content }).text;
    expect(member({ membership: 'join' })).toBe('@bob:example.org joined');
    expect(member({ membership: 'join', displayname: 'Bob' })).toBe('@bob:example.org joined as Bob');
    expect(member({ membership: 'leave' })).toBe('@bob:example.org left');
    expect(member({ membership: 'leave', reason: 'spam' }, '@mod:example.org')).toBe(
      '@mod:example.org removed @bob:example.org (spam)',
    );
    expect(member({ membership: 'invite' }, '@alice:example.org')).toBe('@alice:example.org invited @bob:example.org');
    expect(member({ membership: 'ban' }, '@mod:example.org')).toBe('@mod:example.org banned @bob:example.org');

    const named = mapOne({ type: 'm.room.name', state_key: '', content: { name: 'HK desk' } });
    expect(named).toMatchObject({ kind: 'system', conversationTitle: 'HK desk' });
    expect(named.text).toBe('@alice:example.org named the room "HK desk"');
    expect(mapOne({ type: 'm.room.topic', state_key: '', content: { topic: 'orders only' } }).text).toBe(
      '@alice:example.org set the topic: orders only',
    );
    expect(mapOne({ type: 'm.room.power_levels', state_key: '', content: {} }).text).toBe(
      '@alice:example.org set m.room.power_levels',
    );
    expect(
      mapOne({
        type: 'm.reaction',
        content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$liked', key: '👍' } },
      }),
    ).toMatchObject({ kind: 'system', refersTo: '$liked', text: '@alice:example.org reacted 👍' });
    expect(mapOne({ type: 'org.example.custom', content: {} })).toMatchObject({
      kind: 'system',
      text: '[org.example.custom event]',
    });
    // A state event of a message type is state, not a message.
    expect(mapOne({ type: 'm.room.message', state_key: 'x' }).kind).toBe('system');
  });

  it('accepts an empty transaction (one of only ephemeral events)', () => {
    expect(mapMatrixTransaction({ events: [], ephemeral: [{ type: 'm.receipt' }] }, CHANNEL)).toEqual([]);
  });

  it('refuses the whole transaction when an event lacks a required field, naming its index', () => {
    const error = refusal({
      events: [event({}), event({ origin_server_ts: 'yesterday' }), event({ room_id: undefined }), 'junk'],
    });
    expect(error.code).toBe('invalid_input');
    expect(error.problems.map((p) => p.where)).toEqual([
      'events[1].origin_server_ts',
      'events[2].room_id',
      'events[3]',
    ]);
    expect(error.message).toContain('events[1].origin_server_ts');
    for (const field of ['event_id', 'sender']) {
      expect(refusal({ events: [event({ [field]: '' })] }).problems[0]!.where).toBe(`events[0].${field}`);
    }
  });

  it('refuses a body that is not a transaction, and one with too many events', () => {
    expect(refusal({ event: [] }).code).toBe('invalid_input');
    expect(refusal([]).code).toBe('invalid_input');
    const many = Array.from({ length: MAX_TRANSACTION_EVENTS + 1 }, () => event({}));
    expect(refusal({ events: many }).code).toBe('too_large');
    expect(mapMatrixTransaction({ events: many.slice(1) }, CHANNEL)).toHaveLength(MAX_TRANSACTION_EVENTS);
  });
});

describe('Matrix channels', () => {
  it('are named by the homeserver host', () => {
    expect(matrixChannel('https://matrix.example.org')).toBe('matrix:matrix.example.org');
    expect(matrixChannel('http://127.0.0.1:8008')).toBe('matrix:127.0.0.1:8008');
    expect(matrixChannel(null)).toBe('matrix:homeserver');
  });
});
