import { describe, expect, it } from 'vitest';
import { captureSubject, describeServers, subjectRoot } from './connection.js';

describe('capture subjects', () => {
  const root = subjectRoot('STENO_CAPTURE');

  it('puts each part of a channel in its own token under the stream’s root', () => {
    expect(root).toBe('steno.capture.STENO_CAPTURE');
    expect(captureSubject(root, 'whatsapp:1098765432')).toBe('steno.capture.STENO_CAPTURE.whatsapp.1098765432');
    expect(captureSubject(root, 'webhook:crm')).toBe('steno.capture.STENO_CAPTURE.webhook.crm');
  });

  it('never lets a channel add wildcards, empty tokens or spaces', () => {
    expect(captureSubject(root, 'matrix:matrix.example.org')).toBe(
      'steno.capture.STENO_CAPTURE.matrix.matrix_example_org',
    );
    expect(captureSubject(root, 'x:*:>')).toBe('steno.capture.STENO_CAPTURE.x._._');
    expect(captureSubject(root, 'telegram::desk 1')).toBe('steno.capture.STENO_CAPTURE.telegram._.desk_1');
    expect(captureSubject(root, '')).toBe('steno.capture.STENO_CAPTURE._');
    const long = captureSubject(root, `slack:${'T'.repeat(500)}:a:b:c:d`);
    expect(long.split('.').every((token) => token.length > 0 && token.length <= 64)).toBe(true);
    expect(long.split('.')).toHaveLength(3 + 4);
  });

  it('prints servers without their credentials', () => {
    expect(describeServers(['nats://user:secret@10.0.0.1:4222', 'nats://127.0.0.1:4222'])).toBe(
      'nats://10.0.0.1:4222,nats://127.0.0.1:4222',
    );
  });
});
