/**
 * Telegram files: a message names each file by file_id; the Bot API's getFile turns it into a path
 * (GET <api>/bot<token>/getFile?file_id=…), and the bytes are at <api>/file/bot<token>/<path>. The bot's
 * token travels in the URL's path, so every error describes URLs with describeUrl, which hides it.
 * getFile serves files of up to 20 MB; a larger one fails with the Bot API's own error.
 */
import type { TelegramBotConfig } from '../../../config/capture.js';
import { describeUrl, download, downloadJson } from '../../media/download.js';
import type { FetchedMedia, MediaRef, MediaSource } from '../connector.js';
import { TELEGRAM_CONNECTOR } from './map.js';

/** file_ids are URL-safe base64. */
const FILE_ID = /^[A-Za-z0-9_-]{1,512}$/;
/** What Telegram issues (`123456:AA…`); anything else could escape the URL's path. */
const BOT_TOKEN = /^[A-Za-z0-9:_-]+$/;
const MAX_FILENAME = 255;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'application/pdf': 'pdf',
  'application/x-tgsticker': 'tgs',
};

/** The file fields of a Message, in the order their files are listed. */
const FILE_FIELDS = ['photo', 'animation', 'document', 'video', 'audio', 'voice', 'video_note', 'sticker'] as const;
type FileField = (typeof FILE_FIELDS)[number];

/** Each field's type when Telegram gives no mime_type (photos are always JPEG, stickers WebP unless animated). */
function defaultContentType(field: FileField, file: Json): string | null {
  switch (field) {
    case 'photo':
      return 'image/jpeg';
    case 'sticker':
      return file.is_animated === true
        ? 'application/x-tgsticker'
        : file.is_video === true
          ? 'video/webm'
          : 'image/webp';
    case 'video_note':
      return 'video/mp4';
    case 'voice':
      return 'audio/ogg';
    default:
      return null;
  }
}

function refFor(field: FileField, file: Json): MediaRef | undefined {
  const id = str(file.file_id);
  if (id === undefined || !FILE_ID.test(id)) return undefined;
  const mime = str(str(file.mime_type)?.split(';')[0]?.trim());
  const contentType = field === 'photo' ? 'image/jpeg' : (mime ?? defaultContentType(field, file));
  const unique = str(file.file_unique_id)?.replace(/[^A-Za-z0-9_-]/g, '') || id.slice(0, 32);
  const given = field === 'document' || field === 'audio' || field === 'video' || field === 'animation';
  const named = given ? str(file.file_name) : undefined;
  const filename =
    named !== undefined
      ? named.slice(0, MAX_FILENAME)
      : `${field.replace('_', '-')}-${unique}.${EXTENSIONS[contentType ?? ''] ?? 'bin'}`;
  return { id, filename, contentType };
}

/** The largest of a photo's sizes: Telegram lists several renderings of one picture, smallest first. */
function largestPhoto(sizes: unknown): Json | undefined {
  if (!Array.isArray(sizes)) return undefined;
  let best: Json | undefined;
  let bestArea = -1;
  for (const size of sizes) {
    if (!isObject(size)) continue;
    const area =
      (typeof size.width === 'number' ? size.width : 0) * (typeof size.height === 'number' ? size.height : 0);
    if (area >= bestArea) {
      best = size;
      bestArea = area;
    }
  }
  return best;
}

/** The files a Message carries; [] for any other event. Pure. */
export function telegramRefs(event: unknown): MediaRef[] {
  if (!isObject(event)) return [];
  const refs: MediaRef[] = [];
  for (const field of FILE_FIELDS) {
    const file = field === 'photo' ? largestPhoto(event.photo) : event[field];
    if (!isObject(file)) continue;
    const ref = refFor(field, file);
    // An animation also appears as a document (for older clients): the same file, listed once.
    if (ref !== undefined && !refs.some((r) => r.id === ref.id)) refs.push(ref);
  }
  return refs;
}

/** The bot a channel (`telegram:<bot>`) is captured through. */
function botOf(channel: string): string {
  return channel.startsWith(`${TELEGRAM_CONNECTOR}:`) ? channel.slice(TELEGRAM_CONNECTOR.length + 1) : '';
}

export function telegramMedia(config: Record<string, TelegramBotConfig>): MediaSource {
  return {
    connector: TELEGRAM_CONNECTOR,
    mediaKeys: FILE_FIELDS,
    refs: telegramRefs,
    async fetch(ref, channel, options) {
      const bot = botOf(channel);
      const settings = Object.hasOwn(config, bot) ? config[bot] : undefined;
      if (settings === undefined) throw new Error(`no Telegram bot "${bot.slice(0, 64)}" is configured`);
      const token = settings.botToken;
      if (token === null) throw new Error(`no bot token is configured for ${bot}: files cannot be fetched`);
      try {
        return await fetchFile({ ref, bot, token, apiBaseUrl: settings.apiBaseUrl, options });
      } catch (error) {
        // describeUrl hides the token; this also covers an apiBaseUrl whose own path defeats it.
        throw new Error((error as Error).message.replaceAll(token, '…'));
      }
    },
  };
}

async function fetchFile(input: {
  ref: MediaRef;
  bot: string;
  token: string;
  apiBaseUrl: string;
  options: { maxBytes: number; signal: AbortSignal };
}): Promise<FetchedMedia> {
  const { ref, token, apiBaseUrl, options } = input;
  if (!BOT_TOKEN.test(token)) throw new Error(`the bot token configured for ${input.bot} is not in Telegram's form`);
  if (!FILE_ID.test(ref.id)) throw new Error('the file_id is not one the Bot API issues');
  const getFile = `${apiBaseUrl}/bot${token}/getFile?file_id=${encodeURIComponent(ref.id)}`;
  const answer = await downloadJson(getFile, { signal: options.signal });
  const result = isObject(answer) && answer.ok === true && isObject(answer.result) ? answer.result : undefined;
  const path = str(result?.file_path);
  if (path === undefined) throw new Error(`${describeUrl(getFile)}: the answer has no file_path`);
  // A Bot API server in --local mode answers with a path on its own disk, not one to download.
  if (path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`${describeUrl(getFile)}: the file_path is not a relative path to download`);
  }
  const size = result?.file_size;
  if (typeof size === 'number' && size > options.maxBytes) {
    throw new Error(`${describeUrl(getFile)}: ${size} bytes is over the attachment limit of ${options.maxBytes}`);
  }
  const fileUrl = `${apiBaseUrl}/file/bot${token}/${path.split('/').map(encodeURIComponent).join('/')}`;
  const fetched = await download(fileUrl, { maxBytes: options.maxBytes, signal: options.signal });
  return {
    bytes: fetched.bytes,
    contentType: ref.contentType ?? fetched.contentType ?? 'application/octet-stream',
    filename: ref.filename ?? path.split('/').pop() ?? `file-${ref.id.slice(0, 32)}`,
  };
}
