/**
 * C2SP signed-note v1.0.0 with Ed25519 keys (https://c2sp.org/signed-note@v1.0.0), compatible with
 * golang.org/x/mod/sumdb/note:
 *
 *     <text, ending in a newline>
 *     <one blank line>
 *     — <key name> base64(key ID (4 bytes, big-endian) || signature)
 *     ...
 *
 * Every note handed to openNote is treated as hostile: size, encoding, characters, line syntax and
 * base64 are checked strictly and every failure is a StenoError with a clear message.
 */
import {
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  KeyObject,
} from 'node:crypto';
import { StenoError } from '../../core/errors.js';
import { sha256 } from '../../core/hash.js';
import { decodeBase64Strict, findControlCharacter, hasLoneSurrogate, isValidKeyName, keyIdHex } from './encoding.js';

export { isValidKeyName } from './encoding.js';

/** Notes larger than this are refused before parsing (signed-note "Format": verifiers SHOULD limit size). */
export const MAX_NOTE_BYTES = 1024 * 1024;
/** At most this many signature lines (the spec requires accepting at least 16; Go's note package allows 100). */
export const MAX_NOTE_SIGNATURES = 100;
/** Signature lines start with an em dash (U+2014) and a space. */
export const SIGNATURE_LINE_PREFIX = '\u2014 ';
/** The blank line between the text (which ends in a newline) and the signatures. */
const TEXT_SIGNATURE_SEPARATOR = '\n\n';
/** signed-note "Signature types": 0x01 is Ed25519. */
export const ED25519_SIGNATURE_TYPE = 0x01;
/** The key ID is the first 4 bytes of a SHA-256 hash, stored big-endian before each signature. */
export const KEY_ID_SIZE = 4;
export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;
/** signed-note "Signatures": the key ID hash input puts a newline (0x0A) between name and key. */
const KEY_ID_NAME_TERMINATOR = 0x0a;
/** Verifier key strings longer than this are refused before parsing (real ones are under 300 characters). */
const MAX_VERIFIER_KEY_LENGTH = 1024;

export interface NoteSigner {
  readonly name: string;
  /** uint32 key ID, see ed25519KeyId. */
  readonly keyId: number;
  sign(message: Uint8Array): Buffer;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** An Ed25519 signer; it can also verify its own signatures, so it serves as a verifier too. */
export interface Ed25519NoteSigner extends NoteSigner, NoteVerifier {
  /** The raw 32-byte public key. */
  readonly publicKey: Buffer;
  /** `name+<8 hex key ID>+<base64(0x01 || public key)>`, for verifiers. */
  readonly verifierKey: string;
}

export interface Ed25519NoteVerifier extends NoteVerifier {
  readonly publicKey: Buffer;
  readonly verifierKey: string;
}

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  keyId: number;
  /** The line's base64 field: base64(key ID || signature). */
  base64: string;
}

export interface ParsedSignature extends NoteSignature {
  /** The signature bytes after the key ID. */
  signature: Buffer;
}

export interface ParsedNote {
  text: string;
  signatures: ParsedSignature[];
}

export interface OpenedNote {
  /** The signed text, including its final newline. */
  text: string;
  /** Names of the keys whose signatures verified, each once, in note order. */
  verifiedBy: string[];
  verified: NoteSignature[];
  /** Signatures by keys the caller did not supply (ignored, as the spec requires), without duplicates. */
  unverified: NoteSignature[];
}

function invalid(message: string): StenoError {
  return new StenoError('invalid_input', message);
}

