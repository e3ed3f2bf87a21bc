/**
 * FIX 4.0–4.4 (and FIXT.1.1) tag=value logs read into account activity. Pure: no I/O.
 *
 * The input is hostile: a log is whatever a FIX engine, a logging library or a person wrote, with
 * prefixes, junk, NUL bytes and either SOH or '|' between fields. Nothing here throws on content;
 * each message that cannot be trusted is reported by line and skipped, and reading resumes at the
 * next `8=FIX`. Work is linear in the input: a message is framed by its BodyLength, not by searching,
 * and no region is scanned again for each candidate start.
 *
 * The input is read as latin1 so that one character is one byte (BodyLength and CheckSum count bytes);
 * values put into events are decoded as UTF-8.
 */
import { constants } from 'node:buffer';
import type {
  ActivityEvent,
  ActivityProblem,
  ActivitySide,
  CancelRequestEvent,
  ExecutionEvent,
  ExecutionType,
  FirmOrderEvent,
  FirmOrderStatus,
  FirmOrderType,
  ReplaceRequestEvent,
} from './model.js';

export interface FixMessage {
  /** 1-based line of the file where the message starts. */
  line: number;
  /** BeginString (8) as written. */
  version: 'FIX.4.2' | 'FIX.4.4' | string;
  msgType: string;
  sender: string | null;
  target: string | null;
  seq: number | null;
  /** SendingTime (52), ISO 8601 UTC. */
  sentAt: string | null;
  /**
   * The message exactly as framed, with its delimiter written as SOH (\x01) whatever the log used, so the
   * same message in a '|' log and a SOH log is the same string. Trailing delimiter after 10=NNN always
   * present. One character per byte (latin1): `Buffer.from(raw, 'latin1')` gives the bytes back.
   */
  raw: string;
  /**
   * The activity it gives (NewOrderSingle D, OrderCancelReplaceRequest G, OrderCancelRequest F,
   * ExecutionReport 8); null for session and other messages (logon A, heartbeat 0, IOI 6, …).
   */
  event: ActivityEvent | null;
}

export interface FixParseResult {
  messages: FixMessage[];
  problems: ActivityProblem[];
}

const SOH = 0x01;
const PIPE = 0x7c;
/** The log is read as one latin1 string, so it can be no longer than V8's longest string. */
const MAX_LOG_BYTES = constants.MAX_STRING_LENGTH;
/** The largest message accepted, header to CheckSum: a bound on work and memory, not a FIX rule. */
export const MAX_FIX_MESSAGE_BYTES = 64 * 1024;
const VERSIONS = new Set(['FIX.4.0', 'FIX.4.1', 'FIX.4.2', 'FIX.4.3', 'FIX.4.4', 'FIXT.1.1']);
/** Long enough for any BeginString above; a longer run is not a BeginString. */
const MAX_VERSION_CHARS = 16;
/** BodyLength may be zero-padded (`9=0000095`). */
const MAX_LENGTH_DIGITS = 20;
/** "10=" and three digits. */
const CHECKSUM_FIELD_CHARS = 6;

