/** Reading the files commands are given, with an error that names the file. */
import { readFile } from 'node:fs/promises';
import { StenoError } from '../core/errors.js';

/** A small text file (a CSV, a key) read whole; a missing or unreadable one is an I/O error naming it. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new StenoError('io', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
