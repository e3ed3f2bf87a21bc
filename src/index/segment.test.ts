import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCjk, segmentForIndex, tokenize } from './segment.js';

// A slow, obviously-correct statement of what segmentForIndex does, to check the hand-written loop against.
function reference(text: string): string {
  const s = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\u00AD|\u200C|\u200D|\u2060|\uFEFF|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/gu, '');
  const spaced = s.replace(/([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\u30FC]\p{M}*)/gu, ' $1 ');
  return (spaced.match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).join(' ');
}

describe('isCjk', () => {
  it('recognises Han, kana and Hangul', () => {
    for (const c of ['騰', '腾', '々', '㐀', '𠀀', '豈', 'あ', 'ア', 'ー', '한', 'ｱ']) expect(isCjk(c), c).toBe(true);
  });

  it('rejects Latin, digits, punctuation and full-width Latin', () => {
    for (const c of ['a', 'Z', '7', '７', 'Ａ', '。', '、', '「', ' ', '', 'é', 'ж', '😀'])
      expect(isCjk(c), c).toBe(false);
  });
});

describe('segmentForIndex', () => {
  it('makes every CJK character a token of its own', () => {
    expect(segmentForIndex('騰訊控股')).toBe('騰 訊 控 股');
    expect(segmentForIndex('幫我買騰訊 100手 @ 380')).toBe('幫 我 買 騰 訊 100 手 380');
    expect(segmentForIndex('please sell 5 lots of 騰訊控股')).toBe('please sell 5 lots of 騰 訊 控 股');
    expect(segmentForIndex('腾讯控股')).toBe('腾 讯 控 股');
    expect(segmentForIndex('コーヒーを飲む')).toBe('コ ー ヒ ー を 飲 む');
    expect(segmentForIndex('삼성전자가 올랐다')).toBe('삼 성 전 자 가 올 랐 다');
    expect(segmentForIndex('𠀀𠀁ab')).toBe('𠀀 𠀁 ab'); // extension B, two UTF-16 units each
  });

  it('reduces other text to lower-cased tokens, as both engines would split it', () => {
    expect(segmentForIndex('Buy 2000 HSBC at market')).toBe('buy 2000 hsbc at market');
    expect(segmentForIndex("don't")).toBe('don t');
    expect(segmentForIndex('0700.HK @ 3.80')).toBe('0700 hk 3 80');
    expect(segmentForIndex('+852-9123-4567')).toBe('852 9123 4567');
    expect(segmentForIndex('  Straße, Ελλάδα!  ')).toBe('straße ελλάδα');
    expect(segmentForIndex('')).toBe('');
    expect(segmentForIndex(' \t\n\u3000 ')).toBe('');
    expect(segmentForIndex('👍❤️ !!!')).toBe('');
  });

  it('normalises to NFKC', () => {
    expect(segmentForIndex('ＡＢＣ ７００')).toBe('abc 700');
    expect(segmentForIndex('ｶﾞｿﾘﾝ')).toBe('ガ ソ リ ン');
    expect(segmentForIndex('㍻')).toBe('平 成');
    expect(segmentForIndex('cafe\u0301')).toBe('café');
  });

  it('keeps combining marks with the character they follow', () => {
    expect(segmentForIndex('騰\u0301b')).toBe('騰\u0301 b');
    expect(segmentForIndex('हिन्दी')).toBe('हिन्दी');
  });

  it('drops invisible joiners and variation selectors without splitting the word', () => {
    expect(segmentForIndex('葛\u{E0100}城')).toBe('葛 城');
    expect(segmentForIndex('sec\u00ADurities')).toBe('securities');
    expect(segmentForIndex('a\u200Db\u2060c')).toBe('abc');
    expect(segmentForIndex('\uFEFFhello')).toBe('hello');
  });

  it('agrees with a regex reference implementation on any text', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({
        unit: fc.constantFrom(
          '騰',
          '訊',
          'a',
          'B',
          '7',
          ' ',
          '.',
          '\u0301',
          '\u{E0100}',
          '\u200D',
          '𠀀',
          'ｶ',
          'ﾞ',
          'Ａ',
          '\uD800',
        ),
        maxLength: 30,
      }),
    );
    fc.assert(
      fc.property(text, (s) => {
        expect(segmentForIndex(s)).toBe(reference(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent, so indexing already-segmented text changes nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        const once = segmentForIndex(s);
        expect(segmentForIndex(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('is fast enough for ingest (20k+ messages a second)', () => {
    const messages = [
      '幫我買騰訊 100手 @ 380，如果跌穿375就止蝕。另外沽出 0700 五百股，記得落盤前確認。thx! 騰訊控股今日開市後表現強勁，成交量大增，記得同我講。',
      'Hi John, please buy 2000 HSBC at market and sell 5 lots of 騰訊控股 before close. Also check 0700.HK limit 381, thanks. Call me at +852-9123-4567 if anything changes, or WhatsApp the desk. Regards.',
    ];
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) segmentForIndex(messages[i % 2]! + i);
    // Measured at about 40 ms; the bound leaves room for slow, busy CI machines.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('tokenize', () => {
  it('splits segmented text into tokens', () => {
    expect(tokenize('買100手騰訊')).toEqual(['買', '100', '手', '騰', '訊']);
    expect(tokenize('0700.HK')).toEqual(['0700', 'hk']);
    expect(tokenize('...')).toEqual([]);
  });
});