const TAG_NAMES = new Map<number, string>([
  [1, 'Account'],
  [6, 'AvgPx'],
  [11, 'ClOrdID'],
  [14, 'CumQty'],
  [17, 'ExecID'],
  [20, 'ExecTransType'],
  [31, 'LastPx'],
  [32, 'LastQty'],
  [34, 'MsgSeqNum'],
  [35, 'MsgType'],
  [37, 'OrderID'],
  [38, 'OrderQty'],
  [39, 'OrdStatus'],
  [40, 'OrdType'],
  [41, 'OrigClOrdID'],
  [44, 'Price'],
  [48, 'SecurityID'],
  [49, 'SenderCompID'],
  [52, 'SendingTime'],
  [54, 'Side'],
  [55, 'Symbol'],
  [56, 'TargetCompID'],
  [60, 'TransactTime'],
  [89, 'Signature'],
  [90, 'SecureDataLen'],
  [91, 'SecureData'],
  [93, 'SignatureLength'],
  [95, 'RawDataLength'],
  [96, 'RawData'],
  [150, 'ExecType'],
  [151, 'LeavesQty'],
  [212, 'XmlDataLen'],
  [213, 'XmlData'],
  [354, 'EncodedTextLen'],
  [355, 'EncodedText'],
]);
/** FIX 4.2 and 4.4 "data" fields, by the Length field that must come just before each. */
const DATA_FIELDS = new Map<number, number>([
  [90, 91], // SecureDataLen, SecureData
  [93, 89], // SignatureLength, Signature
  [95, 96], // RawDataLength, RawData
  [212, 213], // XmlDataLen, XmlData
  [348, 349], // EncodedIssuerLen, EncodedIssuer
  [350, 351], // EncodedSecurityDescLen, EncodedSecurityDesc
  [352, 353], // EncodedListExecInstLen, EncodedListExecInst
  [354, 355], // EncodedTextLen, EncodedText
  [356, 357], // EncodedSubjectLen, EncodedSubject
  [358, 359], // EncodedHeadlineLen, EncodedHeadline
  [360, 361], // EncodedAllocTextLen, EncodedAllocText
  [362, 363], // EncodedUnderlyingIssuerLen, EncodedUnderlyingIssuer
  [364, 365], // EncodedUnderlyingSecurityDescLen, EncodedUnderlyingSecurityDesc
  [445, 446], // EncodedListStatusTextLen, EncodedListStatusText
  [618, 619], // EncodedLegIssuerLen, EncodedLegIssuer
  [621, 622], // EncodedLegSecurityDescLen, EncodedLegSecurityDesc
]);
/** Fields at or above this tag are not read into events or the header, so they are not indexed. */
const TRACKED_TAGS = 152;

const label = (tag: number) => `${TAG_NAMES.get(tag) ?? 'tag'} (${tag})`;

const MESSAGE_NAMES = new Map([
  ['D', 'NewOrderSingle'],
  ['G', 'OrderCancelReplaceRequest'],
  ['F', 'OrderCancelRequest'],
  ['8', 'ExecutionReport'],
]);

const SIDES = new Map<string, ActivitySide>([
  ['1', 'buy'],
  ['2', 'sell'],
  ['3', 'buy'], // buy minus
  ['4', 'sell'], // sell plus
  ['5', 'sell'], // sell short
  ['6', 'sell'], // sell short exempt
]);

const ORDER_TYPES = new Map<string, FirmOrderType>([
  ['1', 'market'],
  ['2', 'limit'],
  ['3', 'stop'],
  ['4', 'stop_limit'],
]);

/** OrdStatus (39), FIX 4.2 and 4.4. */
const ORDER_STATUSES = new Map<string, FirmOrderStatus>([
  ['0', 'new'],
  ['1', 'partially_filled'],
  ['2', 'filled'],
  ['3', 'done_for_day'],
  ['4', 'cancelled'],
  ['5', 'replaced'],
  ['6', 'pending'], // pending cancel
  ['8', 'rejected'],
  ['A', 'pending'], // pending new
  ['C', 'expired'],
  ['E', 'pending'], // pending replace
]);

/** ExecType (150): FIX 4.2's values, which 4.4 keeps but for 1 and 2 (still accepted), and 4.4's G–I. F is read apart. */
const EXEC_TYPES = new Map<string, ExecutionType>([
  ['0', 'new'],
  ['1', 'partial_fill'],
  ['2', 'fill'],
  ['3', 'done_for_day'],
  ['4', 'cancelled'],
  ['5', 'replaced'],
  ['6', 'pending'], // pending cancel
  ['7', 'other'], // stopped
  ['8', 'rejected'],
  ['9', 'other'], // suspended
  ['A', 'pending'], // pending new
  ['B', 'other'], // calculated
  ['C', 'expired'],
  ['D', 'other'], // restated
  ['E', 'pending'], // pending replace
  ['G', 'trade_correct'],
  ['H', 'trade_cancel'],
  ['I', 'status'],
]);

/** A report without ExecType, read from OrdStatus (39). */
const EXEC_TYPES_BY_STATUS = new Map<string, ExecutionType>([
  ['0', 'new'],
  ['1', 'partial_fill'],
  ['2', 'fill'],
  ['3', 'done_for_day'],
  ['4', 'cancelled'],
  ['5', 'replaced'],
  ['6', 'pending'],
  ['8', 'rejected'],
  ['A', 'pending'],
  ['C', 'expired'],
  ['E', 'pending'],
]);

