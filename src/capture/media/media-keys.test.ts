import { describe, expect, it } from 'vitest';
import { parseCaptureConfig } from '../../config/capture.js';
import { canonicalBytes } from '../../core/canonical-json.js';
import type { MediaSource } from '../connectors/connector.js';
import { mediaSources } from './sources.js';

// The fetcher passes over a message whose stored event holds none of its source's media keys, so a
// key missing from the list would lose that media without a trace: every kind of media is checked.
const sources = mediaSources(
  parseCaptureConfig(
    {
      whatsapp: { appSecrets: ['an app secret, 16+'], verifyTokens: ['a verify token'] },
      telegram: { desk: { secretTokens: ['a_telegram_secret_token'] } },
      slack: { signingSecrets: ['a signing secret, 16+'] },
      matrix: { hsTokens: ['a homeserver token, 16+'] },
    },
    'test',
  ),
);
const source = (connector: string): MediaSource => sources.find((s) => s.connector === connector)!;

/** What the fetcher looks for: a key as the stored (canonical JSON) event writes it. */
function marked(s: MediaSource, event: unknown): boolean {
  const stored = canonicalBytes({ raw: { connector: s.connector, channel: 'c', event } });
  return s.mediaKeys.some((key) => stored.includes(`${JSON.stringify(key)}:`));
}

function expectMarkedMedia(s: MediaSource, event: unknown): void {
  expect(s.refs(event).length, JSON.stringify(event)).toBeGreaterThan(0);
  expect(marked(s, event), JSON.stringify(event)).toBe(true);
}

describe('media keys', () => {
  it('cover every WhatsApp media type', () => {
    for (const type of ['image', 'video', 'audio', 'document', 'sticker']) {
      expectMarkedMedia(source('whatsapp'), { from: '1', id: 'wamid.1', type, [type]: { id: 'm1' } });
    }
    expect(marked(source('whatsapp'), { type: 'text', text: { body: '"image": {"id": "x"}' } })).toBe(false);
  });

  it('cover every Telegram file field', () => {
    const file = { file_id: 'AgAD1', file_unique_id: 'u1' };
    expectMarkedMedia(source('telegram'), { message_id: 1, photo: [{ ...file, width: 1, height: 1 }] });
    for (const field of ['animation', 'document', 'video', 'audio', 'voice', 'video_note', 'sticker']) {
      expectMarkedMedia(source('telegram'), { message_id: 1, [field]: file });
    }
  });

  it("cover Slack files, an edited message's included", () => {
    const file = { url_private: 'https://files.slack.com/files-pri/T1-F1/a.pdf', name: 'a.pdf' };
    expectMarkedMedia(source('slack'), { type: 'message', files: [file] });
    expectMarkedMedia(source('slack'), { type: 'message', subtype: 'message_changed', message: { files: [file] } });
  });

  it("cover Matrix files and stickers, an edit's replacement included", () => {
    const room = (content: unknown, type = 'm.room.message') => ({ type, event_id: '$e', sender: '@a:x', content });
    for (const msgtype of ['m.image', 'm.file', 'm.video', 'm.audio']) {
      expectMarkedMedia(source('matrix'), room({ msgtype, body: 'f', url: 'mxc://example.org/f1' }));
    }
    expectMarkedMedia(source('matrix'), room({ body: 's', url: 'mxc://example.org/s1' }, 'm.sticker'));
    expectMarkedMedia(
      source('matrix'),
      room({
        msgtype: 'm.image',
        body: '* new',
        'm.new_content': { msgtype: 'm.image', body: 'new', url: 'mxc://example.org/e1' },
        'm.relates_to': { rel_type: 'm.replace', event_id: '$o' },
      }),
    );
  });
});
