import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStenoError } from '../core/errors.js';
import { type Clause, type Phrase, parseQuery, type Query, toFts5Match } from './query.js';
import { segmentForIndex, tokenize } from './segment.js';

const MESSAGES: Record<number, string> = {
  1: '幫我買騰訊 100手 @ 380',
  2: '沽出 0700 五百股',
  3: 'Buy 2000 HSBC at market',
  4: 'please sell 5 lots of 騰訊控股',
  5: '騰飛科技 嘅 資訊 好多', // 騰 and 訊, but not together
  6: '腾讯 今日 涨咗 3%', // Simplified
  7: '0700.HK limit 381, market closed at 4pm', // "market" and "at", but not "at market"
  8: "don't buy HSBC yet, 等埋先",
  9: 'ＨＳＢＣ 沽 1000 股', // full-width Latin
  10: '我哋聽日再傾 騰', // only 騰
  11: '訊息已收到', // only 訊
  12: 'Sold 500 HSBC-Holdings @ 62.35',
  13: 'Please buy 騰訊 before the open',
};

let db: Database.Database;

function search(query: string): number[] {
  const rows = db
    .prepare('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid')
    .pluck()
    .all(toFts5Match(parseQuery(query)));
  return rows as number[];
}

beforeAll(() => {
  db = new Database(':memory:');
  db.exec("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')");
  const insert = db.prepare('INSERT INTO t(rowid, body) VALUES (?, ?)');
  for (const [id, text] of Object.entries(MESSAGES)) insert.run(Number(id), segmentForIndex(text));
});

afterAll(() => db.close());

describe('FTS5 search over segmented text', () => {
  it.each<[string, number[]]>([
    ['騰訊', [1, 4, 13]],
    ['腾讯', [6]],
    ['騰訊控股', [4]],
    ['買騰訊', [1]],
    ['買 騰訊', [1]],
    ['騰訊 -控股', [1, 13]],
    ['五百股', [2]],
    ['hsbc', [3, 8, 9, 12]],
    ['HSBC', [3, 8, 9, 12]],
    ['ＨＳＢＣ', [3, 8, 9, 12]],
    ['"at market"', [3]],
    ['at market', [3, 7]],
    ['sell OR buy', [3, 4, 8, 13]],
    ['-hsbc buy', [13]],
    ['hsb*', [3, 8, 9, 12]],
    ['hsbc-holdings', [12]],
    ['hsbc holdings', [12]],
    ['0700', [2, 7]],
    ['0700.HK', [7]],
    ["don't", [8]],
    ['62.35', [12]],
    ['380', [1]],
    ['(sell OR buy) hsbc', [3, 8]],
    ['沽 OR 賣 -1000', [2]],
    ['"buy 騰訊"', [13]],
  ])('%s', (query, expected) => {
    expect(search(query)).toEqual(expected);
  });
});

// What a query means, evaluated directly on the parser's tokens of each document.
function phraseMatches(phrase: Phrase, tokens: readonly string[]): boolean {
  const n = phrase.tokens.length;
  for (let start = 0; start + n <= tokens.length; start++) {
    const all = phrase.tokens.every((t, i) => {
      const doc = tokens[start + i]!;
      return phrase.prefix && i === n - 1 ? doc.startsWith(t) : doc === t;
    });
    if (all) return true;
  }
  return false;
}

function clauseMatches(clause: Clause, tokens: readonly string[]): boolean {
  return clause.kind === 'phrase'
    ? phraseMatches(clause, tokens)
    : clause.options.some((o) => phraseMatches(o, tokens));
}

function queryMatches(query: Query, tokens: readonly string[]): boolean {
  return query.include.every((c) => clauseMatches(c, tokens)) && !query.exclude.some((p) => phraseMatches(p, tokens));
}

describe('parseQuery and toFts5Match on arbitrary input', () => {
  // Pieces that exercise the syntax and FTS5's own syntax, mixed with arbitrary text.
  const piece = fc.oneof(
    fc.constantFrom(
      'OR',
      'AND',
      'NOT',
      'NEAR',
      'NEAR(a b)',
      '-',
      '"',
      '*',
      '＊',
      '“',
      '”',
      '－',
      '(',
      ')',
      '{body}:',
      'body:',
      '^',
      '+',
      "'",
      '\\',
      ':*',
      '&',
      '|',
      '!',
      '<->',
      '騰訊',
      '騰',
      'hsbc',
      'hsb*',
      'ab*',
      'a*',
      '0700.HK',
      "don't",
      '\u0301',
      '\u{E0100}',
      '𠀀',
      '👍',
      '\u3000',
    ),
    fc.string({ unit: 'binary', maxLength: 6 }),
  );
  const sep = fc.constantFrom(' ', '', '  ', '\t');
  const queryText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.array(fc.tuple(piece, sep), { maxLength: 12 }).map((parts) => parts.map(([p, s]) => p + s).join('')),
    fc.string({ unit: 'grapheme-ascii', minLength: 495, maxLength: 505 }),
  );

  it('either parses or throws invalid_query, and every parsed query runs in FTS5', () => {
    const statement = db.prepare('SELECT count(*) FROM t WHERE t MATCH ?').pluck();
    fc.assert(
      fc.property(queryText, (input) => {
        let query: Query;
        try {
          query = parseQuery(input);
        } catch (error) {
          expect(isStenoError(error) && error.code === 'invalid_query').toBe(true);
          if (isStenoError(error)) expect(error.problems[0]?.where).toMatch(/^column [1-9]\d*$/);
          return;
        }
        expect(query.include.length).toBeGreaterThan(0);
        expect(() => statement.get(toFts5Match(query))).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  it('finds exactly the documents the query means', () => {
    const word = fc.constantFrom(
      'buy',
      'sell',
      'hsbc',
      'hsbcx',
      'at',
      'market',
      '0700',
      'hk',
      '騰',
      '訊',
      '控',
      '股',
      '買',
    );
    const punct = fc.constantFrom(' ', ' ', '.', "'", '@ ', '，', '');
    const text = fc.array(fc.tuple(word, punct), { minLength: 1, maxLength: 10 }).map((ps) => ps.flat().join(''));
    const queryPiece = fc.oneof(
      word,
      word.map((w) => `-${w}`),
      fc.constantFrom('OR', 'hsb*', 'mark*', '-hsb*', '"at market"', '-"騰 訊"', '騰訊', '0700.hk', 'sell.hsbc*'),
    );
    const query = fc.array(queryPiece, { minLength: 1, maxLength: 5 }).map((ps) => ps.join(' '));

    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 8 }), query, (docs, input) => {
        let parsed: Query;
        try {
          parsed = parseQuery(input);
        } catch {
          return; // syntax errors are covered above
        }
        const local = new Database(':memory:');
        try {
          local.exec("CREATE VIRTUAL TABLE d USING fts5(body, tokenize='unicode61 remove_diacritics 2')");
          const insert = local.prepare('INSERT INTO d(rowid, body) VALUES (?, ?)');
          for (const [i, doc] of docs.entries()) insert.run(i + 1, segmentForIndex(doc));
          const found = local
            .prepare('SELECT rowid FROM d WHERE d MATCH ? ORDER BY rowid')
            .pluck()
            .all(toFts5Match(parsed));
          const expected = docs.flatMap((doc, i) => (queryMatches(parsed, tokenize(doc)) ? [i + 1] : []));
          expect(found).toEqual(expected);
        } finally {
          local.close();
        }
      }),
      { numRuns: 500 },
    );
  });
});
