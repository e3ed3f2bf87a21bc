/**
 * Picks values out of a large JSON document as it streams, without holding the document: a scanner
 * follows the structure (containers, keys, strings) and hands back, whole and parsed, each value whose
 * path a caller asks for — Telegram's messages, say — and the scalars it asks to remember (a chat's
 * name and id). Paths are written `$.chats.list[].messages[]`: keys joined by dots, `[]` for any array
 * element. Some Telegram exports contain `\xNN` escapes, which JSON does not allow; they are read as
 * `\u00NN`. Truncated or malformed JSON is refused with its character offset.
 */
import { StenoError } from '../../core/errors.js';

export interface PickedValue {
  path: string;
  value: unknown;
  /** Scalars remembered in the enclosing objects, by their own path. */
  scalars: ReadonlyMap<string, unknown>;
}

interface Frame {
  kind: 'object' | 'array';
  path: string;
  /** In an object: the key being read or just read. */
  key: string | null;
  /** In an object: whether a key is expected next (not a value). */
  expectKey: boolean;
}

/** A single picked value may not exceed this many characters. */
export const MAX_PICKED_CHARS = 64 * 1024 * 1024;

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Characters of numbers and of true, false and null. */
function isBare(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2b ||
    c === 0x2e ||
    c === 0x45 ||
    c === 0x65 ||
    (c >= 0x61 && c <= 0x7a)
  );
}

export class JsonPicker {
  private readonly stack: Frame[] = [];
  private inString = false;
  /** Inside a number, true, false or null. */
  private inBare = false;
  private escaped = false;
  /** Characters of the key string being read (keys are short; values in strings are not kept). */
  private keyChars: string[] | null = null;
  /** The value being captured, and the depth it started at. */
  private capture: string[] | null = null;
  private captureLength = 0;
  private captureDepth = -1;
  private capturePath = '';
  private scalarCapture: { path: string; chars: string[] } | null = null;
  private readonly scalars = new Map<string, unknown>();
  private offset = 0;
  private started = false;
  private finished = false;

  constructor(
    /** Paths of objects and arrays returned whole. */
    private readonly pick: (path: string) => boolean,
    /** Paths of scalars to remember (they must come before the values picked after them). */
    private readonly remember: (path: string) => boolean,
    private readonly what: string,
  ) {}

  private fail(message: string, at = this.offset): never {
    throw new StenoError('invalid_input', `${this.what}: not valid JSON: ${message} at character ${at}`);
  }

  private childPath(): string {
    const top = this.stack.at(-1);
    if (top === undefined) return '$';
    return top.kind === 'array' ? `${top.path}[]` : `${top.path}.${top.key ?? ''}`;
  }

