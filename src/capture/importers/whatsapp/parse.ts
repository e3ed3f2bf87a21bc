/**
 * WhatsApp "Export chat" text, parsed line by line (pure; the driver streams the file). A message
 * starts with a date and time, in one of two layouts:
 *   Android  `30/06/2023, 16:14 - Author: text`   (system lines have no author)
 *   iOS      `[3/27/22, 21:41:35] Author: text`   (system lines have an author and start with U+200E)
 * Lines that do not start so continue the message before them. The order of day and month is not in
 * the file: DateOrderVote infers it from every header in a first pass.
 */
import { StenoError } from '../../../core/errors.js';
import type { WallTime } from '../time-zone.js';
import {
  ATTACHED,
  DELETED,
  EDITED_SUFFIXES,
  FILE_ATTACHED,
  IOS_OMITTED,
  LOCATION,
  MEDIA_OMITTED,
  SYSTEM_WITH_AUTHOR,
} from './markers.js';

export type WhatsAppKind = 'message' | 'system' | 'delete';

export interface WhatsAppMessage {
  /** Line the message starts on (1-based). */
  line: number;
  wall: WallTime;
  /** As written in the export (a name or a phone number); null for a system line without one. */
  sender: string | null;
  text: string;
  kind: WhatsAppKind;
  edited: boolean;
  attachments: { filename: string }[];
  /** The message's lines exactly as in the file. */
  raw: string;
}

/** Direction marks and other invisible characters WhatsApp scatters through headers and markers. */
const INVISIBLE = /[\u200e\u200f\ufeff\u202a-\u202e\u2066-\u2069]/g;
const INVISIBLE_ONE = /[\u200e\u200f\ufeff\u202a-\u202e\u2066-\u2069]/;
const SP = '[ \\u00a0\\u202f]';
const MERIDIEM = `(?:[AaPp]\\.?${SP}?[Mm]\\.?|午前|午後|上午|下午|오전|오후)`;
const DATE = `(\\d{1,4})([./-])${SP}?(\\d{1,2})[./-]${SP}?(\\d{1,4})\\.?(?:${SP}?(BE|พ\\.ศ\\.))?`;
const TIME = `(?:(${MERIDIEM})${SP}?)?(\\d{1,2})[:.](\\d{2})(?:[:.](\\d{2}))?(?:${SP}?(${MERIDIEM}))?`;
const SEPARATOR = `(?:,|،)?${SP}*`;
const IOS_HEADER = new RegExp(`^\\[${DATE}${SEPARATOR}${TIME}\\]${SP}(.*)$`, 'su');
const ANDROID_HEADER = new RegExp(`^${DATE}${SEPARATOR}${TIME}${SP}[-–]${SP}(.*)$`, 'su');
const AUTHOR = new RegExp(`^([^:\\n]{1,200}?):(?:${SP}(.*))?$`, 'su');

export interface Header {
  layout: 'android' | 'ios';
  /** The three numbers of the date, as written, and how many digits the first and last had. */
  parts: [number, number, number];
  digits: [number, number];
  dotted: boolean;
  buddhist: boolean;
  hour: number;
  minute: number;
  second: number;
  meridiem: 'am' | 'pm' | null;
  /** Everything after the header, invisible marks removed. */
  rest: string;
  /** Everything after the header as written, marks included. */
  restAsWritten: string;
}

function meridiemOf(value: string | undefined): 'am' | 'pm' | null {
  if (value === undefined) return null;
  if (/^[Aa]|午前|上午|오전/.test(value)) return 'am';
  return 'pm';
}

/** The header of a line that starts a message, or null for a continuation line. */
export function matchHeader(line: string): Header | null {
  // A cheap test first: headers start with a digit or '[' (after invisible marks).
  // Testing first is cheaper than a replace that finds nothing, the usual case.
  const visible = INVISIBLE_ONE.test(line) ? line.replace(INVISIBLE, '') : line;
  const c = visible.charCodeAt(0);
  if (!(c === 0x5b || (c >= 0x30 && c <= 0x39))) return null;
  const ios = c === 0x5b ? IOS_HEADER.exec(visible) : null;
  const m = ios ?? (c === 0x5b ? null : ANDROID_HEADER.exec(visible));
  if (m === null) return null;
  const [, a, separator, b, year, era, before, hour, minute, second, after, rest] = m;
  const hourNumber = Number(hour);
  if (Number(minute) > 59 || (second !== undefined && Number(second) > 59) || hourNumber > 23) return null;
  return {
    layout: ios ? 'ios' : 'android',
    parts: [Number(a), Number(b), Number(year)],
    digits: [a!.length, year!.length],
    dotted: separator === '.',
    buddhist: era !== undefined,
    hour: hourNumber,
    minute: Number(minute),
    second: second === undefined ? 0 : Number(second),
    meridiem: meridiemOf(before ?? after),
    rest: rest ?? '',
    restAsWritten: afterVisible(line, visible.length - (rest ?? '').length),
  };
}

