import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, MAX_JSON_DEPTH } from './canonical-json.js';

describe('RFC 8785 canonical JSON', () => {
  it('sorts members by UTF-16 code units and drops no data', () => {
    // RFC 8785 §3.2.3's example: by UTF-16 code units "\r" (000D) < "1" (0031) < "\u0080" < "ö" (00F6)
    // < "€" (20AC) < "😀" (D83D DE00) < "\ufb33". (Object.keys cannot show this: it lists "1" first.)
    const input = {
      '\u20ac': 'Euro',
      '\r': 'CR',
      '\ufb33': 'Hebrew',
      '1': 'One',
      '\ud83d\ude00': 'Smiley',
      '\u0080': 'Ctrl',
      '\u00f6': 'o',
    };
    expect(canonicalize(input)).toBe(
      '{"\\r":"CR","1":"One","\u0080":"Ctrl","\u00f6":"o","\u20ac":"Euro","\ud83d\ude00":"Smiley","\ufb33":"Hebrew"}',
    );
  });

  it('serialises numbers as ECMAScript does (RFC 8785 §3.2.2.3 samples)', () => {
    // The RFC sample 333333333.33333329 arrives as the nearest double, which is what is written.
    expect(canonicalize([Number.parseFloat('333333333.33333329'), 1e30, 4.5, 0.002, 0.000001, 1e-7, -0, 1e21])).toBe(
      '[333333333.3333333,1e+30,4.5,0.002,0.000001,1e-7,0,1e+21]',
    );
  });

  it('rejects what JSON cannot hold, naming where', () => {
    expect(() => canonicalize({ a: [1, Number.NaN] })).toThrow('$.a[1]: NaN is not a JSON number');
    expect(() => canonicalize({ text: 'x\ud800y' })).toThrow('$.text: string holds a lone UTF-16 surrogate');
    let deep: unknown = 'x';
    for (let i = 0; i <= MAX_JSON_DEPTH + 1; i++) deep = [deep];
    expect(() => canonicalize(deep)).toThrow(/nested deeper than/);
  });

  it('is the identity on its own output, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalize(value);
        expect(canonicalize(JSON.parse(once))).toBe(once);
      }),
    );
  });
});