/** signed-note "Ed25519 signatures": key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]. */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  if (!isValidKeyName(name)) throw invalid(`invalid note key name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_SIZE) {
    throw invalid(`an Ed25519 public key is ${ED25519_PUBLIC_KEY_SIZE} bytes`);
  }
  const digest = sha256(
    Buffer.from(name, 'utf8'),
    Uint8Array.of(KEY_ID_NAME_TERMINATOR, ED25519_SIGNATURE_TYPE),
    publicKey,
  );
  return digest.readUInt32BE(0);
}

function isEd25519Key(key: unknown, type: 'public' | 'private'): key is KeyObject {
  return key instanceof KeyObject && key.type === type && key.asymmetricKeyType === 'ed25519';
}

function rawPublicKey(key: KeyObject): Buffer {
  const { x } = key.export({ format: 'jwk' });
  const raw = typeof x === 'string' ? Buffer.from(x, 'base64url') : Buffer.alloc(0);
  if (raw.length !== ED25519_PUBLIC_KEY_SIZE) throw invalid('cannot read the Ed25519 public key');
  return raw;
}

function importPublicKey(raw: Uint8Array): KeyObject {
  try {
    const x = Buffer.from(raw).toString('base64url');
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch (error) {
    throw new StenoError('invalid_input', 'not a usable Ed25519 public key', { cause: error });
  }
}

/** A fresh Ed25519 key pair. */
export function generateSigningKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

/** A note signer for an Ed25519 private key under the given key name. */
export function createSigner(name: string, privateKey: KeyObject): Ed25519NoteSigner {
  if (!isValidKeyName(name)) throw invalid(`invalid note key name ${JSON.stringify(name)}`);
  if (!isEd25519Key(privateKey, 'private')) throw invalid('a note signer needs an Ed25519 private KeyObject');
  const publicKeyObject = createPublicKey(privateKey);
  const publicKey = rawPublicKey(publicKeyObject);
  const keyId = ed25519KeyId(name, publicKey);
  return Object.freeze({
    name,
    keyId,
    publicKey,
    verifierKey: formatVerifierKey(name, keyId, publicKey),
    sign(message: Uint8Array): Buffer {
      if (!(message instanceof Uint8Array)) throw invalid('a note signer signs bytes');
      return cryptoSign(null, message, privateKey);
    },
    verify: ed25519Verifier(publicKeyObject),
  });
}

function formatVerifierKey(name: string, keyId: number, publicKey: Uint8Array): string {
  const keyData = Buffer.concat([Uint8Array.of(ED25519_SIGNATURE_TYPE), publicKey]).toString('base64');
  return `${name}+${keyIdHex(keyId)}+${keyData}`;
}

/** `name+<8 hex key ID>+<base64(0x01 || public key)>` for an Ed25519 public key (KeyObject or 32 raw bytes). */
export function verifierKeyString(name: string, publicKey: KeyObject | Uint8Array): string {
  let raw: Uint8Array;
  if (publicKey instanceof Uint8Array) raw = publicKey;
  else if (isEd25519Key(publicKey, 'public')) raw = rawPublicKey(publicKey);
  else throw invalid('a verifier key needs an Ed25519 public KeyObject or 32 raw bytes');
  return formatVerifierKey(name, ed25519KeyId(name, raw), raw);
}

/**
 * Parses `name+<8 hex key ID>+<base64(0x01 || 32-byte public key)>` strictly: valid name, exactly 8
 * hex digits, canonical base64, the Ed25519 type byte, 33 bytes of key data, and a key ID that matches
 * the name and key.
 */
export function parseVerifierKey(verifierKey: string): Ed25519NoteVerifier {
  if (typeof verifierKey !== 'string') throw invalid('a verifier key must be a string');
  if (verifierKey.length > MAX_VERIFIER_KEY_LENGTH) throw invalid('verifier key is too long');
  const firstPlus = verifierKey.indexOf('+');
  const secondPlus = firstPlus < 0 ? -1 : verifierKey.indexOf('+', firstPlus + 1);
  if (secondPlus < 0) throw invalid('verifier key must have the form name+keyid+keydata');
  const name = verifierKey.slice(0, firstPlus);
  const idText = verifierKey.slice(firstPlus + 1, secondPlus);
  const keyText = verifierKey.slice(secondPlus + 1);
  if (!isValidKeyName(name)) throw invalid(`verifier key has an invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-f]{8}$/i.test(idText)) throw invalid('verifier key ID must be 8 hex digits');
  const keyData = decodeBase64Strict(keyText);
  if (keyData === null || keyData.length === 0) throw invalid('verifier key data is not canonical base64');
  if (keyData[0] !== ED25519_SIGNATURE_TYPE) {
    throw invalid(`unsupported verifier key type 0x${keyData[0]!.toString(16).padStart(2, '0')} (only Ed25519, 0x01)`);
  }
  if (keyData.length !== 1 + ED25519_PUBLIC_KEY_SIZE) {
    throw invalid(`Ed25519 verifier key data must be ${1 + ED25519_PUBLIC_KEY_SIZE} bytes, got ${keyData.length}`);
  }
  const publicKey = keyData.subarray(1);
  const keyId = Number.parseInt(idText, 16);
  if (ed25519KeyId(name, publicKey) !== keyId) throw invalid('verifier key ID does not match its name and key');
  return Object.freeze({
    name,
    keyId,
    publicKey: Buffer.from(publicKey),
    verifierKey: formatVerifierKey(name, keyId, publicKey),
    verify: ed25519Verifier(importPublicKey(publicKey)),
  });
}

