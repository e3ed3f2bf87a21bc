/** Reading the files commands are given, with an error that names the file. */
import { readFile, stat } from 'node:fs/promises';
import { StenoError } from '../core/errors.js';

/** A small text file (a CSV, a key) read whole; a missing or unreadable one is an I/O error naming it. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new StenoError('io', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** A file read whole as bytes, refused (naming it and the limit) when larger than `maxBytes`. */
export async function readBinaryFile(file: string, maxBytes: number): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new StenoError('io', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (size > maxBytes) {
    throw new StenoError('too_large', `${file} is ${size} bytes; at most ${maxBytes} are read at once (split it)`);
  }
  try {
    return await readFile(file);
  } catch (error) {
    throw new StenoError('io', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
