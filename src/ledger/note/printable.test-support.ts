/** Shared by the note tests: no ASCII control characters (newlines included) and no unpaired surrogates. */
export function isPrintableLine(s: string): boolean {
  return [...s].every((ch) => ch.codePointAt(0)! >= 0x20) && !/\p{Cs}/u.test(s);
}
