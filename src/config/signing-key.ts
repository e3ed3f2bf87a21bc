/**
 * The log's Ed25519 checkpoint-signing key: created on first start in <data>/keys with mode 0600,
 * never logged. Its verifier key is recorded in the database at creation, so a swapped key file
 * (which could re-sign a rewritten history) is refused instead of silently used.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StenoError } from '../core/errors.js';
import { createSigner, generateSigningKey, type NoteSigner, verifierKeyString } from '../ledger/note/signed-note.js';

export const KEY_FILE = 'checkpoint-signing-key.pem';

export interface SigningIdentity {
  signer: NoteSigner;
  verifierKey: string;
  keyPath: string;
  created: boolean;
}

export async function loadOrCreateSigningKey(options: {
  dataDir: string;
  origin: string;
  create: boolean;
}): Promise<SigningIdentity> {
  const dir = join(options.dataDir, 'keys');
  const keyPath = join(dir, KEY_FILE);
  let privateKey: KeyObject;
  let created = false;
  try {
    const info = await stat(keyPath);
    if ((info.mode & 0o077) !== 0) await chmod(keyPath, 0o600);
    privateKey = createPrivateKey(await readFile(keyPath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StenoError('io', `cannot read the signing key at ${keyPath}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!options.create) {
      throw new StenoError(
        'config',
        `no signing key at ${keyPath}: start the server once (steno serve) or pass --data`,
      );
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    privateKey = generateSigningKey().privateKey;
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
    // O_EXCL: two processes starting at once must not each write a different key.
    try {
      const handle = await open(keyPath, 'wx', 0o600);
      try {
        await handle.writeFile(pem);
        await handle.sync();
      } finally {
        await handle.close();
      }
      created = true;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      privateKey = createPrivateKey(await readFile(keyPath));
    }
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new StenoError('config', `the signing key at ${keyPath} is not an Ed25519 key`);
  }
  const signer = createSigner(options.origin, privateKey);
  return { signer, verifierKey: verifierKeyString(options.origin, createPublicKey(privateKey)), keyPath, created };
}