/** FIX 4.2 ExecTransType (20): 0 (new) leaves the meaning to ExecType. */
const EXEC_TRANS_TYPES = new Map<string, ExecutionType>([
  ['1', 'trade_cancel'],
  ['2', 'trade_correct'],
  ['3', 'status'],
]);

const FILLS = new Set<ExecutionType>(['partial_fill', 'fill', 'trade_correct']);

/** FIX "float" and "Qty": digits with an optional point and minus sign; never exponents, hex, NaN or Infinity. */
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;
const MAX_DECIMAL_CHARS = 40;
/** FIX UTCTimestamp, YYYYMMDD-HH:MM:SS[.sss]; 4.4 extension packs allow finer fractions, kept to the millisecond. */
const UTC_TIMESTAMP = /^\d{8}-\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?$/;
const NON_ASCII = /[\x80-\uffff]/;
const BEYOND_LATIN1 = /[\u0100-\uffff]/;

/**
 * Reads every FIX message in a log. A string is taken as bytes already decoded as latin1 (one character
 * per byte); pass a Buffer where you can.
 */
export function parseFixLog(data: Buffer | string): FixParseResult {
  if (data.length > MAX_LOG_BYTES) {
    const reason = `the log is ${data.length} bytes, more than the ${MAX_LOG_BYTES} one string can hold: split it`;
    return { messages: [], problems: [{ line: 1, reason }] };
  }
  // A string with characters beyond latin1 cannot be bytes: it was decoded as text, so read its UTF-8 bytes.
  if (typeof data === 'string' && BEYOND_LATIN1.test(data)) return parseFixLog(Buffer.from(data, 'utf8'));
  return new FixLogReader(typeof data === 'string' ? data : data.toString('latin1')).read();
}

/** Where a message's parts are, once its BodyLength and CheckSum check out. */
interface Framed {
  /** Where `8=` starts. */
  p: number;
  /** After the CheckSum field, and its delimiter where there is one. */
  end: number;
  version: string;
  bodyStart: number;
  /** Where `10=` starts. */
  bodyEnd: number;
  /** The delimiter: SOH or '|'. */
  d: number;
  /** After the CheckSum's three digits. */
  checksumEnd: number;
}

class FixLogReader {
  private readonly messages: FixMessage[] = [];
  private readonly problems: ActivityProblem[] = [];
  private readonly lines: LineCounter;
  private readonly checksums: ChecksumWindow;
  private readonly fields: Fields;
  private readonly reader: MessageReader;
  /** Memo for nextSoh: -2 before the first search. */
  private soh = -2;

  constructor(private readonly s: string) {
    this.lines = new LineCounter(s);
    this.checksums = new ChecksumWindow(s);
    this.fields = new Fields(s);
    this.reader = new MessageReader(this.fields);
  }

  read(): FixParseResult {
    let at = this.nextStart(0);
    while (at !== -1) {
      const framed = this.frame(at);
      if (typeof framed === 'string') {
        // The message's extent is unknown: resume just after its start.
        this.problem(at, framed);
        at = this.nextStart(at + 1);
        continue;
      }
      const message = this.readFields(framed);
      if (typeof message === 'string') this.problem(at, message);
      else this.messages.push(message);
      // Framed and checked, it is skipped whole, so an `8=FIX` inside one of its fields is not taken for a message.
      at = this.nextStart(framed.end);
    }
    return { messages: this.messages, problems: this.problems };
  }

  /** `8=FIX` where 8 starts a field: at the start, or after anything that cannot be part of a tag. */
  private nextStart(from: number): number {
    const s = this.s;
    let i = s.indexOf('8=FIX', from);
    while (i > 0 && isAlphanumeric(s.charCodeAt(i - 1))) i = s.indexOf('8=FIX', i + 1);
    return i;
  }

  private problem(start: number, reason: string): void {
    this.problems.push({ line: this.lines.lineAt(start), reason });
  }

