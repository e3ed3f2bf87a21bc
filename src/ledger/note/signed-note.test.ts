import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSigner,
  ed25519KeyId,
  generateSigningKey,
  isValidKeyName,
  MAX_NOTE_BYTES,
  MAX_NOTE_SIGNATURES,
  type NoteSigner,
  type NoteVerifier,
  openNote,
  parseNote,
  parseVerifierKey,
  signNote,
  verifierKeyString,
} from './index.js';
import { isPrintableLine, stenoErrorOf } from './note.test-support.js';
import vectors from './vectors/sumdb-note.json' with { type: 'json' };

type KeyName = keyof typeof vectors.keys;
const peterKey = vectors.keys.PeterNeumann.verifierKey;
const enochKey = vectors.keys.EnochRoot.verifierKey;
const verifiersFor = (names: string[]) => names.map((name) => vectors.keys[name as KeyName].verifierKey);

/** PKCS#8 DER prefix of an Ed25519 private key (RFC 8410 §7), followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Reads Go's signer key encoding PRIVATE+KEY+<name>+<keyid>+base64(0x01 || seed). */
function goSignerKey(encoded: string): { name: string; privateKey: KeyObject } {
  const [, , name, , data] = encoded.split('+', 4).concat(encoded.split('+').slice(4).join('+'));
  const bytes = Buffer.from(data!, 'base64');
  expect(bytes[0]).toBe(1);
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes.subarray(1)]),
    format: 'der',
    type: 'pkcs8',
  });
  return { name: name!, privateKey };
}

describe('verifier keys', () => {
  it('parses the sumdb vector key', () => {
    const verifier = parseVerifierKey(peterKey);
    expect(verifier.name).toBe('PeterNeumann');
    expect(verifier.keyId).toBe(0xc74f20a3);
    expect(verifier.publicKey.length).toBe(32);
    expect(verifier.verifierKey).toBe(peterKey);
    expect(verifierKeyString('PeterNeumann', verifier.publicKey)).toBe(peterKey);
    expect(ed25519KeyId('PeterNeumann', verifier.publicKey)).toBe(0xc74f20a3);
    expect(parseVerifierKey(enochKey).keyId).toBe(0xaf0cfe78);
  });

  for (const { description, key } of vectors.badVerifierKeys) {
    it(`rejects a bad key: ${description}`, () => {
      expect(stenoErrorOf(() => parseVerifierKey(key)).code).toBe('invalid_input');
    });
  }

  it('rejects every proper substring and every single-character change of the vector key', () => {
    for (let i = 0; i <= peterKey.length; i++) {
      for (let j = i + 1; j <= peterKey.length; j++) {
        if (i === 0 && j === peterKey.length) continue;
        stenoErrorOf(() => parseVerifierKey(peterKey.slice(i, j)));
      }
    }
    for (let i = 0; i < peterKey.length; i++) {
      const changed = peterKey.slice(0, i) + String.fromCharCode(peterKey.charCodeAt(i) + 1) + peterKey.slice(i + 1);
      stenoErrorOf(() => parseVerifierKey(changed));
    }
  });

  it('rejects values that are not strings', () => {
    for (const value of [undefined, null, 42, {}, Buffer.from(peterKey)]) {
      stenoErrorOf(() => parseVerifierKey(value as string));
    }
    stenoErrorOf(() => parseVerifierKey(`${'a'.repeat(2000)}+c74f20a3+AA==`));
  });

  it('accepts upper-case hex key IDs, as Go does, and normalizes them', () => {
    const upper = peterKey.replace('c74f20a3', 'C74F20A3');
    expect(parseVerifierKey(upper).verifierKey).toBe(peterKey);
  });
});

