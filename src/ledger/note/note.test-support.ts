/** Shared by the note tests. */
import { expect } from 'vitest';
import { isStenoError } from '../../core/errors.js';

/** No ASCII control characters (newlines included) and no unpaired surrogates. */
export function isPrintableLine(s: string): boolean {
  return [...s].every((ch) => ch.codePointAt(0)! >= 0x20) && !/\p{Cs}/u.test(s);
}

/** The StenoError fn throws; fails the test if it throws anything else or nothing. */
export function stenoErrorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(isStenoError(error), String(error)).toBe(true);
    return error as { code: string; message: string };
  }
  return expect.unreachable('expected a StenoError');
}
