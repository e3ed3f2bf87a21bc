import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStenoError } from '../../core/errors.js';
import { CompactRange, EMPTY_TREE_ROOT, hashLeaf } from '../tree/index.js';
import {
  type Checkpoint,
  createSigner,
  formatCheckpoint,
  generateSigningKey,
  openNote,
  parseCheckpoint,
  parseNote,
  signCheckpoint,
  signNote,
  verifyCheckpoint,
} from './index.js';
import { isPrintableLine, stenoErrorOf } from './note.test-support.js';
import noteVectors from './vectors/sumdb-note.json' with { type: 'json' };
import vectors from './vectors/tlog-checkpoint.json' with { type: 'json' };

const origin = 'steno.example/log';
const signer = createSigner(origin, generateSigningKey().privateKey);
const other = createSigner(origin, generateSigningKey().privateKey);

describe('checkpoint text', () => {
  for (const c of vectors.valid) {
    it(`parses and formats: ${c.description}`, () => {
      const parsed = parseCheckpoint(c.text);
      expect(parsed).toEqual({
        origin: c.origin,
        size: c.size,
        root: Buffer.from(c.root, 'base64'),
        extensions: c.extensions,
      });
      expect(formatCheckpoint(parsed)).toBe(c.text);
    });
  }

  for (const c of vectors.invalid) {
    it(`refuses (${c.code}): ${c.description}`, () => {
      expect(stenoErrorOf(() => parseCheckpoint(c.text)).code).toBe(c.code);
    });
  }

  it('parses the body of the specification example note', () => {
    const note = parseNote(vectors.exampleNote);
    expect(note.signatures.map((s) => s.name)).toEqual(['example.com/behind-the-sofa']);
    expect(parseCheckpoint(note.text).size).toBe(20852163);
    // Its key is not published, so it cannot be verified: the signature is reported, not trusted.
    expect(stenoErrorOf(() => openNote(vectors.exampleNote, [signer])).message).toMatch(
      /example\.com\/behind-the-sofa/,
    );
  });

  it('formats the RFC 6962 test tree root', () => {
    const range = CompactRange.empty();
    for (const leaf of [
      '',
      '00',
      '10',
      '2021',
      '3031',
      '40414243',
      '5051525354555657',
      '606162636465666768696a6b6c6d6e6f',
    ]) {
      range.append(hashLeaf(Buffer.from(leaf, 'hex')));
    }
    expect(formatCheckpoint({ origin: 'steno.example/test', size: range.size, root: range.root() })).toBe(
      vectors.valid[2]!.text,
    );
    expect(formatCheckpoint({ origin: 'log.example/empty', size: 0, root: EMPTY_TREE_ROOT })).toBe(
      vectors.valid[1]!.text,
    );
  });

  it('refuses to format what it could not parse', () => {
    const root = Buffer.alloc(32);
    const bad: unknown[] = [
      { origin: '', size: 1, root },
      { origin: 'a\nb', size: 1, root },
      { origin: 'a\tb', size: 1, root },
      { origin: '\ud800', size: 1, root },
      { origin: 'o', size: -1, root },
      { origin: 'o', size: 1.5, root },
      { origin: 'o', size: 2 ** 53, root },
      { origin: 'o', size: '1', root },
      { origin: 'o', size: 1, root: Buffer.alloc(31) },
      { origin: 'o', size: 1, root: root.toString('base64') },
      { origin: 'o', size: 1, root, extensions: [''] },
      { origin: 'o', size: 1, root, extensions: ['a\nb'] },
      { origin: 'o', size: 1, root, extensions: 'ext' },
      null,
    ];
    for (const fields of bad)
      expect(stenoErrorOf(() => formatCheckpoint(fields as Checkpoint)).code).toBe('invalid_input');
  });

  it('round-trips any checkpoint', () => {
    const line = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => isPrintableLine(s));
    fc.assert(
      fc.property(
        line,
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(line, { maxLength: 3 }),
        (o, size, root, extensions) => {
          const text = formatCheckpoint({ origin: o, size, root, extensions });
          expect(parseCheckpoint(text)).toEqual({ origin: o, size, root: Buffer.from(root), extensions });
        },
      ),
    );
  });

  it('never throws anything but a StenoError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (text) => {
        try {
          parseCheckpoint(text as string);
        } catch (error) {
          expect(isStenoError(error)).toBe(true);
        }
      }),
    );
  });
});

describe('signed checkpoints', () => {
  const root = hashLeaf(Buffer.from('root'));

  it('sign and verify round-trip', () => {
    const note = signCheckpoint({ origin, size: 42, root }, signer);
    expect(note.startsWith(`${origin}\n42\n${root.toString('base64')}\n\n— ${origin} `)).toBe(true);
    for (const key of [signer.verifierKey, signer]) {
      expect(verifyCheckpoint(note, key)).toEqual({ origin, size: 42, root, extensions: [] });
    }
    expect(verifyCheckpoint(Buffer.from(note), signer.verifierKey, { origin }).size).toBe(42);
  });

  it('accepts cosigned checkpoints and ignores the unknown cosigner', () => {
    const witness = createSigner('witness.example/w1', generateSigningKey().privateKey);
    const note = signCheckpoint({ origin, size: 7, root }, [signer, witness]);
    expect(verifyCheckpoint(note, signer.verifierKey).size).toBe(7);
    expect(verifyCheckpoint(note, witness.verifierKey).size).toBe(7);
  });

  it('refuses a checkpoint signed by another key of the same name', () => {
    const note = signCheckpoint({ origin, size: 42, root }, other);
    expect(stenoErrorOf(() => verifyCheckpoint(note, signer.verifierKey)).code).toBe('integrity');
  });

  it('refuses a tampered size or root', () => {
    const note = signCheckpoint({ origin, size: 42, root }, signer);
    expect(stenoErrorOf(() => verifyCheckpoint(note.replace('\n42\n', '\n43\n'), signer.verifierKey)).code).toBe(
      'integrity',
    );
    const otherRoot = hashLeaf(Buffer.from('other')).toString('base64');
    const swapped = note.replace(root.toString('base64'), otherRoot);
    expect(stenoErrorOf(() => verifyCheckpoint(swapped, signer.verifierKey)).code).toBe('integrity');
  });

  it('refuses a validly signed note that is not a checkpoint', () => {
    const notCheckpoint = signNote('hello\nworld\n', signer);
    expect(stenoErrorOf(() => verifyCheckpoint(notCheckpoint, signer.verifierKey)).code).toBe('invalid_input');
    expect(
      stenoErrorOf(() => verifyCheckpoint(noteVectors.signedNote, noteVectors.keys.PeterNeumann.verifierKey)).code,
    ).toBe('invalid_input');
  });

  it('checks the expected origin when asked', () => {
    const note = signCheckpoint({ origin, size: 1, root }, signer);
    expect(stenoErrorOf(() => verifyCheckpoint(note, signer, { origin: 'elsewhere.example' })).code).toBe('conflict');
  });

  it('refuses a malformed verifier key', () => {
    const note = signCheckpoint({ origin, size: 1, root }, signer);
    expect(stenoErrorOf(() => verifyCheckpoint(note, 'not a key')).code).toBe('invalid_input');
  });
});