/** The part of `line` after its first `count` visible characters (invisible marks are not counted). */
function afterVisible(line: string, count: number): string {
  let seen = 0;
  let i = 0;
  while (i < line.length && seen < count) {
    if (!INVISIBLE_ONE.test(line[i]!)) seen++;
    i++;
  }
  while (i < line.length && INVISIBLE_ONE.test(line[i]!)) i++;
  return line.slice(i);
}

export type DateOrder = 'dmy' | 'mdy' | 'ymd';

/**
 * Infers the order of day, month and year from every header of a file: a first number over 12 rules
 * out month-first, a second over 12 rules out day-first; when neither settles it, the reading under
 * which the chat runs forward more often wins, and dotted dates (a European habit) lean day-first.
 */
export class DateOrderVote {
  private yearFirst = 0;
  private headers = 0;
  private dayFirstImpossible = false;
  private monthFirstImpossible = false;
  private dotted = 0;
  private backwardsIfDayFirst = 0;
  private backwardsIfMonthFirst = 0;
  private last: { dmy: number; mdy: number } | null = null;

  observe(h: Header): void {
    this.headers++;
    if (h.digits[0] >= 3) {
      this.yearFirst++;
      return;
    }
    const [a, b, year] = h.parts;
    if (b > 12) this.dayFirstImpossible = true;
    if (a > 12) this.monthFirstImpossible = true;
    if (h.dotted) this.dotted++;
    const minutes = h.hour * 60 + h.minute;
    const key = (month: number, day: number) => ((year * 13 + month) * 32 + day) * 1440 + minutes;
    const now = { dmy: key(b, a), mdy: key(a, b) };
    if (this.last !== null) {
      if (now.dmy < this.last.dmy) this.backwardsIfDayFirst++;
      if (now.mdy < this.last.mdy) this.backwardsIfMonthFirst++;
    }
    this.last = now;
  }

  get count(): number {
    return this.headers;
  }

  result(): DateOrder {
    if (this.yearFirst > this.headers / 2) return 'ymd';
    if (this.monthFirstImpossible && !this.dayFirstImpossible) return 'dmy';
    if (this.dayFirstImpossible && !this.monthFirstImpossible) return 'mdy';
    if (this.backwardsIfDayFirst !== this.backwardsIfMonthFirst) {
      return this.backwardsIfDayFirst < this.backwardsIfMonthFirst ? 'dmy' : 'mdy';
    }
    return this.dotted > 0 || !this.dayFirstImpossible ? 'dmy' : 'mdy';
  }
}

/**
 * A file can change how it writes dates part-way (an export after a phone's locale changed mixes
 * `6/30/23` and `30/6/2023`): each way of writing (layout, separator, year digits) gets its own vote.
 */
export class DateOrders {
  private readonly votes = new Map<string, DateOrderVote>();
  private decided: Map<string, DateOrder> | null = null;
  /** Per way of writing and date order, the first line whose date would not exist read that way. */
  private readonly firstImpossible = new Map<string, number>();

  private static shape(h: Header): string {
    return `${h.layout}${h.dotted ? '.' : '/'}${h.digits[0]}${h.digits[1]}`;
  }

  observe(h: Header, line = 0): void {
    const shape = DateOrders.shape(h);
    for (const order of ['dmy', 'mdy', 'ymd'] as const) {
      const key = `${shape} ${order}`;
      if (!this.firstImpossible.has(key) && wallTimeOf(h, order) === null) this.firstImpossible.set(key, line);
    }
    let vote = this.votes.get(shape);
    if (vote === undefined) {
      vote = new DateOrderVote();
      this.votes.set(shape, vote);
    }
    vote.observe(h);
  }

  get count(): number {
    let n = 0;
    for (const vote of this.votes.values()) n += vote.count;
    return n;
  }

  /** The first line whose date does not exist under the order inferred for it, if any. */
  firstLineWithoutDate(): number | null {
    let first: number | null = null;
    for (const [shape, vote] of this.votes) {
      const line = this.firstImpossible.get(`${shape} ${vote.result()}`);
      if (line !== undefined && (first === null || line < first)) first = line;
    }
    return first;
  }

  orderFor(h: Header): DateOrder {
    this.decided ??= new Map([...this.votes].map(([shape, vote]) => [shape, vote.result()]));
    return this.decided.get(DateOrders.shape(h)) ?? (h.digits[0] >= 3 ? 'ymd' : h.dotted ? 'dmy' : 'mdy');
  }
}

/** The header's wall time under a date order; null when the date does not exist. */
export function wallTimeOf(h: Header, order: DateOrder): WallTime | null {
  const [a, b, c] = h.parts;
  let [year, month, day] = order === 'ymd' ? [a, b, c] : order === 'dmy' ? [c, b, a] : [c, a, b];
  const yearDigits = order === 'ymd' ? h.digits[0] : h.digits[1];
  if (yearDigits <= 2) year += 2000;
  // The Thai solar calendar counts from 543 BC; some exports write the era, some only the year.
  if (h.buddhist || year >= 2400) year -= 543;
  let hour = h.hour;
  if (h.meridiem !== null) {
    if (hour > 12) return null;
    if (h.meridiem === 'am' && hour === 12) hour = 0;
    if (h.meridiem === 'pm' && hour < 12) hour += 12;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCDate() !== day) return null;
  return { year, month, day, hour, minute: h.minute, second: h.second };
}

