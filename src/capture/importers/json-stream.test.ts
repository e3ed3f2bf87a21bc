import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStenoError } from '../../core/errors.js';
import { JsonPicker } from './json-stream.js';

const MESSAGES = (p: string) => /^\$(\.chats\.list\[\])?\.messages\[\]$/.test(p);
const CHAT_FIELDS = (p: string) => /^\$(\.chats\.list\[\])?\.(name|id|type)$/.test(p);

/** Feeds the text in pieces of the given sizes, as a stream would. */
function pickAll(text: string, cuts: number[] = []) {
  const picker = new JsonPicker(MESSAGES, CHAT_FIELDS, 'result.json');
  const out = [];
  let at = 0;
  for (const size of [...cuts, text.length]) {
    out.push(...picker.push(text.slice(at, at + size)));
    at += size;
    if (at >= text.length) break;
  }
  picker.end();
  return out.map((p) => ({ value: p.value, chat: Object.fromEntries(p.scalars) }));
}

const full = JSON.stringify({
  about: 'x',
  chats: {
    list: [
      {
        name: 'Desk',
        type: 'private_group',
        id: 42,
        messages: [
          { id: 1, text: 'a' },
          { id: 2, text: ['b', { type: 'bold', text: 'c' }] },
        ],
      },
      { id: 7, messages: [{ id: 3, text: 'd "quoted" }' }] },
    ],
  },
});

describe('streaming JSON picker', () => {
  it('returns each picked value with the scalars of its chat, however the text is cut', () => {
    const expected = [
      {
        value: { id: 1, text: 'a' },
        chat: { '$.chats.list[].name': 'Desk', '$.chats.list[].type': 'private_group', '$.chats.list[].id': 42 },
      },
      {
        value: { id: 2, text: ['b', { type: 'bold', text: 'c' }] },
        chat: { '$.chats.list[].name': 'Desk', '$.chats.list[].type': 'private_group', '$.chats.list[].id': 42 },
      },
      { value: { id: 3, text: 'd "quoted" }' }, chat: { '$.chats.list[].id': 7 } },
    ];
    expect(pickAll(full)).toEqual(expected);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 30 }), (cuts) => {
        expect(pickAll(full, cuts)).toEqual(expected);
      }),
    );
  });

  it('reads the \\xNN escapes some Telegram exports contain', () => {
    expect(pickAll('{"messages":[{"text":"tab\\x09end \\\\x41"}]}')[0]!.value).toEqual({ text: 'tab\tend \\x41' });
  });

  it('refuses truncated and malformed JSON with the character offset', () => {
    expect(() => pickAll(full.slice(0, 120))).toThrow(
      /result\.json: not valid JSON: the document is truncated at character 120/,
    );
    expect(() => pickAll('{"messages": [} ')).toThrow(/an unexpected } at character 14/);
    expect(() => pickAll('{"messages": [{"id": 1,}]}')).toThrow(/not valid JSON/);
    expect(() => pickAll('')).toThrow(/no JSON object or array/);
    expect(() => pickAll('{} {}')).toThrow(/text after the end/);
  });

  it('throws nothing but its own error, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'{}[]":,\\ax01 '), maxLength: 40 }), (text) => {
        try {
          pickAll(text);
        } catch (error) {
          expect(isStenoError(error)).toBe(true);
        }
      }),
    );
  });
});