describe('key names', () => {
  it('follows the signed-note rules', () => {
    for (const name of ['PeterNeumann', 'example.com/log', 'quasimodo.example/salvatore', 'ünïcode', 'a']) {
      expect(isValidKeyName(name)).toBe(true);
    }
    for (const name of [
      '',
      'a b',
      'a+b',
      'a\tb',
      'a\nb',
      'a\u00a0b',
      'a\u2003b',
      'a\u0085b',
      'a\u3000b',
      '\ud800',
      7,
    ]) {
      expect(isValidKeyName(name)).toBe(false);
    }
  });
});

describe('signing', () => {
  it('reproduces the sumdb signature byte for byte (Ed25519 is deterministic)', () => {
    const { name, privateKey } = goSignerKey(vectors.keys.PeterNeumann.signerKey);
    const signer = createSigner(name, privateKey);
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(signer.verifierKey).toBe(peterKey);
    expect(verifierKeyString(name, createPublicKey(privateKey))).toBe(peterKey);
    expect(signNote(vectors.text, signer)).toBe(vectors.signedNote);
    expect(signNote(vectors.text, [signer])).toBe(vectors.signedNote);
  });

  it('signs with several keys and opens with any of them', () => {
    const a = createSigner('log.example/a', generateSigningKey().privateKey);
    const b = createSigner('log.example/b', generateSigningKey().privateKey);
    const note = signNote('hello\n\nworld\n', [a, b]);
    expect(parseNote(note).signatures.map((s) => s.name)).toEqual(['log.example/a', 'log.example/b']);
    const opened = openNote(note, [b.verifierKey]);
    expect(opened.text).toBe('hello\n\nworld\n');
    expect(opened.verifiedBy).toEqual(['log.example/b']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['log.example/a']);
    expect(openNote(note, [a.verifierKey, b.verifierKey]).verifiedBy).toEqual(['log.example/a', 'log.example/b']);
  });

  it('rejects bad texts and signers', () => {
    const signer = createSigner('log.example/a', generateSigningKey().privateKey);
    for (const text of ['no newline', '', 'a\u0001b\n', 'a\r\n', '\ud800\n', 42]) {
      expect(stenoErrorOf(() => signNote(text as string, signer)).code).toBe('invalid_input');
    }
    stenoErrorOf(() => signNote('a\n', []));
    stenoErrorOf(() => signNote('a\n', [signer, signer]));
    stenoErrorOf(() => signNote('a\n', { name: 'bad name', keyId: 1, sign: () => Buffer.alloc(64) }));
    stenoErrorOf(() => signNote('a\n', { name: 'ok', keyId: 2 ** 32, sign: () => Buffer.alloc(64) }));
    stenoErrorOf(() => signNote('a\n', { name: 'ok', keyId: 1, sign: () => Buffer.alloc(0) }));
    stenoErrorOf(() => signNote('a\n', null as unknown as NoteSigner));
    expect(stenoErrorOf(() => signNote(`${'a'.repeat(MAX_NOTE_BYTES)}\n`, signer)).code).toBe('too_large');
    const { privateKey, publicKey } = generateSigningKey();
    stenoErrorOf(() => createSigner('bad name', privateKey));
    stenoErrorOf(() => createSigner('ok', publicKey));
    stenoErrorOf(() => createSigner('ok', 'key' as unknown as KeyObject));
    stenoErrorOf(() => verifierKeyString('ok', privateKey));
    stenoErrorOf(() => verifierKeyString('ok', Buffer.alloc(31)));
    stenoErrorOf(() => verifierKeyString('bad name', publicKey));
  });
});

describe('opening the sumdb vectors', () => {
  for (const c of vectors.validNotes) {
    it(`opens: ${c.description}`, () => {
      for (const note of [c.note, Buffer.from(c.note, 'utf8')]) {
        const opened = openNote(note, verifiersFor(c.verifiers));
        expect(opened.text).toBe(vectors.text);
        expect(opened.verified.map((s) => ({ name: s.name, keyId: s.keyId }))).toEqual(c.verified);
        expect(opened.verifiedBy).toEqual(c.verified.map((v) => v.name));
        expect(opened.unverified).toEqual(c.unverified);
      }
    });
  }

  for (const c of vectors.invalidNotes) {
    it(`refuses (${c.code}): ${c.description}`, () => {
      const note = 'noteHex' in c && c.noteHex !== undefined ? Buffer.from(c.noteHex, 'hex') : c.note!;
      expect(stenoErrorOf(() => openNote(note, verifiersFor(c.verifiers))).code).toBe(c.code);
    });
  }
});

