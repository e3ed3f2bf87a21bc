/**
 * WhatsApp media: a message names its media by id; the Graph API turns the id into a short-lived URL
 * (GET <graph>/<media id>), and the bytes are fetched from that URL with the same access token.
 */
import type { WhatsAppConfig } from '../../../config/capture.js';
import { download, downloadJson } from '../../media/download.js';
import type { MediaRef, MediaSource } from '../connector.js';
import { WHATSAPP_CONNECTOR } from './map.js';

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
const MEDIA_ID = /^[A-Za-z0-9_.-]{1,128}$/;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'application/pdf': 'pdf',
};

export function whatsappMedia(config: WhatsAppConfig): MediaSource {
  return {
    connector: WHATSAPP_CONNECTOR,
    mediaKeys: MEDIA_TYPES,
    refs(event: unknown): MediaRef[] {
      if (typeof event !== 'object' || event === null) return [];
      const m = event as Record<string, unknown>;
      const type = MEDIA_TYPES.find((t) => t === m.type);
      if (type === undefined) return [];
      const part = m[type] as Record<string, unknown> | undefined;
      const id = part?.id;
      if (typeof id !== 'string' || !MEDIA_ID.test(id)) return [];
      const contentType = typeof part?.mime_type === 'string' ? part.mime_type.split(';')[0]!.trim() : null;
      const filename =
        typeof part?.filename === 'string' && part.filename !== ''
          ? part.filename
          : `${type}-${id}.${EXTENSIONS[contentType ?? ''] ?? 'bin'}`;
      return [{ id, filename, contentType }];
    },
    async fetch(ref, _channel, options) {
      if (config.accessToken === null) {
        throw new Error('no WhatsApp access token is configured: media cannot be fetched');
      }
      if (!MEDIA_ID.test(ref.id)) throw new Error('the media id is not one the Graph API issues');
      const auth = { authorization: `Bearer ${config.accessToken}` };
      const info = await downloadJson(`${config.graphBaseUrl}/${encodeURIComponent(ref.id)}`, {
        headers: auth,
        signal: options.signal,
      });
      const url = (info as { url?: unknown } | null)?.url;
      if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
        throw new Error('the Graph API did not give a download URL for the media');
      }
      const fetched = await download(url, { headers: auth, maxBytes: options.maxBytes, signal: options.signal });
      const mime = (info as { mime_type?: unknown }).mime_type;
      return {
        bytes: fetched.bytes,
        contentType:
          ref.contentType ?? (typeof mime === 'string' ? mime : (fetched.contentType ?? 'application/octet-stream')),
        filename: ref.filename ?? `media-${ref.id}`,
      };
    },
  };
}
