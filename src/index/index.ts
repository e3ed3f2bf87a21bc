export type { AnyOf, Clause, Phrase, Query } from './query.js';
export {
  MAX_QUERY_LENGTH,
  MAX_QUERY_TERMS,
  MIN_PREFIX_LENGTH,
  parseQuery,
  toFts5Match,
  toTsquery,
} from './query.js';
export { isCjk, segmentForIndex, tokenize } from './segment.js';