describe('openNote', () => {
  const peterSigLine = vectors.signedNote.slice(vectors.text.length + 1);

  it('names the key whose signature fails', () => {
    const tampered = vectors.signedNote.replace('answer', 'Answer');
    expect(stenoErrorOf(() => openNote(tampered, [peterKey])).message).toBe(
      'invalid signature for key PeterNeumann+c74f20a3',
    );
    expect(stenoErrorOf(() => openNote(vectors.signedNote, [enochKey])).message).toMatch(/PeterNeumann\+c74f20a3/);
  });

  it('accepts up to 100 signatures and refuses 101', () => {
    const note100 = `${vectors.text}\n${peterSigLine.repeat(MAX_NOTE_SIGNATURES)}`;
    expect(openNote(note100, [peterKey]).verifiedBy).toEqual(['PeterNeumann']);
    const note101 = `${vectors.text}\n${peterSigLine.repeat(MAX_NOTE_SIGNATURES + 1)}`;
    expect(stenoErrorOf(() => openNote(note101, [peterKey])).code).toBe('too_large');
    expect(stenoErrorOf(() => openNote(note101, [])).code).toBe('too_large');
  });

  it('refuses notes over 1 MiB, as strings and as bytes', () => {
    const big = `${'x'.repeat(MAX_NOTE_BYTES)}\n\n${peterSigLine}`;
    expect(stenoErrorOf(() => openNote(big, [peterKey])).code).toBe('too_large');
    expect(stenoErrorOf(() => openNote(Buffer.from(big), [peterKey])).code).toBe('too_large');
    // Multi-byte characters: under the limit in UTF-16 units, over it in UTF-8 bytes.
    const wide = `${'é'.repeat(MAX_NOTE_BYTES / 2 + 1)}\n\n${peterSigLine}`;
    expect(stenoErrorOf(() => openNote(wide, [peterKey])).code).toBe('too_large');
  });

  it('refuses unpaired surrogates, invalid UTF-8 and values that are not notes', () => {
    stenoErrorOf(() => openNote(`\ud800${vectors.signedNote}`, [peterKey]));
    stenoErrorOf(() => openNote(Buffer.concat([Buffer.from([0xc3]), Buffer.from(vectors.signedNote)]), [peterKey]));
    for (const value of [undefined, null, 42, {}, [vectors.signedNote]]) {
      stenoErrorOf(() => openNote(value as string, [peterKey]));
    }
    for (const verifiers of [undefined, null, 'PeterNeumann', [null], [{ name: 'x' }], ['not a key']]) {
      stenoErrorOf(() => openNote(vectors.signedNote, verifiers as string[]));
    }
  });

  it('keeps a leading byte order mark as part of the signed text', () => {
    const signer = createSigner('log.example/bom', generateSigningKey().privateKey);
    const note = signNote('\ufeffhello\n', signer);
    expect(openNote(Buffer.from(note, 'utf8'), [signer.verifierKey]).text).toBe('\ufeffhello\n');
    const stripped = Buffer.from(note, 'utf8').subarray(3);
    expect(stenoErrorOf(() => openNote(stripped, [signer.verifierKey])).code).toBe('integrity');
  });

  it('refuses ambiguous verifiers only when a signature needs them', () => {
    const impostor: NoteVerifier = { name: 'PeterNeumann', keyId: 0xc74f20a3, verify: () => true };
    expect(stenoErrorOf(() => openNote(vectors.signedNote, [peterKey, impostor])).message).toMatch(/ambiguous/);
    // The same key twice is not ambiguous.
    expect(openNote(vectors.signedNote, [peterKey, peterKey]).verifiedBy).toEqual(['PeterNeumann']);
    const enochNote = `${vectors.text}\n${vectors.validNotes[1]!.note.split('\n').at(-2)}\n`;
    expect(openNote(enochNote, [enochKey, peterKey, impostor]).verifiedBy).toEqual(['EnochRoot']);
  });

  it('treats a verifier that throws or answers oddly as a failed signature', () => {
    const throwing: NoteVerifier = {
      name: 'PeterNeumann',
      keyId: 0xc74f20a3,
      verify: () => {
        throw new TypeError('boom');
      },
    };
    expect(stenoErrorOf(() => openNote(vectors.signedNote, [throwing])).code).toBe('integrity');
    const truthy = { name: 'PeterNeumann', keyId: 0xc74f20a3, verify: () => 1 as unknown as boolean };
    expect(stenoErrorOf(() => openNote(vectors.signedNote, [truthy])).code).toBe('integrity');
  });
});