  /**
   * Frames one message as FIX 4.2 and 4.4 "Message Format" define it: `8=BeginString`, `9=BodyLength`,
   * then BodyLength bytes of body, counted from the byte after the delimiter that ends the 9= field up to
   * and including the delimiter before `10=`, then `10=CheckSum`, three digits; or says why it cannot.
   */
  private frame(p: number): Framed | string {
    const s = this.s;

    let q = p + 2;
    const versionEnd = Math.min(s.length, q + MAX_VERSION_CHARS + 1);
    while (q < versionEnd && isVersionChar(s.charCodeAt(q))) q++;
    if (q >= s.length) return 'message is cut off at end of input, within BeginString (8)';
    const d = s.charCodeAt(q);
    if (d !== SOH && d !== PIPE) {
      return `'8=FIX' is not followed by a BeginString and a delimiter (SOH or '|'): ${show(s.slice(p, q + 1))}`;
    }
    const version = s.slice(p + 2, q);
    if (!VERSIONS.has(version)) return `BeginString (8) ${show(version)} is not FIX.4.0 to FIX.4.4 or FIXT.1.1`;

    q++;
    if (q + 2 > s.length) return 'message is cut off at end of input, before BodyLength (9)';
    if (s.charCodeAt(q) !== 0x39 || s.charCodeAt(q + 1) !== 0x3d) {
      return `BodyLength (9) must follow BeginString (8), found ${show(this.fieldAt(q, d))}`;
    }
    q += 2;
    const digitsStart = q;
    const digitsEnd = Math.min(s.length, q + MAX_LENGTH_DIGITS + 1);
    while (q < digitsEnd && isDigit(s.charCodeAt(q))) q++;
    if (q >= s.length) return 'message is cut off at end of input, within BodyLength (9)';
    if (q === digitsStart || s.charCodeAt(q) !== d) {
      return `BodyLength (9) ${show(this.fieldAt(digitsStart, d))} is not a length in bytes`;
    }
    const bodyLength = Number(s.slice(digitsStart, q));
    const bodyStart = q + 1;
    if (bodyStart - p + bodyLength + CHECKSUM_FIELD_CHARS + 1 > MAX_FIX_MESSAGE_BYTES) {
      return `BodyLength (9) says ${bodyLength}: the message would be longer than ${MAX_FIX_MESSAGE_BYTES} bytes, the most accepted`;
    }

    const bodyEnd = bodyStart + bodyLength;
    if (!(s.charCodeAt(bodyEnd - 1) === d && s.startsWith('10=', bodyEnd))) {
      return this.misframed({ p, bodyStart, bodyLength, d });
    }
    const checksumEnd = bodyEnd + CHECKSUM_FIELD_CHARS;
    if (checksumEnd > s.length) return 'message is cut off at end of input, within CheckSum (10)';
    if (
      !isDigit(s.charCodeAt(bodyEnd + 3)) ||
      !isDigit(s.charCodeAt(bodyEnd + 4)) ||
      !isDigit(s.charCodeAt(bodyEnd + 5)) ||
      isDigit(s.charCodeAt(checksumEnd))
    ) {
      return `CheckSum (10) ${show(this.fieldAt(bodyEnd + 3, d))} is not three digits`;
    }
    const stated = Number(s.slice(bodyEnd + 3, checksumEnd));
    const actual = this.checksums.sum({ from: p, to: bodyEnd, pipeDelimited: d === PIPE });
    if (stated !== actual) return `CheckSum (10) is ${stated} but the message sums to ${actual}`;

    // The delimiter after the CheckSum may be missing at the end of a line or the input, or junk may follow.
    const end = s.charCodeAt(checksumEnd) === d ? checksumEnd + 1 : checksumEnd;
    return { p, end, version, bodyStart, bodyEnd, d, checksumEnd };
  }

  /** Why BodyLength does not land on `<delim>10=NNN`, stating the real length where the real CheckSum field is found. */
  private misframed({
    p,
    bodyStart,
    bodyLength,
    d,
  }: {
    p: number;
    bodyStart: number;
    bodyLength: number;
    d: number;
  }): string {
    const s = this.s;
    // The search stops at the next `8=FIX`: that region is not searched again for this start, so resyncing stays linear.
    const next = s.indexOf('8=FIX', p + 1);
    const limit = Math.min(next === -1 ? s.length : next, p + MAX_FIX_MESSAGE_BYTES);
    const found = findChecksumField(s, { from: bodyStart - 1, limit, d });
    if (found !== -1) {
      const real = found + 1 - bodyStart;
      const off = bodyLength - real;
      return `BodyLength (9) says ${bodyLength} but the body is ${real} bytes (CheckSum field found ${Math.abs(off)} bytes ${off > 0 ? 'early' : 'late'})`;
    }
    if (limit === s.length) {
      return `message is cut off at end of input: BodyLength (9) says ${bodyLength} but ${s.length - bodyStart} bytes follow and no CheckSum (10) field`;
    }
    return `BodyLength (9) says ${bodyLength} but no CheckSum (10) field ends the body before ${next === limit ? 'the next message' : `${MAX_FIX_MESSAGE_BYTES} bytes`}`;
  }

