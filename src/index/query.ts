/**
 * Steno's search syntax, parsed into a small AST and rendered for SQLite FTS5 and PostgreSQL tsquery.
 * User text never reaches an engine's own query syntax: every token is quoted by us, so no input can cause
 * an engine syntax error or invoke an operator we did not mean (NEAR, column filters, ^, weights...).
 *
 * Syntax:
 * - `buy hsbc`          whitespace-separated terms; all must match (AND)
 * - `"at market"`       phrase: the words in this order, next to each other (also “…” and ＂…＂)
 * - `sell OR buy`       either; upper-case OR only, binds tighter than AND (`a b OR c` = a AND (b OR c))
 * - `-hsbc`, `-"a b"`   exclude (also full-width －); cannot be joined by OR
 * - `hsb*`              prefix: at least 2 letters or digits before the `*`, not on CJK characters
 * - punctuation inside a term splits it like the index tokenizer does and makes a phrase:
 *   `0700.HK` is the phrase `0700 hk`, `don't` is `don t`; a term that is only punctuation (`@`, `(`, `)`)
 *   finds nothing and is dropped, so parentheses are ordinary punctuation, not grouping
 * - a CJK run is a phrase of its characters: `騰訊控股` is the phrase 騰 訊 控 股, `買100手騰訊` is 買 100 手 騰 訊
 * - a `"` inside a word starts a phrase: `abc"def"` is `abc "def"`
 *
 * Errors are StenoError('invalid_query') with one problem whose `where` is `column N`: N counts Unicode
 * code points from 1, so it matches what the user sees for CJK text.
 */

import { StenoError } from '../core/errors.js';
import { isCjk, tokenize } from './segment.js';

export const MAX_QUERY_LENGTH = 500;
export const MAX_QUERY_TERMS = 32;
export const MIN_PREFIX_LENGTH = 2;

/** Tokens that must appear next to each other in this order. A single word is a phrase of one token. */
export interface Phrase {
  readonly kind: 'phrase';
  /** At least one; NFKC-normalised and lower-cased, each a run of letters, digits and combining marks. */
  readonly tokens: readonly string[];
  /** The last token matches any word it begins. */
  readonly prefix: boolean;
}

/** `a OR b OR c`: at least two options. */
export interface AnyOf {
  readonly kind: 'anyOf';
  readonly options: readonly Phrase[];
}

export type Clause = Phrase | AnyOf;

/** Every `include` clause must match and no `exclude` phrase may. `include` is never empty. */
export interface Query {
  readonly include: readonly Clause[];
  readonly exclude: readonly Phrase[];
}

type Lexeme =
  | { readonly type: 'or'; readonly column: number }
  | {
      readonly type: 'word' | 'phrase';
      readonly text: string;
      readonly negated: boolean;
      /** Column of the lexeme, including its `-`. */
      readonly column: number;
      /** Column of the first character of `text`. */
      readonly textColumn: number;
    };

type TermLexeme = Extract<Lexeme, { type: 'word' | 'phrase' }>;

function fail(column: number, message: string): never {
  const where = `column ${column}`;
  throw new StenoError('invalid_query', `Cannot read the search query: ${message} (${where})`, {
    problems: [{ where, message }],
  });
}

const WHITESPACE = /^\s$/u;
const isSpace = (c: string): boolean => WHITESPACE.test(c);
// Full-width and typographic forms too: CJK input methods and phone keyboards produce them unasked.
const isQuote = (c: string): boolean => c === '"' || c === '＂' || c === '“' || c === '”';
const isMinus = (c: string): boolean => c === '-' || c === '－';
const isStar = (c: string): boolean => c === '*' || c === '＊';
const TOKEN_CHAR = /^[\p{L}\p{N}\p{M}]/u;

