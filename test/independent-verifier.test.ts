/**
 * An evidence package must verify with an implementation written by someone else from RFC 9162 and the
 * C2SP specs alone. This file is such an implementation: it imports nothing from Steno's src/ (only
 * node:crypto), and checks a package Steno exported. Keep it independent: do not "fix" it by importing.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBackend, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';
import { CHAT } from './support/messages.js';

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** C2SP signed-note: verifier key "name+hex(keyid)+base64(0x01 ‖ ed25519 public key)". */
function verifyNote(note: string, verifierKey: string): string {
  // name and hex key id hold no '+'; the base64 key may.
  const [, name, keyIdHex, keyB64] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(verifierKey.trim()) ?? [];
  if (name === undefined || keyIdHex === undefined || keyB64 === undefined) throw new Error('malformed verifier key');
  const keyBytes = Buffer.from(keyB64, 'base64');
  if (keyBytes[0] !== 0x01 || keyBytes.length !== 33) throw new Error('not an Ed25519 verifier key');
  const pub = keyBytes.subarray(1);
  const keyId = sha(Buffer.from(`${name}\n`), Buffer.from([0x01]), pub).subarray(0, 4);
  if (keyId.toString('hex') !== keyIdHex) throw new Error('key id mismatch');
  const split = note.lastIndexOf('\n\n');
  const text = note.slice(0, split + 1);
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]);
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  for (const line of note.slice(split + 2).split('\n')) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const sig = Buffer.from(match[2]!, 'base64');
    if (sig.subarray(0, 4).equals(keyId) && verify(null, Buffer.from(text), publicKey, sig.subarray(4))) return text;
  }
  throw new Error('no valid signature');
}

/** RFC 9162 §2.1.3.2: verify an inclusion proof. */
function verifyInclusion(leaf: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = sha(Buffer.from([0]), leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = sha(Buffer.from([1]), p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = sha(Buffer.from([1]), r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}

/** RFC 8785 for the JSON values message content holds (strings, numbers, booleans, null, arrays, objects). */
function jcs(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`)
    .join(',')}}`;
}

function independentVerify(files: Map<string, Buffer>, verifierKey: string): { records: number; contents: number } {
  const text = verifyNote(files.get('checkpoint.txt')!.toString('utf8'), verifierKey);
  const [, sizeLine, rootLine] = text.split('\n');
  const size = Number(sizeLine);
  const root = Buffer.from(rootLine!, 'base64');
  const lines = (name: string) =>
    files
      .get(name)!
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '');
  const records = lines('records.jsonl');
  const proofs = lines('proofs.jsonl').map((l) => JSON.parse(l) as { index: number; proof: string[] });
  const commitments = new Map<number, string>();
  records.forEach((record, i) => {
    const { index, proof } = proofs[i]!;
    if (
      !verifyInclusion(
        Buffer.from(record, 'utf8'),
        index,
        size,
        proof.map((p) => Buffer.from(p, 'base64')),
        root,
      )
    ) {
      throw new Error(`record ${i} (index ${index}) is not included`);
    }
    commitments.set(index, (JSON.parse(record) as { commitment: string }).commitment);
  });
  let contents = 0;
  for (const line of lines('content.jsonl')) {
    const { index, salt, content } = JSON.parse(line) as { index: number; salt: string; content: unknown };
    const commitment = sha(Buffer.from(salt, 'base64'), Buffer.from(jcs(content), 'utf8')).toString('base64');
    if (commitment !== commitments.get(index))
      throw new Error(`content for index ${index} does not match its commitment`);
    contents++;
  }
  return { records: records.length, contents };
}

describe('an independent RFC 9162 + C2SP implementation', () => {
  let backend: TestBackend;
  let packageDir: string;
  let verifierKey: string;

  beforeAll(async () => {
    backend = await createTestBackend();
    const file = join(backend.dataDir, 'chat.jsonl');
    await writeFile(file, `${CHAT.map((m) => JSON.stringify(m)).join('\n')}\n`);
    expect((await runSteno(['ingest', file], backend.env)).code).toBe(0);
    packageDir = join(backend.dataDir, 'package');
    expect((await runSteno(['export', '--out', packageDir], backend.env)).code).toBe(0);
    verifierKey = (await runSteno(['checkpoint', '--key'], backend.env)).stdout.trim();
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  const load = async () => {
    const files = new Map<string, Buffer>();
    for (const name of ['checkpoint.txt', 'records.jsonl', 'proofs.jsonl', 'content.jsonl']) {
      files.set(name, await readFile(join(packageDir, name)));
    }
    return files;
  };

  it('verifies every record and every content in a Steno package', async () => {
    expect(independentVerify(await load(), verifierKey)).toEqual({ records: CHAT.length, contents: CHAT.length });
  });

  it('rejects the package when a record is altered', async () => {
    const files = await load();
    files.set('records.jsonl', Buffer.from(files.get('records.jsonl')!.toString('utf8').replace('"v":1', '"v":2')));
    expect(() => independentVerify(files, verifierKey)).toThrow(/is not included/);
  });

  it('rejects a checkpoint signed by another key', async () => {
    const other = 'other.example/log+00000000+AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB';
    expect(() => independentVerify(new Map([['checkpoint.txt', Buffer.from('x')]]), other)).toThrow();
  });
});