  /** The message a framed one holds, or why it cannot be read. */
  private readFields(m: Framed): FixMessage | string {
    const s = this.s;
    const f = this.fields;

    const broken = this.indexFields(m);
    if (broken !== null) return broken;

    const msgType = f.text(35);
    if (msgType === null) return 'MsgType (35) is missing';

    const typeName = MESSAGE_NAMES.get(msgType);
    const r = this.reader;
    r.reset(typeName === undefined ? msgType : `${typeName} (35=${msgType})`);
    const seqText = f.latin1(34);
    let seq: number | null = null;
    if (seqText !== null) {
      if (/^\d{1,15}$/.test(seqText)) seq = Number(seqText);
      else r.reasons.push(`MsgSeqNum (34) ${show(seqText)} is not a sequence number`);
    }
    const sentAt = r.timestamp(52);

    let event: ActivityEvent | null = null;
    if (typeName !== undefined) {
      const at = f.has(60) ? r.timestamp(60) : sentAt;
      if (msgType === 'D') event = newOrder(r, at);
      else if (msgType === 'G') event = replaceRequest(r, at);
      else if (msgType === 'F') event = cancelRequest(r, at);
      else event = executionReport(r, at);
    }
    if (r.reasons.length > 0) return r.reasons.join('; ');

    // A SOH log's message is a slice of the input as it stands; otherwise the SOH form is written out.
    let raw: string;
    if (m.d === PIPE) raw = `${s.slice(m.p, m.checksumEnd).replaceAll('|', '\x01')}\x01`;
    else raw = m.end > m.checksumEnd ? s.slice(m.p, m.end) : `${s.slice(m.p, m.checksumEnd)}\x01`;
    return {
      line: this.lines.lineAt(m.p),
      version: m.version,
      msgType,
      sender: f.text(49),
      target: f.text(56),
      seq,
      sentAt,
      raw,
      event,
    };
  }

  /**
   * Indexes the body's fields, or says why it cannot. A FIX "data" field (RawData, XmlData, EncodedText, …)
   * may hold the delimiter itself, so it is read by the length its Length field, just before it, states.
   */
  private indexFields(m: { bodyStart: number; bodyEnd: number; d: number }): string | null {
    const s = this.s;
    const delim = m.d === SOH ? '\x01' : '|';
    this.fields.reset();
    // Set by a Length field: the tag of the data field that must follow, and its length.
    let dataTag = 0;
    let dataLength = 0;
    let i = m.bodyStart;
    for (let n = 3; i < m.bodyEnd; n++) {
      let eq = i;
      while (eq < m.bodyEnd && isDigit(s.charCodeAt(eq))) eq++;
      const tag = s.charCodeAt(eq) === 0x3d ? this.tagAt(i, eq) : -1;
      if (tag === -1) {
        const j = s.indexOf(delim, i); // found: the body ends with a delimiter, and so does every field before it
        const what = s.indexOf('=', i) < j ? 'has a tag that is not a positive integer' : "has no '='";
        return `field ${n} ${show(s.slice(i, j))} ${what}`;
      }
      let j: number;
      if (tag === dataTag) {
        j = eq + 1 + dataLength;
        if (j >= m.bodyEnd || s.charCodeAt(j) !== m.d) {
          return `${label(tag)} does not end after the ${dataLength} bytes its Length field gives`;
        }
      } else {
        j = s.indexOf(delim, eq + 1);
        if (m.d === PIPE) {
          const soh = this.nextSoh(eq + 1);
          if (soh !== -1 && soh < j) return `field ${n} (tag ${tag}) holds a SOH byte in a '|'-delimited message`;
        }
      }
      this.fields.set(tag, { from: eq + 1, to: j });
      dataTag = DATA_FIELDS.get(tag) ?? 0;
      if (dataTag !== 0) {
        const length = s.slice(eq + 1, j);
        if (!/^\d{1,9}$/.test(length)) return `${label(tag)} ${show(length)} is not a length in bytes`;
        dataLength = Number(length);
      }
      i = j + 1;
    }
    return null;
  }

