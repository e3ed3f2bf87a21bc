/**
 * Content-addressed attachment storage on the local filesystem: blobs/<aa>/<sha256>. Writes go to a
 * temporary file, are fsynced, then renamed, so a blob is either whole or absent. An S3 (Object Lock)
 * implementation provides the same BlobStore shape.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StenoError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';

export interface BlobStore {
  put(sha256: string, bytes: Buffer): Promise<void>;
  get(sha256: string): Promise<Buffer | null>;
  has(sha256: string): Promise<boolean>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

async function fsyncDir(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export class FileBlobStore implements BlobStore {
  private readonly root: string;
  readonly maxBytes: number;

  constructor(options: { root: string; maxBytes: number }) {
    this.root = options.root;
    this.maxBytes = options.maxBytes;
  }

  private pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256))
      throw new StenoError('invalid_input', `"${sha256.slice(0, 80)}" is not a SHA-256 hex digest`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(sha256: string, bytes: Buffer): Promise<void> {
    if (bytes.length > this.maxBytes) {
      throw new StenoError('too_large', `attachment of ${bytes.length} bytes is over the ${this.maxBytes}-byte limit`);
    }
    const actual = sha256Hex(bytes);
    if (actual !== sha256) {
      throw new StenoError('invalid_input', `attachment bytes hash to ${actual}, not ${sha256}`);
    }
    const target = this.pathOf(sha256);
    if (await this.has(sha256)) return;
    const shard = join(this.root, sha256.slice(0, 2));
    const created = await mkdir(shard, { recursive: true });
    // A folder made here must itself be on disk, or a power loss can take the blob with it.
    if (created !== undefined) {
      await fsyncDir(dirname(this.root));
      await fsyncDir(this.root);
    }
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o640);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await fsyncDir(shard);
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
}
