/**
 * Slack files: a message event lists its files (`files`, or `message.files` in an edit), each with a
 * private URL on files.slack.com that is fetched with the bot token (scope files:read). The token goes
 * only to the allowed hosts: a URL elsewhere is refused before any request, and a redirect to another
 * origin is followed without the Authorization header (fetch drops it).
 */
import type { SlackConfig } from '../../../config/capture.js';
import { describeUrl, download } from '../../media/download.js';
import { LIMITS } from '../../model.js';
import type { MediaRef, MediaSource } from '../connector.js';
import { SLACK_CONNECTOR } from './map.js';

export const SLACK_FILE_HOSTS: readonly string[] = ['files.slack.com'];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** `text/html; charset=utf-8` → `text/html`. */
const mediaType = (v: unknown): string | null => str(str(v)?.split(';')[0]?.trim().toLowerCase()) ?? null;

export function slackMedia(config: SlackConfig, options: { allowedHosts?: readonly string[] } = {}): MediaSource {
  const allowedHosts = (options.allowedHosts ?? SLACK_FILE_HOSTS).map((h) => h.toLowerCase());
  return {
    connector: SLACK_CONNECTOR,
    mediaKeys: ['files'],
    refs(event: unknown): MediaRef[] {
      if (!isObject(event)) return [];
      const files = Array.isArray(event.files)
        ? event.files
        : isObject(event.message) && Array.isArray(event.message.files)
          ? event.message.files
          : [];
      const refs: MediaRef[] = [];
      for (const file of files.slice(0, LIMITS.attachments)) {
        if (!isObject(file)) continue;
        // Files Slack withholds (another workspace's, or over the plan's limits) come without a URL.
        const url = str(file.url_private_download) ?? str(file.url_private);
        if (url === undefined) continue;
        refs.push({
          id: url,
          filename: (str(file.name) ?? str(file.title) ?? null)?.slice(0, LIMITS.filename) ?? null,
          contentType: mediaType(file.mimetype),
        });
      }
      return refs;
    },
    async fetch(ref, _channel, { maxBytes, signal }) {
      if (config.botToken === null) {
        throw new Error('no Slack bot token is configured: files cannot be fetched');
      }
      const url = allowedUrl(ref.id, allowedHosts);
      const fetched = await download(url, {
        headers: { authorization: `Bearer ${config.botToken}` },
        maxBytes,
        signal,
      });
      const answered = mediaType(fetched.contentType);
      // Without access, Slack answers a file URL with its sign-in page (200, HTML), not an error.
      if (answered === 'text/html' && ref.contentType !== 'text/html') {
        throw new Error(
          `${describeUrl(url)}: Slack answered with a web page, not the file (does the bot token have files:read?)`,
        );
      }
      return {
        bytes: fetched.bytes,
        contentType: ref.contentType ?? answered ?? 'application/octet-stream',
        filename: ref.filename ?? (new URL(url).pathname.split('/').pop() || 'slack-file'),
      };
    },
  };
}

/** The URL, if it is one the bot token may be sent to: https on an allowed host (http only on loopback). */
function allowedUrl(id: string, allowedHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(id);
  } catch {
    throw new Error('the Slack file reference is not a URL');
  }
  const where = describeUrl(id);
  const host = url.hostname.toLowerCase();
  if (!allowedHosts.includes(host) && !allowedHosts.includes(url.host.toLowerCase())) {
    throw new Error(`${where}: not a Slack file host (${allowedHosts.join(', ')}): the bot token is not sent there`);
  }
  if (url.username !== '' || url.password !== '') throw new Error(`${where}: a file URL with credentials is refused`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(host))) {
    throw new Error(`${where}: a Slack file URL must be https`);
  }
  return url.href;
}
