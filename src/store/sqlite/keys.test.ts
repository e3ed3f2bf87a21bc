import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationToken, participantToken } from './keys.js';

const expected = (prefix: string, value: string) =>
  prefix + createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 16);

describe('key tokens', () => {
  it('are the first 64 bits of the SHA-256 of the value, before and after the cache fills', () => {
    expect(conversationToken('conv-1')).toBe(expected('c', 'conv-1'));
    expect(participantToken('+85290000001')).toBe(expected('p', '+85290000001'));
    for (let i = 0; i < 40_000; i++) participantToken(`handle-${i}`);
    expect(participantToken('handle-3')).toBe(expected('p', 'handle-3'));
    expect(participantToken('騰訊')).toBe(expected('p', '騰訊'));
    expect(conversationToken('conv-1')).toBe(expected('c', 'conv-1'));
  });

  it('keep conversations and participants apart', () => {
    expect(conversationToken('same')).not.toBe(participantToken('same'));
  });
});
