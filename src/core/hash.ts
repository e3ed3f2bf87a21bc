import { createHash, randomBytes } from 'node:crypto';

export function sha256(...chunks: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest();
}

export function sha256Hex(...chunks: Uint8Array[]): string {
  return sha256(...chunks).toString('hex');
}

export const SALT_BYTES = 32;

export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}
