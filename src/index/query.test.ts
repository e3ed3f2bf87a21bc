import { describe, expect, it } from 'vitest';
import { StenoError } from '../core/errors.js';
import { type Phrase, parseQuery, type Query, toFts5Match, toTsquery } from './query.js';

const term = (...tokens: string[]): Phrase => ({ kind: 'phrase', tokens, prefix: false });
const prefix = (...tokens: string[]): Phrase => ({ kind: 'phrase', tokens, prefix: true });

function rejection(input: string): { code: string; where: string | undefined; message: string } {
  try {
    parseQuery(input);
  } catch (error) {
    if (!(error instanceof StenoError)) throw error;
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain(error.problems[0]!.where);
    return { code: error.code, where: error.problems[0]?.where, message: error.problems[0]?.message ?? '' };
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

function expectRejected(input: string, column: number, message: RegExp): void {
  const r = rejection(input);
  expect(r.code).toBe('invalid_query');
  expect(r.where).toBe(`column ${column}`);
  expect(r.message).toMatch(message);
}

describe('parseQuery', () => {
  it('ANDs whitespace-separated terms', () => {
    expect(parseQuery('buy  hsbc\t0005')).toEqual({ include: [term('buy'), term('hsbc'), term('0005')], exclude: [] });
  });

  it('lower-cases and NFKC-normalises terms', () => {
    expect(parseQuery('HSBC ＡＢＣ Straße')).toEqual({
      include: [term('hsbc'), term('abc'), term('straße')],
      exclude: [],
    });
  });

  it('reads a quoted phrase, including typographic and full-width quotes', () => {
    expect(parseQuery('"at market"').include).toEqual([term('at', 'market')]);
    expect(parseQuery('“at market”').include).toEqual([term('at', 'market')]);
    expect(parseQuery('＂at market＂').include).toEqual([term('at', 'market')]);
    expect(parseQuery('buy "at  market" now').include).toEqual([term('buy'), term('at', 'market'), term('now')]);
  });

  it('starts a phrase at a quote inside a word', () => {
    expect(parseQuery('abc"def ghi"').include).toEqual([term('abc'), term('def', 'ghi')]);
    expect(parseQuery('"abc"def').include).toEqual([term('abc'), term('def')]);
  });

  it('reads OR between terms and phrases, binding tighter than AND', () => {
    expect(parseQuery('sell OR buy')).toEqual({
      include: [{ kind: 'anyOf', options: [term('sell'), term('buy')] }],
      exclude: [],
    });
    expect(parseQuery('hsbc sell OR "buy back" OR 沽').include).toEqual([
      term('hsbc'),
      { kind: 'anyOf', options: [term('sell'), term('buy', 'back'), term('沽')] },
    ]);
  });

  it('treats lower-case or as an ordinary term', () => {
    expect(parseQuery('sell or buy').include).toEqual([term('sell'), term('or'), term('buy')]);
    expect(parseQuery('"OR"').include).toEqual([term('or')]);
  });

  it('excludes -term and -"phrase", with the exclusions kept apart', () => {
    expect(parseQuery('-hsbc buy')).toEqual({ include: [term('buy')], exclude: [term('hsbc')] });
    expect(parseQuery('buy -"at market" －hsbc')).toEqual({
      include: [term('buy')],
      exclude: [term('at', 'market'), term('hsbc')],
    });
  });

  it('treats a lone - as punctuation', () => {
    expect(parseQuery('buy - sell')).toEqual({ include: [term('buy'), term('sell')], exclude: [] });
  });

  it('reads a prefix search', () => {
    expect(parseQuery('hsb*').include).toEqual([prefix('hsb')]);
    expect(parseQuery('HSB＊').include).toEqual([prefix('hsb')]);
    expect(parseQuery('0700.hk*').include).toEqual([prefix('0700', 'hk')]);
    expect(parseQuery('騰訊ab*').include).toEqual([prefix('騰', '訊', 'ab')]);
    expect(parseQuery('buy -hsb*')).toEqual({ include: [term('buy')], exclude: [prefix('hsb')] });
  });

  it('treats * inside a word or a phrase as punctuation', () => {
    expect(parseQuery('a*b').include).toEqual([term('a', 'b')]);
    expect(parseQuery('"hsb*"').include).toEqual([term('hsb')]);
  });

  it('splits a term at punctuation into a phrase, as the tokenizer does', () => {
    expect(parseQuery("don't").include).toEqual([term('don', 't')]);
    expect(parseQuery('0700.HK').include).toEqual([term('0700', 'hk')]);
    expect(parseQuery('+852-9123').include).toEqual([term('852', '9123')]);
    expect(parseQuery('hsbc-holdings').include).toEqual([term('hsbc', 'holdings')]);
  });

  it('turns a CJK run into a phrase of its characters', () => {
    expect(parseQuery('騰訊控股').include).toEqual([term('騰', '訊', '控', '股')]);
    expect(parseQuery('買100手騰訊').include).toEqual([term('買', '100', '手', '騰', '訊')]);
    expect(parseQuery('騰訊 沽').include).toEqual([term('騰', '訊'), term('沽')]);
    expect(parseQuery('ｶﾞｿﾘﾝ').include).toEqual([term('ガ', 'ソ', 'リ', 'ン')]);
  });

  it('drops punctuation-only terms when something else is left', () => {
    expect(parseQuery('buy @ 380').include).toEqual([term('buy'), term('380')]);
    expect(parseQuery('buy OR @').include).toEqual([term('buy')]);
    expect(parseQuery('buy -@')).toEqual({ include: [term('buy')], exclude: [] });
    expect(parseQuery('buy "..."').include).toEqual([term('buy')]);
  });

  it('treats parentheses as punctuation, so a parenthesised OR still reads naturally', () => {
    expect(parseQuery('(sell OR buy) hsbc').include).toEqual([
      { kind: 'anyOf', options: [term('sell'), term('buy')] },
      term('hsbc'),
    ]);
    expect(parseQuery('( buy )').include).toEqual([term('buy')]);
  });

  it('accepts exactly the maximum length and term count', () => {
    expect(() => parseQuery('a'.repeat(500))).not.toThrow();
    expect(() => parseQuery('𠀀'.repeat(500))).not.toThrow(); // 1000 UTF-16 units, 500 characters
    expect(parseQuery(Array.from({ length: 32 }, (_, i) => `t${i}`).join(' ')).include).toHaveLength(32);
  });

  describe('errors', () => {
    it('rejects an empty query', () => {
      expectRejected('', 1, /empty/);
      expectRejected(' \t\u3000 ', 1, /empty/);
    });

    it('rejects an unbalanced quote at the opening quote', () => {
      expectRejected('buy "at market', 5, /quote/);
      expectRejected('"a" "b" "c', 9, /quote/);
      expectRejected('-"at market', 2, /quote/);
    });

    it('rejects OR at the start, at the end or doubled', () => {
      expectRejected('OR buy', 1, /before/);
      expectRejected('buy OR', 5, /after/);
      expectRejected('buy OR OR sell', 8, /another OR/);
      expectRejected('OR', 1, /before/);
    });

    it('rejects OR next to an excluded term', () => {
      expectRejected('buy OR -hsbc', 8, /excluded/);
      expectRejected('-hsbc OR buy', 7, /excluded/);
    });

    it('rejects a query of only excluded terms', () => {
      expectRejected('-hsbc', 1, /only excludes/);
      expectRejected('@ -hsbc -"at market"', 3, /only excludes/);
    });

    it('rejects a query of only punctuation', () => {
      expectRejected('@', 1, /no letters or digits/);
      expectRejected('  ( ) -', 3, /no letters or digits/);
      expectRejected('"..."', 1, /no letters or digits/);
      expectRejected('👍', 1, /no letters or digits/);
    });

    it('rejects a prefix that is too short, at the *', () => {
      expectRejected('a*', 2, /at least 2/);
      expectRejected('buy *', 5, /at least 2/);
      expectRejected('ab.*', 4, /at least 2/);
      expectRejected('hsb**', 5, /at least 2/);
      expectRejected('0700.h*', 7, /at least 2/);
      expectRejected('-x*', 3, /at least 2/);
    });

    it('rejects a prefix on a CJK character, at the *', () => {
      expectRejected('騰*', 2, /Chinese, Japanese or Korean/);
      expectRejected('buy 騰訊*', 7, /Chinese, Japanese or Korean/);
      expectRejected('ab騰*', 4, /Chinese, Japanese or Korean/);
    });

    it('rejects a query over 500 characters', () => {
      expectRejected('a'.repeat(501), 501, /at most 500/);
      expectRejected('𠀀'.repeat(501), 501, /at most 500/);
    });

    it('rejects more than 32 terms, at the 33rd', () => {
      const terms = Array.from({ length: 33 }, (_, i) => `t${i}`);
      const column = terms.slice(0, 32).join(' ').length + 2;
      expectRejected(terms.join(' '), column, /at most 32/);
      // OR operands count as terms; OR itself does not.
      expectRejected(Array.from({ length: 33 }, () => 'a').join(' OR '), 32 * 5 + 1, /at most 32/);
    });

    it('counts columns in characters, not UTF-16 units', () => {
      expectRejected('𠀀𠀀 "x', 4, /quote/);
    });

    it('reports the first problem in reading order', () => {
      expectRejected('OR "unclosed', 1, /before/);
      expectRejected('a* OR', 2, /at least 2/);
    });
  });
});

describe('toFts5Match', () => {
  const fts5 = (input: string) => toFts5Match(parseQuery(input));

  it('quotes every token and renders phrases as one string', () => {
    expect(fts5('buy hsbc')).toBe('"buy" AND "hsbc"');
    expect(fts5('"at market"')).toBe('"at market"');
    expect(fts5('騰訊控股')).toBe('"騰 訊 控 股"');
    expect(fts5('NEAR AND NOT')).toBe('"near" AND "and" AND "not"');
  });

  it('renders OR, prefix and NOT', () => {
    expect(fts5('sell OR buy')).toBe('("sell" OR "buy")');
    expect(fts5('hsb*')).toBe('"hsb" *');
    expect(fts5('0700.hk*')).toBe('"0700 hk" *');
    expect(fts5('-hsbc buy')).toBe('("buy") NOT "hsbc"');
    expect(fts5('a1 b1 OR c1 -d1 -"e1 f1"')).toBe('("a1" AND ("b1" OR "c1")) NOT "d1" NOT "e1 f1"');
  });

  it('doubles double quotes in hand-built queries', () => {
    const query: Query = { include: [term('say "hi"')], exclude: [] };
    expect(toFts5Match(query)).toBe('"say ""hi"""');
  });

  it('refuses a query with nothing to include', () => {
    expect(() => toFts5Match({ include: [], exclude: [term('x')] })).toThrow(StenoError);
  });
});

describe('toTsquery', () => {
  const ts = (input: string) => toTsquery(parseQuery(input));

  it('quotes every token and renders phrases with <->', () => {
    expect(ts('buy hsbc')).toBe("'buy' & 'hsbc'");
    expect(ts('"at market"')).toBe("( 'at' <-> 'market' )");
    expect(ts('騰訊')).toBe("( '騰' <-> '訊' )");
  });

  it('renders OR, prefix and NOT', () => {
    expect(ts('sell OR buy')).toBe("( 'sell' | 'buy' )");
    expect(ts('hsb*')).toBe("'hsb':*");
    expect(ts('0700.hk*')).toBe("( '0700' <-> 'hk':* )");
    expect(ts('-hsbc buy')).toBe("'buy' & !'hsbc'");
    expect(ts('a1 b1 OR c1 -d1 -"e1 f1"')).toBe("'a1' & ( 'b1' | 'c1' ) & !'d1' & !( 'e1' <-> 'f1' )");
  });

  it("escapes ' and \\ in hand-built queries", () => {
    const query: Query = { include: [term("it's", 'a\\b')], exclude: [] };
    expect(toTsquery(query)).toBe("( 'it''s' <-> 'a\\\\b' )");
  });

  it('refuses a query with nothing to include', () => {
    expect(() => toTsquery({ include: [], exclude: [] })).toThrow(StenoError);
  });
});
