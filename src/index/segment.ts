/**
 * Text segmentation for full-text indexing.
 *
 * Neither SQLite's unicode61 tokenizer nor PostgreSQL's default parser splits Chinese, Japanese or Korean
 * text into words, and neither can find a 2-character word such as 騰訊 inside a longer run. So Steno
 * indexes a copy of the text in which every CJK character stands alone as a token, and the query parser
 * (query.ts) turns a CJK run into a phrase of single characters.
 *
 * The copy is reduced to the tokens themselves (lower-cased, separated by single spaces) rather than keeping
 * punctuation, because the two engines disagree about punctuation and neither agrees with the parser:
 * PostgreSQL's parser keeps `0700.HK` (a "host"), `3.80`, `-9123`, e-mail addresses and URLs as single
 * lexemes, and unicode61 (Unicode 6.1 tables) keeps newer symbols such as ₽ inside words. PostgreSQL also
 * lower-cases only ASCII in a database with LC_CTYPE=C. Given plain tokens, both engines index exactly the
 * tokens `tokenize` gives the parser.
 */

// Han (unified, extensions, compatibility ideographs, radicals, 々), kana and Hangul. The prolonged
// sound mark ー is script Common but only ever appears inside kana words, so it is segmented with them.
const CJK = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\u30FC]$/u;
// Letters, digits and combining marks make up words (unicode61 also keeps diacritics inside words).
const WORD = /^[\p{L}\p{N}\p{M}]$/u;
const MARK = /^\p{M}$/u;
// Invisible characters that never break a word but would split one: soft hyphen, ZWNJ, ZWJ, word joiner,
// BOM, and variation selectors (an ideographic variation sequence such as 葛 + U+E0100 must find 葛).
function isIgnorable(cp: number): boolean {
  return (
    cp === 0xad ||
    cp === 0x200c ||
    cp === 0x200d ||
    cp === 0x2060 ||
    cp === 0xfeff ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

// Character classes as bits, so the hot loop does one table lookup per character instead of regex tests.
const KNOWN = 1;
const IS_WORD = 2;
const IS_CJK = 4;
const IS_MARK = 8;
const IS_IGNORABLE = 16;

// Planes 0-3 (BMP, emoji and the ideographic planes with CJK extensions B-I), filled lazily: classifying
// all entries up front would slow every process start. The rest (tags, private use) is classified each time.
const TABLE_END = 0x40000;
const kinds = new Uint8Array(TABLE_END);

function classify(cp: number): number {
  // Variation selectors are combining marks too, but must be dropped rather than joined.
  if (isIgnorable(cp)) return KNOWN | IS_IGNORABLE;
  const char = String.fromCodePoint(cp);
  return KNOWN | (WORD.test(char) ? IS_WORD : 0) | (CJK.test(char) ? IS_CJK : 0) | (MARK.test(char) ? IS_MARK : 0);
}

function kindOf(cp: number): number {
  if (cp < 0x80) {
    const isWord = (cp >= 0x30 && cp <= 0x39) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a);
    return isWord ? KNOWN | IS_WORD : KNOWN;
  }
  if (cp >= TABLE_END) return classify(cp);
  let kind = kinds[cp]!;
  if (kind === 0) {
    kind = classify(cp);
    kinds[cp] = kind;
  }
  return kind;
}

/** Whether the first code point of `char` is a CJK ideograph, kana or Hangul character. */
export function isCjk(char: string): boolean {
  const cp = char.codePointAt(0);
  return cp !== undefined && (kindOf(cp) & IS_CJK) !== 0;
}

/**
 * The text to hand to the index (FTS5 `unicode61` or PostgreSQL `to_tsvector('simple', …)`): NFKC-normalised
 * (so full-width ＡＢＣ matches abc and ㍻ matches 平成) and lower-cased, with every CJK character a token of
 * its own, and punctuation, symbols and whitespace replaced by single spaces:
 * `幫我買騰訊 100手 @ 380` → `幫 我 買 騰 訊 100 手 380`, `0700.HK` → `0700 hk`.
 * Invisible joiners and variation selectors are dropped without splitting the word they are in.
 */
export function segmentForIndex(text: string): string {
  const s = text.normalize('NFKC').toLowerCase();
  // One pass; runs of word characters are copied as slices, not character by character.
  let out = '';
  let from = -1; // start of the word characters not yet copied to `out`, or -1
  let prev = 0; // what precedes this character: 0 nothing or a separator, 1 a CJK token, 2 another word
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const at = i;
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    const kind = kindOf(cp);
    if (kind & IS_WORD) {
      // A combining mark belongs to the character before it; a CJK character always starts a new token,
      // and so does anything after one.
      const joins = kind & IS_MARK ? prev !== 0 : kind & IS_CJK ? false : prev === 2;
      if (!joins) {
        if (from >= 0) out += s.slice(from, at);
        if (out !== '') out += ' ';
        from = at;
        prev = kind & IS_CJK ? 1 : 2;
      } else if (from < 0) {
        from = at; // the word resumes after a dropped invisible character
      }
    } else if (kind & IS_IGNORABLE) {
      if (from >= 0) out += s.slice(from, at);
      from = -1;
    } else {
      if (from >= 0) out += s.slice(from, at);
      from = -1;
      prev = 0;
    }
  }
  if (from >= 0) out += s.slice(from);
  return out;
}

/** The tokens of `text` as the index sees them: `segmentForIndex(text)` split at its spaces. */
export function tokenize(text: string): string[] {
  const segmented = segmentForIndex(text);
  return segmented === '' ? [] : segmented.split(' ');
}