/** RFC 8032 Ed25519 verification that answers false, never throws, for malformed signatures. */
function ed25519Verifier(key: KeyObject): (message: Uint8Array, signature: Uint8Array) => boolean {
  return (message, signature) => {
    if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
    if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
    try {
      return cryptoVerify(null, message, key, signature);
    } catch {
      return false;
    }
  };
}

/** The note as a string, after the size and UTF-8 checks of signed-note "Format". */
function decodeNote(note: string | Uint8Array): string {
  if (typeof note === 'string') {
    // Every UTF-16 unit is at least one UTF-8 byte, so this bounds the work before encoding.
    if (note.length > MAX_NOTE_BYTES) throw tooLarge();
    if (hasLoneSurrogate(note)) throw invalid('note is not valid UTF-8 (it holds an unpaired surrogate)');
    if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw tooLarge();
    return note;
  }
  if (note instanceof Uint8Array) {
    if (note.length > MAX_NOTE_BYTES) throw tooLarge();
    try {
      // ignoreBOM keeps a leading U+FEFF in the text, so the signed bytes are exactly what was sent.
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
    } catch (error) {
      throw new StenoError('invalid_input', 'note is not valid UTF-8', { cause: error });
    }
  }
  throw invalid('a note must be a string or bytes');
}

function tooLarge(): StenoError {
  return new StenoError('too_large', `note is larger than ${MAX_NOTE_BYTES} bytes`);
}

function checkNoteCharacters(text: string, what: string): void {
  const at = findControlCharacter(text);
  if (at >= 0) {
    const code = text.charCodeAt(at).toString(16).padStart(4, '0').toUpperCase();
    throw invalid(`${what} holds control character U+${code} at offset ${at}; only newlines are allowed`);
  }
}

/**
 * Splits a note into its text and signature lines without verifying anything (signed-note "Format"):
 * the text ends at the last blank line; each following line is `— <name> <base64>`.
 */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const decoded = decodeNote(note);
  checkNoteCharacters(decoded, 'note');
  const split = decoded.lastIndexOf(TEXT_SIGNATURE_SEPARATOR);
  if (split < 0) throw invalid('note has no blank line between its text and its signatures');
  const text = decoded.slice(0, split + 1);
  const block = decoded.slice(split + TEXT_SIGNATURE_SEPARATOR.length);
  if (block.length === 0) throw invalid('note has no signature lines');
  if (!block.endsWith('\n')) throw invalid('note does not end with a newline after its last signature line');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new StenoError(
      'too_large',
      `note has ${lines.length} signatures; at most ${MAX_NOTE_SIGNATURES} are accepted`,
    );
  }
  const signatures = lines.map((line, i) => parseSignatureLine(line, i + 1));
  return { text, signatures };
}