  /** The digits s[from, to) as a tag: a positive integer without leading zeros, at most nine digits; else -1. */
  private tagAt(from: number, to: number): number {
    const s = this.s;
    if (to === from || to - from > 9 || s.charCodeAt(from) === 0x30) return -1;
    let tag = 0;
    for (let i = from; i < to; i++) tag = tag * 10 + (s.charCodeAt(i) - 0x30);
    return tag;
  }

  /** The value of the field starting at `from`, up to its delimiter or a line end, for a reason. */
  private fieldAt(from: number, d: number): string {
    const s = this.s;
    let i = from;
    const limit = Math.min(s.length, from + 40);
    while (i < limit) {
      const c = s.charCodeAt(i);
      if (c === d || c === 0x0a || c === 0x0d) break;
      i++;
    }
    return s.slice(from, i);
  }

  /** The next SOH at or after `from`, or -1; `from` only moves forward, so the input is searched once. */
  private nextSoh(from: number): number {
    if (this.soh === -1 || this.soh >= from) return this.soh;
    this.soh = this.s.indexOf('\x01', from);
    return this.soh;
  }
}

function newOrder(r: MessageReader, at: string | null): FirmOrderEvent {
  return {
    kind: 'order',
    orderId: r.required(11),
    account: r.text(1),
    symbol: r.symbol(),
    side: r.side({ required: true }),
    quantity: r.number(38, { required: true }),
    orderType: r.orderType(),
    limitPrice: r.number(44),
    at,
    channel: null,
    status: 'new',
  };
}

function replaceRequest(r: MessageReader, at: string | null): ReplaceRequestEvent {
  return {
    kind: 'replace_request',
    orderId: r.required(11),
    origOrderId: r.required(41),
    account: r.text(1),
    symbol: r.symbol(),
    side: r.side({ required: true }),
    quantity: r.number(38),
    orderType: r.orderType(),
    limitPrice: r.number(44),
    at,
  };
}

function cancelRequest(r: MessageReader, at: string | null): CancelRequestEvent {
  return {
    kind: 'cancel_request',
    orderId: r.required(11),
    origOrderId: r.required(41),
    account: r.text(1),
    // Symbol is required by FIX 4.2 and 4.4 on a cancel request, and the event has no room for its absence.
    symbol: r.symbol(),
    side: r.side(),
    quantity: r.number(38),
    at,
  };
}

function executionReport(r: MessageReader, at: string | null): ExecutionEvent {
  const execId = r.required(17);
  const clOrdId = r.text(11);
  const brokerOrderId = r.text(37);
  if (clOrdId === null && brokerOrderId === null) r.lacks('ClOrdID (11) or OrderID (37)');
  const leavesQuantity = r.number(151);
  const execType = readExecType(r, leavesQuantity);
  const fill = FILLS.has(execType);
  const lastQuantity = r.number(32);
  const lastPrice = r.number(31);
  return {
    kind: 'execution',
    execId,
    orderId: clOrdId ?? brokerOrderId ?? '',
    origOrderId: r.text(41),
    brokerOrderId,
    execType,
    status: ORDER_STATUSES.get(r.latin1(39) ?? '') ?? null,
    account: r.text(1),
    symbol: r.text(55) ?? r.text(48),
    side: r.side(),
    orderQuantity: r.number(38),
    limitPrice: r.number(44),
    lastQuantity: fill ? lastQuantity : null,
    lastPrice: fill ? lastPrice : null,
    cumQuantity: r.number(14),
    leavesQuantity,
    avgPrice: r.number(6),
    at,
  };
}

/** ExecType (150) in one vocabulary for 4.2 and 4.4; see `ExecutionType` in model.ts. */
function readExecType(r: MessageReader, leavesQuantity: number | null): ExecutionType {
  const transType = EXEC_TRANS_TYPES.get(r.latin1(20) ?? '');
  if (transType !== undefined) return transType;
  const execType = r.latin1(150);
  const status = r.latin1(39);
  if (execType === 'F') {
    if (status === '1') return 'partial_fill';
    if (status === '2') return 'fill';
    return leavesQuantity === 0 ? 'fill' : 'partial_fill';
  }
  if (execType !== null) return EXEC_TYPES.get(execType) ?? 'other';
  if (status !== null) return EXEC_TYPES_BY_STATUS.get(status) ?? 'other';
  return 'other';
}