interface Pending {
  line: number;
  header: Header;
  wall: WallTime;
  /** Whether the line itself began with an invisible mark (iOS writes one before media lines). */
  markedLine: boolean;
  lines: string[];
}

/**
 * Turns lines into messages. Feed every line with push(); a message is returned when the next header
 * (or end()) shows it is complete.
 */
export class WhatsAppParser {
  private pending: Pending | null = null;
  private sawHeader = false;

  constructor(
    private readonly orders: DateOrders,
    private readonly what: string,
  ) {}

  push(line: string, number: number): WhatsAppMessage | null {
    const header = matchHeader(line);
    if (header === null) {
      if (this.pending === null) {
        if (line.trim() === '') return null;
        throw new StenoError(
          'invalid_input',
          `${this.what}: line ${number} does not start with a date and time, as every WhatsApp export does`,
        );
      }
      this.pending.lines.push(line);
      return null;
    }
    const wall = wallTimeOf(header, this.orders.orderFor(header));
    if (wall === null) {
      throw new StenoError('invalid_input', `${this.what}: line ${number} has a date or time that does not exist`);
    }
    this.sawHeader = true;
    const done = this.pending === null ? null : finish(this.pending);
    this.pending = { line: number, header, wall, markedLine: /^[\u200e\u200f]/.test(line), lines: [line] };
    return done;
  }

  end(): WhatsAppMessage | null {
    const done = this.pending === null ? null : finish(this.pending);
    this.pending = null;
    if (!this.sawHeader) {
      throw new StenoError('invalid_input', `${this.what} is not a WhatsApp chat export: no line starts a message`);
    }
    return done;
  }
}

function finish(p: Pending): WhatsAppMessage {
  const { header } = p;
  // The header's text plus the continuation lines, with invisible marks kept until classified.
  const firstRest = header.rest;
  const continuation = p.lines.slice(1);
  const raw = p.lines.join('\n');
  // Built whole, not spread from a base object: a spread here cost a third of the parse.
  const make = (
    sender: string | null,
    kind: WhatsAppKind,
    text: string,
    edited: boolean,
    attachments: { filename: string }[] = [],
  ): WhatsAppMessage => ({ line: p.line, wall: p.wall, sender, text, kind, edited, attachments, raw });

  const author = AUTHOR.exec(firstRest);
  if (author === null) {
    return make(null, 'system', [firstRest, ...continuation].join('\n'), false);
  }
  const sender = author[1]!.trim();
  // The first line's text as written, marks included: iOS starts system lines' text with U+200E.
  const asWritten = header.restAsWritten;
  let first = asWritten.slice(asWritten.indexOf(':') + 1).replace(/^[ \u00a0\u202f]/, '');
  const marked = /^[\u200e\u200f]/.test(first);
  let text = [first, ...continuation].join('\n');

  let edited = false;
  // Most messages hold no invisible marks: one test spares the replaces below.
  const marks = INVISIBLE_ONE.test(raw);
  const visible = (s: string) => (marks ? s.replace(INVISIBLE, '') : s);
  const trimmed = text.includes('>') ? visible(text).trimEnd() : '';
  for (const suffix of trimmed === '' ? [] : EDITED_SUFFIXES) {
    if (trimmed.endsWith(suffix)) {
      edited = true;
      text = trimmed.slice(0, -suffix.length).trimEnd();
      first = text.split('\n')[0] ?? '';
      break;
    }
  }
  const plain = visible(text).trim();
  if (DELETED.has(plain)) return make(sender, 'delete', plain, edited);

  const firstPlain = visible(first).trim();
  const caption = continuation.join('\n');
  const attached = FILE_ATTACHED.exec(firstPlain) ?? ATTACHED.exec(firstPlain);
  if (attached !== null) {
    return make(sender, 'message', caption, edited, [{ filename: attached[1]! }]);
  }
  if (MEDIA_OMITTED.has(firstPlain)) return make(sender, 'message', caption, edited);
  if (header.layout === 'ios' && IOS_OMITTED.test(firstPlain) && /[\u200e\u200f]/.test(first)) {
    // `Some file.txt ‎document omitted`, `Report.pdf • ‎2 pages ‎document omitted`: the name, if any.
    const name = first
      .split(/[\u200e\u200f]/)[0]!
      .replace(/ • .*$/u, '')
      .trim();
    const attachments = name === '' ? [] : [{ filename: name }];
    return make(sender, 'message', caption, edited, attachments);
  }
  const systemLike =
    (header.layout === 'ios' && marked && !p.markedLine && !LOCATION.test(plain)) ||
    SYSTEM_WITH_AUTHOR.some((re) => re.test(plain));
  if (systemLike) return make(sender, 'system', plain, edited);
  return make(sender, 'message', visible(text), edited);
}
