/** What an import records about the file it read: enough to find that exact file again. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename } from 'node:path';
import { StenoError } from '../../core/errors.js';

export interface SourceFile {
  name: string;
  size: number;
  sha256: string;
}

export async function describeSourceFile(path: string): Promise<SourceFile> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
    return { name: basename(path), size: info.size, sha256: hash.digest('hex') };
  } catch (error) {
    throw new StenoError('io', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Who ran a command-line import: the operating-system account and machine. */
export function localOperator(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the uid is all there is.
    user = `uid ${process.getuid?.() ?? '?'}`;
  }
  return `${user}@${hostname()}`;
}