  /** Feeds the next piece of text; returns the values completed within it. */
  push(text: string): PickedValue[] {
    const out: PickedValue[] = [];
    let captureFrom = this.capture === null ? -1 : 0;
    let scalarFrom = this.scalarCapture === null ? -1 : 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const at = this.offset + i;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.keyChars !== null) {
            const top = this.stack.at(-1)!;
            top.key = this.keyChars.join('');
            this.keyChars = null;
          } else if (this.scalarCapture !== null && this.capture === null) {
            this.scalarCapture.chars.push(text.slice(scalarFrom, i + 1));
            this.endScalar();
            scalarFrom = -1;
          }
          continue;
        }
        if (this.keyChars !== null) {
          this.keyChars.push(text[i]!);
          if (this.keyChars.length > 1024) this.fail('a key longer than 1024 characters', at);
        }
        continue;
      }
      if (this.inBare) {
        if (isBare(c)) continue;
        this.inBare = false;
        if (this.scalarCapture !== null && this.capture === null) {
          this.scalarCapture.chars.push(text.slice(Math.max(0, scalarFrom), i));
          this.endScalar();
          scalarFrom = -1;
        }
      }
      if (WS.has(c)) continue;
      const top = this.stack.at(-1);
      if (this.finished) this.fail('text after the end of the document', at);
      if (c === 0x22) {
        this.inString = true;
        if (top?.kind === 'object' && top.expectKey) {
          this.keyChars = [];
        } else {
          this.startValue(at);
          if (this.capture === null && this.remember(this.childPath())) {
            this.scalarCapture = { path: this.childPath(), chars: [] };
            scalarFrom = i;
          }
        }
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        this.startValue(at);
        const path = this.childPath();
        if (this.capture === null && this.pick(path)) {
          this.beginCapture(path);
          captureFrom = i;
        }
        // A new object forgets the scalars remembered in the one before it at the same place.
        for (const remembered of this.scalars.keys())
          if (remembered.startsWith(`${path}.`)) this.scalars.delete(remembered);
        this.stack.push({ kind: c === 0x7b ? 'object' : 'array', path, key: null, expectKey: c === 0x7b });
        this.started = true;
        continue;
      }
      if (c === 0x7d || c === 0x5d) {
        if (top === undefined || top.kind !== (c === 0x7d ? 'object' : 'array'))
          this.fail(`an unexpected ${text[i]}`, at);
        this.stack.pop();
        if (this.capture !== null && this.stack.length === this.captureDepth) {
          this.capture.push(text.slice(captureFrom, i + 1));
          out.push(this.endCapture());
          captureFrom = -1;
        }
        if (this.stack.length === 0) this.finished = true;
        continue;
      }
      if (c === 0x3a) {
        if (top?.kind !== 'object' || !top.expectKey || top.key === null) this.fail('an unexpected :', at);
        top.expectKey = false;
        continue;
      }
      if (c === 0x2c) {
        if (top === undefined) this.fail('an unexpected ,', at);
        if (top.kind === 'object') {
          top.expectKey = true;
          top.key = null;
        }
        continue;
      }
      // The start of a number, true, false or null (JSON.parse checks the token itself).
      if (!isBare(c)) this.fail(`an unexpected ${JSON.stringify(text[i])}`, at);
      this.startValue(at);
      this.inBare = true;
      if (top === undefined) this.started = true;
      if (this.capture === null && this.remember(this.childPath())) {
        this.scalarCapture = { path: this.childPath(), chars: [] };
        scalarFrom = i;
      }
    }
    if (this.capture !== null && captureFrom >= 0) {
      this.capture.push(text.slice(captureFrom));
      this.captureLength += text.length - captureFrom;
      if (this.captureLength > MAX_PICKED_CHARS) this.fail(`a value longer than ${MAX_PICKED_CHARS} characters`);
    }
    if (this.scalarCapture !== null && scalarFrom >= 0) this.scalarCapture.chars.push(text.slice(scalarFrom));
    this.offset += text.length;
    return out;
  }

  /** Checks the document ended where it should. */
  end(): void {
    if (!this.started) this.fail('no JSON object or array', this.offset);
    this.inBare = false;
    if (this.inString || this.stack.length > 0) this.fail('the document is truncated', this.offset);
  }

  /** In an object, a value may only come after its key and colon. */
  private startValue(at: number): void {
    const top = this.stack.at(-1);
    if (top === undefined) {
      if (this.started) this.fail('text after the end of the document', at);
      return;
    }
    if (top.kind === 'object' && top.expectKey) this.fail('a value where a key was expected', at);
  }

  private beginCapture(path: string): void {
    this.capture = [];
    this.captureLength = 0;
    this.captureDepth = this.stack.length;
    this.capturePath = path;
  }

  private endCapture(): PickedValue {
    const text = this.capture!.join('');
    this.capture = null;
    let value: unknown;
    try {
      value = JSON.parse(withUnicodeEscapes(text));
    } catch (error) {
      this.fail(`${(error as Error).message} in the value at ${this.capturePath}`);
    }
    // Scalars of objects that have closed are forgotten; those of enclosing objects stay.
    return { path: this.capturePath, value, scalars: new Map(this.scalars) };
  }

  private endScalar(): void {
    const { path, chars } = this.scalarCapture!;
    this.scalarCapture = null;
    try {
      this.scalars.set(path, JSON.parse(withUnicodeEscapes(chars.join('').trim())));
    } catch {
      this.fail(`a malformed value at ${path}`);
    }
  }
}

/** `\xNN` (not JSON) as `\u00NN`; every other escape is left as it is. */
function withUnicodeEscapes(text: string): string {
  if (!text.includes('\\x')) return text;
  return text.replace(/\\(x[0-9a-fA-F]{2}|[\s\S])/g, (all, escaped: string) =>
    escaped.length === 3 ? `\\u00${escaped.slice(1)}` : all,
  );
}
