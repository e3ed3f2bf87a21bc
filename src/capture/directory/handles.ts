/**
 * IM handles as the directory stores them: `platform:handle`, with phone numbers in E.164 so that
 * `+852 9123 4567`, `00852-9123-4567` and `+85291234567` are one person. Message senders are
 * normalised the same way before they are looked up.
 */
import { PLATFORMS } from '../model.js';

/** Platforms whose handles are phone numbers. */
const PHONE_PLATFORMS = new Set(['whatsapp', 'signal', 'sms']);

export interface Handle {
  platform: string;
  handle: string;
}

/** A phone number in E.164 (`+85291234567`), or null when the text is not one. */
export function e164(text: string): string | null {
  const compact = text.replace(/[\s\u00a0\u202f().\-/]/g, '');
  const digits = compact.startsWith('+') ? compact.slice(1) : compact.startsWith('00') ? compact.slice(2) : null;
  if (digits === null || !/^[1-9]\d{6,14}$/.test(digits)) return null;
  return `+${digits}`;
}

/** The handle as the directory keys it: phone numbers in E.164; Telegram's `user123` as `123`. */
export function normaliseHandle(platform: string, handle: string): string {
  const trimmed = handle.trim();
  if (PHONE_PLATFORMS.has(platform)) return e164(trimmed) ?? trimmed;
  if (platform === 'telegram') return trimmed.replace(/^user(\d+)$/, '$1');
  return trimmed;
}

/** Parses `platform:handle`; an error message (not a throw) when it is not one. */
export function parseHandle(text: string): Handle | string {
  const at = text.indexOf(':');
  if (at <= 0) return `"${text}" is not platform:handle (e.g. whatsapp:+85291234567)`;
  const platform = text.slice(0, at).trim().toLowerCase();
  const raw = text.slice(at + 1).trim();
  if (!(PLATFORMS as readonly string[]).includes(platform)) {
    return `"${platform}" is not a platform (one of ${PLATFORMS.join(', ')})`;
  }
  if (raw === '' || raw.length > 512) return `the ${platform} handle must be 1 to 512 characters`;
  if (PHONE_PLATFORMS.has(platform) && e164(raw) === null) {
    return `"${raw}" is not a phone number in international form (e.g. +85291234567)`;
  }
  return { platform, handle: normaliseHandle(platform, raw) };
}

export const handleKey = (h: Handle) => `${h.platform}:${h.handle}`;
