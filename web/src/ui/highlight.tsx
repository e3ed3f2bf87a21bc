/**
 * Highlighting by splitting text into React nodes: message text is hostile, so it is only ever
 * rendered as text, never as markup.
 */
import type { ReactNode } from 'react';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Scripts written without spaces: the search reads them character by character, inside words too. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * One expression matching the search's terms (the words it matched: lower-cased tokens, one character
 * each for Chinese, Japanese and Korean), case-insensitively. A word matches from the start of a word,
 * so `buy` marks "Buy" and the start of "buyer" (a prefix search) but not "rebuy"; runs of matches
 * join into one mark, so 騰 and 訊 mark "騰訊" as one.
 */
export function termMatcher(terms: readonly string[] | undefined): RegExp | null {
  const unique = [...new Set(terms ?? [])].filter((t) => t !== '').sort((a, b) => b.length - a.length);
  if (unique.length === 0) return null;
  const alternatives = unique.map((term) =>
    UNSPACED.test(term) ? escapeRegExp(term) : `(?<![\\p{L}\\p{N}])${escapeRegExp(term)}`,
  );
  return new RegExp(`((?:${alternatives.join('|')})+)`, 'giu');
}

/** The text with every match of the matcher in <mark>. */
export function highlightTerms(text: string, matcher: RegExp | null): ReactNode {
  if (matcher === null) return text;
  // Splitting on an expression with one group puts the matches at the odd positions.
  const parts = text.split(matcher);
  if (parts.length === 1) return text;
  const nodes: ReactNode[] = [];
  let at = 0;
  parts.forEach((part, i) => {
    nodes.push(i % 2 === 1 ? <mark key={at}>{part}</mark> : part);
    at += part.length;
  });
  return nodes;
}

export interface TextSpan {
  start: number;
  end: number;
  label: string;
}

/**
 * The text with the given spans (UTF-16 offsets, end exclusive) in <mark>, each titled with its label;
 * spans over the same words share one mark and their labels ("action, side"), and a span overlapping an
 * earlier one is left out. With `announce`, a screen reader also hears each label after its mark
 * ("700 (symbol)"), as a title is not reliably read out.
 */
export function markSpans(
  text: string,
  spans: readonly TextSpan[],
  className: string,
  options: { announce?: boolean } = {},
): ReactNode {
  const byRange = new Map<string, TextSpan>();
  for (const s of spans) {
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start >= s.end || s.start >= text.length) continue;
    const key = `${s.start}-${s.end}`;
    const same = byRange.get(key);
    if (same === undefined) byRange.set(key, s);
    else if (!same.label.split(', ').includes(s.label))
      byRange.set(key, { ...same, label: `${same.label}, ${s.label}` });
  }
  const usable = [...byRange.values()].sort((a, b) => a.start - b.start);
  if (usable.length === 0) return text;
  const nodes: ReactNode[] = [];
  let at = 0;
  for (const span of usable) {
    if (span.start < at) continue;
    const end = Math.min(span.end, text.length);
    if (span.start > at) nodes.push(text.slice(at, span.start));
    nodes.push(
      <mark key={span.start} className={className} title={span.label}>
        {text.slice(span.start, end)}
      </mark>,
    );
    if (options.announce) {
      nodes.push(
        <span key={`${span.start}-label`} className="visually-hidden">
          {` (${span.label})`}
        </span>,
      );
    }
    at = end;
  }
  if (at < text.length) nodes.push(text.slice(at));
  return nodes;
}