// ---------------------------------------------------------------------------------------------------

const signers = [0, 1, 2].map((i) => createSigner(`log${i}.example/k`, generateSigningKey().privateKey));

/** Note texts: printable characters, tabs excluded, newlines anywhere, ending in a newline. */
const noteText = fc
  .array(
    fc.oneof(
      fc.constantFrom('\n', ' ', 'a', 'Z', '—', 'é', '😀', '+', '\u00a0'),
      fc.string({ unit: 'binary', maxLength: 8 }).filter((s) => isPrintableLine(s)),
    ),
    { maxLength: 30 },
  )
  .map((parts) => `${parts.join('')}\n`);

describe('signed note properties', () => {
  it('round-trips any valid text through sign and open', () => {
    fc.assert(
      fc.property(noteText, fc.subarray(signers, { minLength: 1 }), (text, chosen) => {
        const note = signNote(text, chosen);
        const opened = openNote(note, [signers[0]!.verifierKey, signers[1]!, signers[2]!]);
        expect(opened.text).toBe(text);
        expect(opened.verifiedBy).toEqual(chosen.map((s) => s.name));
        expect(opened.unverified).toEqual([]);
        expect(openNote(Buffer.from(note, 'utf8'), signers).text).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses every single-character change, insertion or deletion of a signed note', () => {
    fc.assert(
      fc.property(
        noteText,
        fc.nat(),
        fc.constantFrom('replace', 'insert', 'delete'),
        fc.oneof(
          fc.constantFrom('\n', ' ', '—', 'A', '=', '+', '/', '\u0000'),
          fc.string({ minLength: 1, maxLength: 1 }),
        ),
        (text, at, kind, char) => {
          const note = signNote(text, signers[0]!);
          const i = at % note.length;
          let mutated: string;
          if (kind === 'insert') mutated = note.slice(0, i) + char + note.slice(i);
          else if (kind === 'delete') mutated = note.slice(0, i) + note.slice(i + 1);
          else mutated = note.slice(0, i) + char + note.slice(i + 1);
          if (mutated === note) return;
          stenoErrorOf(() => openNote(mutated, [signers[0]!]));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses every single bit flip of a signed note given as bytes', () => {
    fc.assert(
      fc.property(noteText, fc.nat(), fc.integer({ min: 0, max: 7 }), (text, at, bit) => {
        const bytes = Buffer.from(signNote(text, signers[1]!), 'utf8');
        bytes[at % bytes.length]! ^= 1 << bit;
        stenoErrorOf(() => openNote(bytes, [signers[1]!]));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a StenoError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array(), fc.anything()), (value) => {
        stenoErrorOf(() => openNote(value as string, [peterKey]));
      }),
    );
    fc.assert(
      fc.property(fc.string(), (value) => {
        stenoErrorOf(() => parseVerifierKey(value));
      }),
    );
  });
});
