/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Leaf bytes and content commitments depend on it, so an
 * independent verifier must be able to reproduce these bytes exactly.
 *
 * - Object members sorted by their names as UTF-16 code units (RFC 8785 §3.2.3), which is what
 *   JavaScript's default string comparison does.
 * - Numbers serialised as ECMAScript does (RFC 8785 §3.2.2.3); NaN and ±Infinity are not JSON.
 * - Strings escaped as JSON.stringify does (§3.2.2.2); lone surrogates are rejected (§3.2.2.2 requires
 *   well-formed Unicode).
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** String.prototype.isWellFormed (ES2024, in Node 20): no lone surrogates, checked natively. */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** Deeper nesting than any real chat payload; a bound keeps hostile input from exhausting the stack. */
export const MAX_JSON_DEPTH = 64;

export function canonicalize(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, '$', 0);
  return parts.join('');
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

function writeString(s: string, parts: string[], path: string): void {
  if (!isWellFormed(s)) throw new TypeError(`${path}: string holds a lone UTF-16 surrogate`);
  parts.push(JSON.stringify(s));
}

function write(value: unknown, parts: string[], path: string, depth: number): void {
  if (depth > MAX_JSON_DEPTH) throw new TypeError(`${path}: nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (value === null) {
    parts.push('null');
    return;
  }
  switch (typeof value) {
    case 'boolean':
      parts.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not a JSON number`);
      parts.push(JSON.stringify(value));
      return;
    case 'string':
      writeString(value, parts, path);
      return;
    case 'object': {
      if (Array.isArray(value)) {
        parts.push('[');
        value.forEach((item, i) => {
          if (i > 0) parts.push(',');
          write(item, parts, `${path}[${i}]`, depth + 1);
        });
        parts.push(']');
        return;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      parts.push('{');
      keys.forEach((key, i) => {
        if (i > 0) parts.push(',');
        writeString(key, parts, path);
        parts.push(':');
        write(record[key], parts, `${path}.${key}`, depth + 1);
      });
      parts.push('}');
      return;
    }
    default:
      throw new TypeError(`${path}: ${typeof value} cannot be represented in JSON`);
  }
}