function parseSignatureLine(line: string, number: number): ParsedSignature {
  const where = `note signature line ${number}`;
  if (!line.startsWith(SIGNATURE_LINE_PREFIX)) throw invalid(`${where} does not start with an em dash and a space`);
  const rest = line.slice(SIGNATURE_LINE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw invalid(`${where} has no space between key name and signature`);
  const name = rest.slice(0, space);
  const base64 = rest.slice(space + 1);
  if (!isValidKeyName(name)) throw invalid(`${where} has an invalid key name ${JSON.stringify(name)}`);
  const bytes = decodeBase64Strict(base64);
  if (bytes === null) throw invalid(`${where} signature is not canonical base64`);
  if (bytes.length <= KEY_ID_SIZE) throw invalid(`${where} signature is too short to hold a key ID and a signature`);
  return { name, keyId: bytes.readUInt32BE(0), base64, signature: bytes.subarray(KEY_ID_SIZE) };
}

function isNoteVerifier(value: unknown): value is NoteVerifier {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<NoteVerifier>;
  return (
    isValidKeyName(v.name) &&
    Number.isInteger(v.keyId) &&
    (v.keyId as number) >= 0 &&
    (v.keyId as number) <= 0xffffffff &&
    typeof v.verify === 'function'
  );
}

function keyLabel(name: string, keyId: number): string {
  return `${name}+${keyIdHex(keyId)}`;
}

/** Verifiers by name+keyID. Two different keys under one name+ID make that pair ambiguous. */
function indexVerifiers(verifiers: readonly (NoteVerifier | string)[]): Map<string, NoteVerifier[]> {
  if (!Array.isArray(verifiers)) throw invalid('verifiers must be a list of verifiers or verifier keys');
  const index = new Map<string, NoteVerifier[]>();
  for (const entry of verifiers) {
    const verifier = typeof entry === 'string' ? parseVerifierKey(entry) : entry;
    if (!isNoteVerifier(verifier)) throw invalid('each verifier needs a valid name, a uint32 keyId and verify()');
    const label = keyLabel(verifier.name, verifier.keyId);
    const group = index.get(label) ?? [];
    if (!group.some((known) => sameKey(known, verifier))) group.push(verifier);
    index.set(label, group);
  }
  return index;
}

function sameKey(a: NoteVerifier, b: NoteVerifier): boolean {
  if (a === b) return true;
  const keyA = (a as Partial<Ed25519NoteVerifier>).publicKey;
  const keyB = (b as Partial<Ed25519NoteVerifier>).publicKey;
  return keyA instanceof Uint8Array && keyB instanceof Uint8Array && Buffer.from(keyA).equals(keyB);
}

/**
 * Parses a note and checks its signatures against the supplied verifiers (signed-note "Signatures"):
 * signatures by unknown keys (name and key ID not both known) are ignored and listed as unverified;
 * every signature by a known key must verify, or the note is rejected; and at least one must.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly (NoteVerifier | string)[]): OpenedNote {
  const known = indexVerifiers(verifiers);
  const parsed = parseNote(note);
  const message = Buffer.from(parsed.text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenVerified = new Set<string>();
  const seenUnverified = new Set<string>();
  for (const sig of parsed.signatures) {
    const label = keyLabel(sig.name, sig.keyId);
    const candidates = known.get(label);
    if (candidates === undefined) {
      const line = `${sig.name} ${sig.base64}`;
      if (!seenUnverified.has(line)) {
        seenUnverified.add(line);
        unverified.push({ name: sig.name, keyId: sig.keyId, base64: sig.base64 });
      }
      continue;
    }
    if (candidates.length > 1) throw invalid(`ambiguous key ${label}: more than one supplied verifier has it`);
    let ok = false;
    try {
      ok = candidates[0]!.verify(message, sig.signature) === true;
    } catch {
      ok = false;
    }
    if (!ok) throw new StenoError('integrity', `invalid signature for key ${label}`);
    if (!seenVerified.has(label)) {
      seenVerified.add(label);
      verified.push({ name: sig.name, keyId: sig.keyId, base64: sig.base64 });
    }
  }
  if (verified.length === 0) {
    const others = unverified.map((sig) => keyLabel(sig.name, sig.keyId)).join(', ');
    throw new StenoError('integrity', `note has no signature by a known key (signed by ${others})`);
  }
  const verifiedBy = [...new Set(verified.map((sig) => sig.name))];
  return { text: parsed.text, verifiedBy, verified, unverified };
}

function isNoteSigner(value: unknown): value is NoteSigner {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<NoteSigner>;
  return (
    isValidKeyName(s.name) &&
    Number.isInteger(s.keyId) &&
    (s.keyId as number) >= 0 &&
    (s.keyId as number) <= 0xffffffff &&
    typeof s.sign === 'function'
  );
}

/** Checks a note text: a string ending in a newline, valid UTF-8, no control characters but newlines. */
export function checkNoteText(text: string): void {
  if (typeof text !== 'string') throw invalid('note text must be a string');
  if (!text.endsWith('\n')) throw invalid('note text must end with a newline');
  if (hasLoneSurrogate(text)) throw invalid('note text is not valid UTF-8 (it holds an unpaired surrogate)');
  checkNoteCharacters(text, 'note text');
}

/** Signs a text with each signer and returns the note: text, blank line, one signature line per signer. */
export function signNote(text: string, signers: NoteSigner | readonly NoteSigner[]): string {
  checkNoteText(text);
  const list: readonly unknown[] = Array.isArray(signers) ? signers : [signers];
  if (list.length === 0) throw invalid('a note needs at least one signer');
  if (list.length > MAX_NOTE_SIGNATURES) throw invalid(`a note takes at most ${MAX_NOTE_SIGNATURES} signatures`);
  const message = Buffer.from(text, 'utf8');
  const seen = new Set<string>();
  let note = `${text}\n`;
  for (const signer of list) {
    if (!isNoteSigner(signer)) throw invalid('each signer needs a valid name, a uint32 keyId and sign()');
    const label = keyLabel(signer.name, signer.keyId);
    if (seen.has(label)) throw invalid(`signer ${label} is listed twice`);
    seen.add(label);
    const signature: unknown = signer.sign(message);
    if (!(signature instanceof Uint8Array) || signature.length === 0) {
      throw new StenoError('invalid_input', `signer ${label} returned no signature`);
    }
    const keyId = Buffer.alloc(KEY_ID_SIZE);
    keyId.writeUInt32BE(signer.keyId, 0);
    note += `${SIGNATURE_LINE_PREFIX}${signer.name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
  }
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw tooLarge();
  return note;
}