/** Reads the fields of the message being read, noting each problem with the tag to look at. */
class MessageReader {
  readonly reasons: string[] = [];
  private typeName = '';

  constructor(private readonly f: Fields) {}

  reset(typeName: string): void {
    this.typeName = typeName;
    this.reasons.length = 0;
  }

  lacks(what: string): void {
    this.reasons.push(`${this.typeName} lacks ${what}`);
  }

  text(tag: number): string | null {
    return this.f.text(tag);
  }

  latin1(tag: number): string | null {
    return this.f.latin1(tag);
  }

  required(tag: number): string {
    const v = this.f.text(tag);
    if (v === null) this.lacks(label(tag));
    return v ?? '';
  }

  symbol(): string {
    const v = this.f.text(55) ?? this.f.text(48);
    if (v === null) this.lacks('Symbol (55) or SecurityID (48)');
    return v ?? '';
  }

  /** On an order or a replacement the side is required and must be buy or sell; elsewhere an odd one is null. */
  side({ required = false } = {}): ActivitySide | null {
    const v = this.f.latin1(54);
    if (v === null) {
      if (required) this.lacks(label(54));
      return null;
    }
    const side = SIDES.get(v) ?? null;
    if (side === null && required)
      this.reasons.push(`Side (54) ${show(v)} is not a FIX side for buying or selling (1–6)`);
    return side;
  }

  orderType(): FirmOrderType | null {
    const v = this.f.latin1(40);
    return v === null ? null : (ORDER_TYPES.get(v) ?? 'other');
  }

  number(tag: number, { required = false } = {}): number | null {
    const v = this.f.latin1(tag);
    if (v === null) {
      if (required) this.lacks(label(tag));
      return null;
    }
    const n = v.length <= MAX_DECIMAL_CHARS && DECIMAL.test(v) ? Number(v) : Number.NaN;
    if (Number.isFinite(n)) return n === 0 ? 0 : n; // no -0 in events
    this.reasons.push(`${label(tag)} ${show(v)} is not a number`);
    return null;
  }

