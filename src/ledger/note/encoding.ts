/**
 * Strict text and base64 checks shared by signed notes and checkpoints (C2SP signed-note v1.0.0,
 * "Format"; tlog-checkpoint v1.0.0, "Note text").
 */

/** RFC 4648 §4 standard base64 with padding, as both specs require. */
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A UTF-16 surrogate that is not part of a pair: a string holding one has no UTF-8 encoding. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Unicode spaces (Go's unicode.IsSpace, which also counts U+0085 NEL) and plus: not allowed in key names. */
const KEY_NAME_FORBIDDEN = /[\s\u0085+]/u;
/** The first code point that is not an ASCII control character. */
const FIRST_NON_CONTROL = 0x20;
const NEWLINE = 0x0a;

/**
 * Decodes canonical standard base64: only the RFC 4648 §4 alphabet, correct padding, and zero unused
 * bits (so each byte string has exactly one accepted encoding). Returns null for anything else;
 * Buffer.from(text, 'base64') alone would silently skip invalid characters.
 */
export function decodeBase64Strict(text: string): Buffer | null {
  if (typeof text !== 'string' || !BASE64_PATTERN.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** The offset of the first ASCII control character other than newline, or -1 (signed-note "Format"). */
export function findControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < FIRST_NON_CONTROL && code !== NEWLINE) return i;
  }
  return -1;
}

/**
 * C2SP signed-note "Format": key names MUST be non-empty and MUST NOT contain Unicode spaces or plus
 * (U+002B). Control characters and unpaired surrogates are refused too, since no valid note holds them.
 */
export function isValidKeyName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !KEY_NAME_FORBIDDEN.test(name) &&
    findControlCharacter(name) < 0 &&
    !hasLoneSurrogate(name)
  );
}

/** A key ID as the 8 lowercase hex digits used in verifier keys and messages. */
export function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}
