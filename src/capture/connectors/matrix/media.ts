/**
 * Matrix media: a message names its file by an `mxc://<server name>/<media id>` URI, downloaded from
 * our homeserver (which fetches it over federation when another server holds it):
 * - authenticated media (spec v1.11): GET /_matrix/client/v1/media/download/{server}/{id}, with the
 *   appservice's as_token;
 * - a homeserver older than that answers it 404 and serves the unauthenticated
 *   GET /_matrix/media/v3/download/{server}/{id} instead.
 */
import type { MatrixConfig } from '../../../config/capture.js';
import { download } from '../../media/download.js';
import { LIMITS } from '../../model.js';
import type { MediaRef, MediaSource } from '../connector.js';
import { MATRIX_CONNECTOR } from './map.js';

const FILE_MSGTYPES = new Set(['m.image', 'm.file', 'm.video', 'm.audio']);
/**
 * A server name (Matrix spec, "Server name"): a DNS name, an IPv4 address or a bracketed IPv6 address,
 * with an optional port. Labels may not be empty, so no `..` can reach the download URL's path.
 */
const SERVER_NAME = /^(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** An mxc URI's parts, or null for anything else (another scheme, a path, characters a server never issues). */
export function parseMxc(uri: string): { server: string; mediaId: string } | null {
  if (!uri.startsWith('mxc://') || uri.length > 512) return null;
  const parts = uri.slice('mxc://'.length).split('/');
  if (parts.length !== 2) return null;
  const [server, mediaId] = parts as [string, string];
  if (server.length > 255 || !SERVER_NAME.test(server) || !MEDIA_ID.test(mediaId)) return null;
  return { server, mediaId };
}

/** The content that holds the file: an edit's replacement content, or the event's own. */
function fileContent(event: Json): Json | null {
  const content = isObject(event.content) ? event.content : {};
  const relatesTo = isObject(content['m.relates_to']) ? content['m.relates_to'] : {};
  if (relatesTo.rel_type === 'm.replace') {
    return isObject(content['m.new_content']) ? content['m.new_content'] : null;
  }
  return content;
}

export function matrixMedia(config: MatrixConfig): MediaSource {
  return {
    connector: MATRIX_CONNECTOR,
    mediaKeys: ['url'],
    refs(event: unknown): MediaRef[] {
      if (!isObject(event) || typeof event.state_key === 'string') return [];
      const content = fileContent(event);
      if (content === null) return [];
      const msgtype = str(content.msgtype);
      const isFile = event.type === 'm.room.message' && msgtype !== undefined && FILE_MSGTYPES.has(msgtype);
      if (!isFile && event.type !== 'm.sticker') return [];
      // An encrypted file (`file` instead of `url`) appears only in a decrypted event of an encrypted
      // room, which the appservice never sees; its bytes are ciphertext this connector cannot decrypt.
      if (content.file !== undefined) return [];
      const url = str(content.url);
      if (url === undefined || parseMxc(url) === null) return [];
      const info = isObject(content.info) ? content.info : {};
      const mimetype = str(info.mimetype)?.split(';')[0]?.trim().slice(0, 255);
      const filename = (str(content.filename) ?? str(content.body))?.slice(0, LIMITS.filename);
      return [{ id: url, filename: filename ?? null, contentType: mimetype || null }];
    },
    async fetch(ref, _channel, options) {
      if (config.homeserverUrl === null) {
        throw new Error('no Matrix homeserverUrl is configured: media cannot be fetched');
      }
      if (config.asToken === null) {
        throw new Error('no Matrix asToken is configured: media cannot be fetched');
      }
      const mxc = parseMxc(ref.id);
      if (mxc === null) throw new Error('the media URI is not an mxc://<server name>/<media id> URI: refused');
      const path = `${mxc.server}/${mxc.mediaId}`;
      let fetched: Awaited<ReturnType<typeof download>>;
      try {
        fetched = await download(`${config.homeserverUrl}/_matrix/client/v1/media/download/${path}`, {
          headers: { authorization: `Bearer ${config.asToken}` },
          maxBytes: options.maxBytes,
          signal: options.signal,
        });
      } catch (error) {
        // download() names the status at the end of its message; only a 404 means "not supported here".
        if (!/: HTTP 404$/.test((error as Error).message)) throw error;
        fetched = await download(`${config.homeserverUrl}/_matrix/media/v3/download/${path}`, {
          maxBytes: options.maxBytes,
          signal: options.signal,
        });
      }
      return {
        bytes: fetched.bytes,
        contentType: ref.contentType ?? fetched.contentType ?? 'application/octet-stream',
        filename: ref.filename ?? `matrix-${mxc.mediaId}`,
      };
    },
  };
}