  /** A FIX UTCTimestamp as ISO 8601 UTC; a leap second (60) is refused, as JavaScript dates cannot hold it. */
  timestamp(tag: number): string | null {
    const v = this.f.latin1(tag);
    if (v === null) return null;
    const m = UTC_TIMESTAMP.exec(v);
    if (m !== null) {
      const [y, mo, d, h, mi, sec] = [
        v.slice(0, 4),
        v.slice(4, 6),
        v.slice(6, 8),
        v.slice(9, 11),
        v.slice(12, 14),
        v.slice(15, 17),
      ];
      const month = Number(mo);
      const day = Number(d);
      if (
        month >= 1 &&
        month <= 12 &&
        day >= 1 &&
        day <= daysInMonth(Number(y), month) &&
        Number(h) <= 23 &&
        Number(mi) <= 59 &&
        Number(sec) <= 59
      ) {
        const ms = (m[1] ?? '').padEnd(3, '0').slice(0, 3);
        return `${y}-${mo}-${d}T${h}:${mi}:${sec}.${ms}Z`;
      }
    }
    this.reasons.push(`${label(tag)} ${show(v)} is not a FIX UTCTimestamp (YYYYMMDD-HH:MM:SS[.sss])`);
    return null;
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The fields of the message being read, by tag: only the first occurrence (a repeating group's later
 * entries are not read into events) and only tags below TRACKED_TAGS. Reused across messages so that
 * heartbeats, the bulk of most logs, cost no allocation beyond their `raw` string.
 */
class Fields {
  private readonly stamp = new Uint32Array(TRACKED_TAGS);
  private readonly from = new Int32Array(TRACKED_TAGS);
  private readonly to = new Int32Array(TRACKED_TAGS);
  private generation = 0;

  constructor(private readonly s: string) {}

  reset(): void {
    this.generation++;
  }

  set(tag: number, { from, to }: { from: number; to: number }): void {
    if (tag >= TRACKED_TAGS || this.stamp[tag] === this.generation) return;
    this.stamp[tag] = this.generation;
    this.from[tag] = from;
    this.to[tag] = to;
  }

  has(tag: number): boolean {
    return this.latin1(tag) !== null;
  }

  /** The value as bytes (latin1); null when absent or empty. */
  latin1(tag: number): string | null {
    if (this.stamp[tag] !== this.generation) return null;
    const from = this.from[tag]!;
    const to = this.to[tag]!;
    return from === to ? null : this.s.slice(from, to);
  }

  /** The value decoded as UTF-8; null when absent or empty. */
  text(tag: number): string | null {
    const v = this.latin1(tag);
    return v === null || !NON_ASCII.test(v) ? v : Buffer.from(v, 'latin1').toString('utf8');
  }
}

/**
 * CheckSum per FIX 4.2 and 4.4 ("CheckSum calculation"): the sum of every byte from `8=` up to and
 * including the delimiter before `10=`, modulo 256. A '|' log is summed as if each '|' were SOH, which is
 * what the engine that wrote it summed. Prefix sums over a sliding window of twice the largest message:
 * candidate starts only move forward, so each byte is summed a bounded number of times even when hostile
 * input nests candidate messages inside one another.
 */
class ChecksumWindow {
  private static readonly SIZE = 2 * MAX_FIX_MESSAGE_BYTES;
  /** Byte sums and '|' counts, both modulo 256, of s[base, base + i). */
  private readonly sums = new Uint8Array(ChecksumWindow.SIZE + 1);
  private readonly pipes = new Uint8Array(ChecksumWindow.SIZE + 1);
  private base = 0;
  private filled = 0;

  constructor(private readonly s: string) {}

  sum({ from, to, pipeDelimited }: { from: number; to: number; pipeDelimited: boolean }): number {
    if (from < this.base || to - this.base > ChecksumWindow.SIZE) {
      this.base = from;
      this.filled = 0;
    }
    const { s, sums, pipes, base } = this;
    for (let i = this.filled; i < to - base; i++) {
      const c = s.charCodeAt(base + i);
      sums[i + 1] = sums[i]! + c;
      pipes[i + 1] = pipes[i]! + (c === PIPE ? 1 : 0);
    }
    this.filled = Math.max(this.filled, to - base);
    const a = from - base;
    const b = to - base;
    let total = sums[b]! - sums[a]!;
    if (pipeDelimited) total -= (pipes[b]! - pipes[a]!) * (PIPE - SOH);
    return ((total % 256) + 256) % 256;
  }
}

/** Line numbers for positions that only move forward: LF, CRLF and a lone CR each end a line. */
class LineCounter {
  private pos = 0;
  private line = 1;

  constructor(private readonly s: string) {}

  lineAt(p: number): number {
    const s = this.s;
    for (let i = this.pos; i < p; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x0a || (c === 0x0d && s.charCodeAt(i + 1) !== 0x0a)) this.line++;
    }
    if (p > this.pos) this.pos = p;
    return this.line;
  }
}

/** The delimiter before the first well-formed `10=NNN` in s[from, limit), or -1. */
function findChecksumField(s: string, { from, limit, d }: { from: number; limit: number; d: number }): number {
  for (let i = from; i + CHECKSUM_FIELD_CHARS < limit + 1 && i + CHECKSUM_FIELD_CHARS < s.length; i++) {
    if (
      s.charCodeAt(i) === d &&
      s.charCodeAt(i + 1) === 0x31 &&
      s.charCodeAt(i + 2) === 0x30 &&
      s.charCodeAt(i + 3) === 0x3d &&
      isDigit(s.charCodeAt(i + 4)) &&
      isDigit(s.charCodeAt(i + 5)) &&
      isDigit(s.charCodeAt(i + 6)) &&
      !isDigit(s.charCodeAt(i + 7))
    ) {
      return i;
    }
  }
  return -1;
}

/** A value quoted for a reason: decoded, shortened, control characters escaped. */
function show(v: string): string {
  const text = NON_ASCII.test(v) ? Buffer.from(v, 'latin1').toString('utf8') : v;
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  return `'${short.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\x01' ? '^A' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))}'`;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlphanumeric(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Printable ASCII but the '|' delimiter: what a BeginString can be made of. */
function isVersionChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== PIPE;
}
