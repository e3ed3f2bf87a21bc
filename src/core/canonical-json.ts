/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Leaf bytes and content commitments depend on it, so an
 * independent verifier must be able to reproduce these bytes exactly.
 *
 * - Object members sorted by their names as UTF-16 code units (RFC 8785 §3.2.3), which is what
 *   JavaScript's default string comparison does.
 * - Numbers serialised as ECMAScript does (RFC 8785 §3.2.2.3); NaN and ±Infinity are not JSON.
 * - Strings escaped as JSON.stringify does (§3.2.2.2); lone surrogates are rejected (§3.2.2.2 requires
 *   well-formed Unicode).
 *
 * It runs on every ingested message, so it builds one string and names the offending path only when
 * it fails.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Deeper nesting than any real chat payload; a bound keeps hostile input from exhausting the stack. */
export const MAX_JSON_DEPTH = 64;

/** String.prototype.isWellFormed (ES2024, in Node 20): no lone surrogates, checked natively. */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

class CanonicalError extends TypeError {
  readonly path: (string | number)[] = [];
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function canonicalize(value: unknown): string {
  try {
    return write(value, 0);
  } catch (error) {
    if (!(error instanceof CanonicalError)) throw error;
    const path = error.path
      .reverse()
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('');
    throw new TypeError(`$${path}: ${error.reason}`);
  }
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

function str(s: string): string {
  if (!isWellFormed(s)) throw new CanonicalError('string holds a lone UTF-16 surrogate');
  return JSON.stringify(s);
}

function write(value: unknown, depth: number): string {
  if (depth > MAX_JSON_DEPTH) throw new CanonicalError(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  switch (typeof value) {
    case 'string':
      return str(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalError(`${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += child(value[i], depth, i);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const v = record[key];
        if (v === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${str(key)}:${child(v, depth, key)}`;
      }
      return `${out}}`;
    }
    default:
      throw new CanonicalError(`${typeof value} cannot be represented in JSON`);
  }
}

function child(value: unknown, depth: number, at: string | number): string {
  try {
    return write(value, depth + 1);
  } catch (error) {
    if (error instanceof CanonicalError) error.path.push(at);
    throw error;
  }
}