/** Splits the input into words, phrases and OR, lazily so that errors are reported in reading order. */
function* lex(chars: readonly string[]): Generator<Lexeme> {
  let terms = 0;
  let i = 0;
  while (i < chars.length) {
    if (isSpace(chars[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let negated = false;
    const next = chars[i + 1];
    // A lone `-` (followed by a space or the end) is punctuation, not an exclusion of nothing.
    if (isMinus(chars[i]!) && next !== undefined && !isSpace(next)) {
      negated = true;
      i++;
    }
    let lexeme: Lexeme;
    if (isQuote(chars[i]!)) {
      const open = i;
      let close = i + 1;
      while (close < chars.length && !isQuote(chars[close]!)) close++;
      if (close >= chars.length) fail(open + 1, 'this quote is never closed; add a closing "');
      const text = chars.slice(open + 1, close).join('');
      lexeme = { type: 'phrase', text, negated, column: start + 1, textColumn: open + 2 };
      i = close + 1;
    } else {
      let end = i;
      while (end < chars.length && !isSpace(chars[end]!) && !isQuote(chars[end]!)) end++;
      const text = chars.slice(i, end).join('');
      lexeme =
        text === 'OR' && !negated
          ? { type: 'or', column: start + 1 }
          : { type: 'word', text, negated, column: start + 1, textColumn: i + 1 };
      i = end;
    }
    if (lexeme.type !== 'or' && ++terms > MAX_QUERY_TERMS) {
      fail(start + 1, `too many terms; a query may have at most ${MAX_QUERY_TERMS}`);
    }
    yield lexeme;
  }
}

/** The phrase a word or quoted phrase stands for, or null if it has no letters or digits. */
function toPhrase(lexeme: TermLexeme): Phrase | null {
  const chars = Array.from(lexeme.text);
  const last = chars.at(-1);
  if (lexeme.type === 'word' && last !== undefined && isStar(last)) {
    const starColumn = lexeme.textColumn + chars.length - 1;
    const stem = chars.slice(0, -1);
    const tokens = tokenize(stem.join(''));
    const lastToken = tokens.at(-1);
    const beforeStar = stem.at(-1)?.normalize('NFKC');
    const tooShort = `a prefix search needs at least ${MIN_PREFIX_LENGTH} letters or digits right before *`;
    // `ab.*` would silently search for `ab*`; say so instead of guessing.
    if (lastToken === undefined || beforeStar === undefined || !TOKEN_CHAR.test(beforeStar)) fail(starColumn, tooShort);
    if (isCjk(lastToken)) {
      fail(
        starColumn,
        'a prefix search (*) cannot end in a Chinese, Japanese or Korean character; each is indexed on its own, so search for the characters without *',
      );
    }
    if (Array.from(lastToken).length < MIN_PREFIX_LENGTH) fail(starColumn, tooShort);
    return { kind: 'phrase', tokens, prefix: true };
  }
  const tokens = tokenize(lexeme.text);
  return tokens.length === 0 ? null : { kind: 'phrase', tokens, prefix: false };
}

/** Parses a query in Steno's syntax (see the top of this file). Throws StenoError('invalid_query'). */
export function parseQuery(input: string): Query {
  if (input.trim() === '') fail(1, 'the query is empty; type a word to search for');
  // Count code points only when UTF-16 length says it might be too long.
  if (input.length > MAX_QUERY_LENGTH) {
    let count = 0;
    for (const _ of input) {
      if (++count > MAX_QUERY_LENGTH) {
        fail(MAX_QUERY_LENGTH + 1, `the query is too long; it may have at most ${MAX_QUERY_LENGTH} characters`);
      }
    }
  }

  // OR chains as written; a chain of one is a plain term.
  const groups: { members: { lexeme: TermLexeme; phrase: Phrase | null }[] }[] = [];
  let pendingOr: { column: number } | null = null;
  for (const lexeme of lex(Array.from(input))) {
    if (lexeme.type === 'or') {
      if (pendingOr) fail(lexeme.column, 'OR cannot follow another OR; put a term between them');
      const before = groups.at(-1)?.members.at(-1);
      if (!before) fail(lexeme.column, 'OR needs a term before it');
      if (before.lexeme.negated) fail(lexeme.column, 'OR cannot join an excluded (-) term');
      pendingOr = lexeme;
      continue;
    }
    if (pendingOr && lexeme.negated) fail(lexeme.column, 'OR cannot join an excluded (-) term');
    const member = { lexeme, phrase: toPhrase(lexeme) };
    if (pendingOr) groups.at(-1)!.members.push(member);
    else groups.push({ members: [member] });
    pendingOr = null;
  }
  if (pendingOr) fail(pendingOr.column, 'OR needs a term after it');

  const include: Clause[] = [];
  const exclude: Phrase[] = [];
  let firstExcluded: number | undefined;
  for (const { members } of groups) {
    const first = members[0]!.lexeme;
    if (first.negated) firstExcluded ??= first.column;
    // Punctuation-only options find nothing, so `buy OR @` is just `buy`.
    const options = members.flatMap((m) => (m.phrase ? [m.phrase] : []));
    const [only] = options;
    if (only === undefined) continue;
    if (first.negated) exclude.push(only);
    else include.push(options.length === 1 ? only : { kind: 'anyOf', options });
  }
  if (include.length === 0) {
    // Every engine needs something positive to look up; "everything except X" is not a search.
    if (exclude.length > 0 && firstExcluded !== undefined) {
      fail(firstExcluded, 'the query only excludes (-) terms; add a term to search for');
    }
    fail(groups[0]?.members[0]?.lexeme.column ?? 1, 'the query has no letters or digits to search for');
  }
  return { include, exclude };
}

function assertSearchable(query: Query): void {
  // Only a hand-built Query can get here; parseQuery never returns one without a positive clause.
  if (query.include.length === 0) fail(1, 'the query has nothing to search for');
}

// FTS5 strings are double-quoted with `"` doubled; a string of several tokens is a phrase.
const fts5String = (text: string): string => `"${text.replaceAll('"', '""')}"`;

function fts5Phrase(phrase: Phrase): string {
  const quoted = fts5String(phrase.tokens.join(' '));
  return phrase.prefix ? `${quoted} *` : quoted;
}

function fts5Clause(clause: Clause): string {
  return clause.kind === 'phrase' ? fts5Phrase(clause) : `(${clause.options.map(fts5Phrase).join(' OR ')})`;
}

/** An FTS5 MATCH expression for a table tokenized with `unicode61 remove_diacritics 2` over `segmentForIndex` text. */
export function toFts5Match(query: Query): string {
  assertSearchable(query);
  const include = query.include.map(fts5Clause).join(' AND ');
  if (query.exclude.length === 0) return include;
  // FTS5's NOT is binary and left-associative: (a AND b) NOT x NOT y.
  return [`(${include})`, ...query.exclude.map(fts5Phrase)].join(' NOT ');
}

// tsquery lexemes are single-quoted; inside, `'` is doubled and `\` escapes, so both are escaped.
const tsLexeme = (token: string): string => `'${token.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

function tsPhrase(phrase: Phrase): string {
  const last = phrase.tokens.length - 1;
  const parts = phrase.tokens.map((t, i) => (phrase.prefix && i === last ? `${tsLexeme(t)}:*` : tsLexeme(t)));
  return parts.length === 1 ? parts[0]! : `( ${parts.join(' <-> ')} )`;
}

function tsClause(clause: Clause): string {
  return clause.kind === 'phrase' ? tsPhrase(clause) : `( ${clause.options.map(tsPhrase).join(' | ')} )`;
}

/**
 * A query string for `to_tsquery('simple', $1)`, to match `to_tsvector('simple', segmentForIndex(text))`.
 * Pass it as a bind parameter; it is tsquery syntax, not SQL.
 */
export function toTsquery(query: Query): string {
  assertSearchable(query);
  return [...query.include.map(tsClause), ...query.exclude.map((p) => `!${tsPhrase(p)}`)].join(' & ');
}
