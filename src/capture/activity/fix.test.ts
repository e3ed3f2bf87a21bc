import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FixMessage, MAX_FIX_MESSAGE_BYTES, parseFixLog } from './fix.js';
import type { ExecutionEvent, ExecutionType, FirmOrderStatus } from './model.js';

const SOH = '\x01';

/**
 * A message with its BodyLength and CheckSum worked out, from its body fields, given as a list or written
 * with '|' between them.
 */
function fix(
  body: string | string[],
  options: { version?: string; delim?: string; lengthDigits?: number } = {},
): string {
  const { version = 'FIX.4.2', delim = SOH, lengthDigits = 1 } = options;
  const b = `${(typeof body === 'string' ? body.split('|') : body).join(delim)}${delim}`;
  const head = `8=${version}${delim}9=${String(b.length).padStart(lengthDigits, '0')}${delim}`;
  return `${head}${b}10=${checksum(head + b, delim)}${delim}`;
}

/** The FIX CheckSum, counting every delimiter as SOH. */
function checksum(text: string, delim: string): string {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += text[i] === delim ? 1 : text.charCodeAt(i);
  return String(sum % 256).padStart(3, '0');
}

/** Where the BodyLength digits of a message built by `fix` start and end. */
function bodyLengthSpan(message: string): [number, number] {
  const start = message.indexOf('9=') + 2;
  let end = start;
  while (message[end]! >= '0' && message[end]! <= '9') end++;
  return [start, end];
}

function withBodyLength(message: string, length: number): string {
  const [start, end] = bodyLengthSpan(message);
  return `${message.slice(0, start)}${length}${message.slice(end)}`;
}

function bodyLength(message: string): number {
  const [start, end] = bodyLengthSpan(message);
  return Number(message.slice(start, end));
}

function withChecksum(message: string, value: string): string {
  const at = message.lastIndexOf('10=') + 3;
  return `${message.slice(0, at)}${value}${message.slice(at + 3)}`;
}

const HEAD = '49=CLIENT|56=BROKER|52=20240105-01:30:00.250';
const heartbeat = (seq: number, options: { version?: string; delim?: string } = {}) =>
  fix(`35=0|${HEAD}|34=${seq}`, options);
const ORDER = `35=D|${HEAD}|34=7|11=ORD-1|1=ACC-9|55=0700.HK|54=1|38=1000|40=2|44=352.20|60=20240105-01:29:59.125`;

function parse(text: string) {
  return parseFixLog(Buffer.from(text, 'latin1'));
}

/** The one message in `text`, which must parse without problems. */
function only(text: string): FixMessage {
  const result = parse(text);
  expect(result.problems).toEqual([]);
  expect(result.messages).toHaveLength(1);
  return result.messages[0]!;
}

function execution(fields: string, version = 'FIX.4.4'): ExecutionEvent {
  const body = `35=8|${HEAD}|34=9|11=ORD-1|37=BRK-1|17=EX-1|55=0700.HK|54=1|38=1000|44=352|32=100|31=352.2|14=100|6=352.2`;
  const event = only(fix(fields === '' ? body : `${body}|${fields}`, { version })).event;
  expect(event?.kind).toBe('execution');
  return event as ExecutionEvent;
}

describe('framing', () => {
  it('reads SOH and | logs, one message a line, with the header of every message', () => {
    for (const delim of [SOH, '|']) {
      const result = parse(`${heartbeat(1, { delim })}\n${heartbeat(2, { delim })}\n`);
      expect(result.problems).toEqual([]);
      expect(result.messages.map((m) => [m.line, m.msgType, m.seq])).toEqual([
        [1, '0', 1],
        [2, '0', 2],
      ]);
      expect(result.messages[0]).toMatchObject({
        version: 'FIX.4.2',
        sender: 'CLIENT',
        target: 'BROKER',
        sentAt: '2024-01-05T01:30:00.250Z',
        event: null,
      });
    }
  });

  it('reads messages run together on one line, behind prefixes, NUL bytes and with junk after', () => {
    const text = [
      `${heartbeat(1)}${heartbeat(2)}${fix(ORDER)}`,
      `20060410-06:19:00 -> \0\0${heartbeat(3)}\r`,
      `04/10/2006  15:20:27:   <== ${heartbeat(4)}        JUNK OUT HERE`,
      `in=${heartbeat(5)}JUNK`,
      '',
    ].join('\n');
    const result = parse(text);
    expect(result.problems).toEqual([]);
    expect(result.messages.map((m) => [m.line, m.seq])).toEqual([
      [1, 1],
      [1, 2],
      [1, 7],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
  });

  it('counts LF, CRLF and lone CR as line ends', () => {
    const result = parse(
      `${heartbeat(1)}\r\n\r\n${heartbeat(2)}\r${heartbeat(3)}\n${withChecksum(heartbeat(4), '999')}`,
    );
    expect(result.messages.map((m) => m.line)).toEqual([1, 3, 4]);
    expect(result.problems.map((p) => p.line)).toEqual([5]);
  });

  it('reads FIX 4.2, 4.4 and FIXT.1.1 in one input, and zero-padded BodyLength', () => {
    const padded = fix(`35=0|${HEAD}|34=3`, { version: 'FIX.4.4', delim: '|', lengthDigits: 7 });
    expect(padded).toMatch(/^8=FIX\.4\.4\|9=00000\d\d\|/);
    const result = parse(
      [heartbeat(1), heartbeat(2, { version: 'FIX.4.4' }), padded, heartbeat(4, { version: 'FIXT.1.1' })].join('\n'),
    );
    expect(result.problems).toEqual([]);
    expect(result.messages.map((m) => m.version)).toEqual(['FIX.4.2', 'FIX.4.4', 'FIX.4.4', 'FIXT.1.1']);
  });

  it('accepts a | message without its final delimiter at the end of a line or of the input', () => {
    const bare = heartbeat(1, { delim: '|' }).slice(0, -1);
    const result = parse(`# comment\n\n${bare}\n${bare}`);
    expect(result.problems).toEqual([]);
    expect(result.messages.map((m) => m.line)).toEqual([3, 4]);
    expect(result.messages[0]!.raw.endsWith(`10=${bare.slice(-3)}${SOH}`)).toBe(true);
  });

  it('writes raw with SOH, so the same message from a | log and a SOH log is the same string', () => {
    const soh = only(fix(ORDER));
    const pipe = only(`>> ${fix(ORDER, { delim: '|' }).slice(0, -1)}  trailing`);
    expect(pipe.raw).toBe(soh.raw);
    expect(soh.raw).toBe(fix(ORDER));
    expect(pipe.event).toEqual(soh.event);
  });

  it('does not take an 8=FIX inside a field, or after a letter or digit, for a message', () => {
    const inner = fix(['35=0', ...HEAD.split('|'), '34=1', `58=copy of ${heartbeat(9, { delim: '|' })}`]);
    expect(only(inner).seq).toBe(1);
    expect(parse(`X${heartbeat(1)}\n7${heartbeat(2)}`)).toEqual({ messages: [], problems: [] });
  });

  it('reads values as UTF-8 and a string input as latin1 bytes, or as text when it cannot be bytes', () => {
    const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    const message = fix(`${ORDER}|58=${utf8('買入 騰訊')}`.replace('1=ACC-9', `1=${utf8('Zürich 騰訊')}`));
    expect((only(message).event as { account: string }).account).toBe('Zürich 騰訊');
    expect(parseFixLog(message)).toEqual(parse(message));
    const decoded = Buffer.from(message, 'latin1').toString('utf8');
    expect(parseFixLog(decoded)).toEqual(parse(message));
  });
});

describe('data fields', () => {
  it('reads a data field by its length, delimiters and all', () => {
    for (const delim of [SOH, '|']) {
      const data = `pass${SOH}word|10=123${delim}`;
      const logon = fix(['35=A', ...HEAD.split('|'), '34=1', `95=${data.length}`, `96=${data}`, '98=0'], { delim });
      expect(only(logon)).toMatchObject({ msgType: 'A', seq: 1 });
    }
  });

  it('reports a data field that does not end where its length says', () => {
    const logon = fix(['35=A', ...HEAD.split('|'), '34=1', '95=4', '96=password', '98=0']);
    const result = parse(`${logon}\n${heartbeat(2)}`);
    expect(result.problems).toEqual([
      { line: 1, reason: 'RawData (96) does not end after the 4 bytes its Length field gives' },
    ]);
    expect(parse(fix(['35=A', ...HEAD.split('|'), '95=four', '96=word'])).problems).toEqual([
      { line: 1, reason: "RawDataLength (95) 'four' is not a length in bytes" },
    ]);
  });

  it("refuses a SOH outside a data field of a '|'-delimited message", () => {
    const result = parse(fix(`35=0|${HEAD}|34=1|58=a${SOH}b`, { delim: '|' }));
    expect(result.problems).toEqual([
      { line: 1, reason: "field 8 (tag 58) holds a SOH byte in a '|'-delimited message" },
    ]);
  });
});

describe('problems', () => {
  it('reports a BodyLength that does not land on the CheckSum, with the real length, and reads on', () => {
    const good = fix(ORDER);
    const n = bodyLength(good);
    const text = [heartbeat(1), withBodyLength(good, n + 2), withBodyLength(good, n - 5), heartbeat(4)].join('\n');
    const result = parse(text);
    expect(result.problems).toEqual([
      {
        line: 2,
        reason: `BodyLength (9) says ${n + 2} but the body is ${n} bytes (CheckSum field found 2 bytes early)`,
      },
      {
        line: 3,
        reason: `BodyLength (9) says ${n - 5} but the body is ${n} bytes (CheckSum field found 5 bytes late)`,
      },
    ]);
    expect(result.messages.map((m) => [m.line, m.seq])).toEqual([
      [1, 1],
      [4, 4],
    ]);
  });

  it('finds the next message even inside the body a wrong BodyLength claims', () => {
    const result = parse(`${withBodyLength(heartbeat(1), 400)}${heartbeat(2)}\n${heartbeat(3)}`);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.reason).toMatch(/^BodyLength \(9\) says 400 but the body is \d+ bytes/);
    expect(result.messages.map((m) => [m.line, m.seq])).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });

  it('reports a BodyLength with no CheckSum field before the next message', () => {
    const cut = heartbeat(1).slice(0, 40);
    const result = parse(`${cut}\n${heartbeat(2)}`);
    expect(result.problems).toEqual([
      { line: 1, reason: expect.stringContaining('no CheckSum (10) field ends the body before the next message') },
    ]);
    expect(result.messages.map((m) => m.seq)).toEqual([2]);
  });

  it('reports a wrong CheckSum with the sum the message has', () => {
    const good = heartbeat(2);
    const real = good.slice(-4, -1);
    const wrong = real === '000' ? '001' : '000';
    const result = parse([heartbeat(1), withChecksum(good, wrong), heartbeat(3)].join('\r\n'));
    expect(result.problems).toEqual([
      { line: 2, reason: `CheckSum (10) is ${Number(wrong)} but the message sums to ${Number(real)}` },
    ]);
    expect(result.messages.map((m) => m.seq)).toEqual([1, 3]);
  });

  it('reports a CheckSum that is not three digits', () => {
    const result = parse(`${heartbeat(1).replace(/10=\d{3}/, '10=12')}\n${heartbeat(2)}`);
    expect(result.problems).toEqual([{ line: 1, reason: "CheckSum (10) '12' is not three digits" }]);
    expect(result.messages.map((m) => m.seq)).toEqual([2]);
  });

  it.each([
    ['within BeginString', (m: string) => m.slice(0, 7), 'message is cut off at end of input, within BeginString (8)'],
    ['within BodyLength', (m: string) => m.slice(0, 13), 'message is cut off at end of input, within BodyLength (9)'],
    ['within the body', (m: string) => m.slice(0, 40), 'message is cut off at end of input: BodyLength (9) says'],
    ['within CheckSum', (m: string) => m.slice(0, -3), 'message is cut off at end of input, within CheckSum (10)'],
  ])('reports a message cut off at the end of the input %s', (_, cut, reason) => {
    const result = parse(`${heartbeat(1)}\n${cut(heartbeat(2))}`);
    expect(result.messages.map((m) => m.seq)).toEqual([1]);
    expect(result.problems).toEqual([{ line: 2, reason: expect.stringContaining(reason) }]);
  });

  it('reports a message longer than the limit without reading it, and accepts one just under', () => {
    const big = fix(`35=0|${HEAD}|34=1|58=${'x'.repeat(MAX_FIX_MESSAGE_BYTES)}`);
    const result = parse(`${big}\n${heartbeat(2)}`);
    expect(result.problems).toEqual([{ line: 1, reason: expect.stringContaining('longer than 65536 bytes') }]);
    expect(result.messages.map((m) => m.seq)).toEqual([2]);
    const large = fix(`35=0|${HEAD}|34=3|58=${'x'.repeat(MAX_FIX_MESSAGE_BYTES - 200)}`);
    expect(only(large).seq).toBe(3);
  });

  it('reports what is not a FIX header', () => {
    const result = parse(
      [
        heartbeat(1, { version: 'FIX.5.0' }),
        '8=FIXED in release 2',
        `8=FIX.4.2${SOH}35=0${SOH}`,
        `8=FIX.4.2${SOH}9=1x${SOH}`,
        heartbeat(5),
      ].join('\n'),
    );
    expect(result.problems).toEqual([
      { line: 1, reason: "BeginString (8) 'FIX.5.0' is not FIX.4.0 to FIX.4.4 or FIXT.1.1" },
      { line: 2, reason: "'8=FIX' is not followed by a BeginString and a delimiter (SOH or '|'): '8=FIXED '" },
      { line: 3, reason: "BodyLength (9) must follow BeginString (8), found '35=0'" },
      { line: 4, reason: "BodyLength (9) '1x' is not a length in bytes" },
    ]);
    expect(result.messages.map((m) => m.seq)).toEqual([5]);
  });

  it.each([
    ['a tag that is not a number', `35=0|${HEAD}|abc=1`, "field 7 'abc=1' has a tag that is not a positive integer"],
    ['tag 0', `35=0|${HEAD}|0=1`, "field 7 '0=1' has a tag that is not a positive integer"],
    ['a field without =', `35=0|${HEAD}|58`, "field 7 '58' has no '='"],
    ['an empty field', `35=0|${HEAD}||34=1`, "field 7 '' has no '='"],
    ['no MsgType', `${HEAD}|34=1`, 'MsgType (35) is missing'],
    ['a bad MsgSeqNum', `35=0|${HEAD}|34=-4`, "MsgSeqNum (34) '-4' is not a sequence number"],
    [
      'a bad SendingTime',
      '35=0|52=20240105 01:30:00',
      "SendingTime (52) '20240105 01:30:00' is not a FIX UTCTimestamp",
    ],
  ])('reports a message with %s, by line, between good ones', (_, body, reason) => {
    const result = parse([heartbeat(1), '', fix(body), heartbeat(4)].join('\n'));
    expect(result.problems).toEqual([{ line: 3, reason: expect.stringContaining(reason) }]);
    expect(result.messages.map((m) => m.seq)).toEqual([1, 4]);
  });

  it.each([
    ['D', 'no OrderQty (38)', ORDER.replace('|38=1000', ''), 'NewOrderSingle (35=D) lacks OrderQty (38)'],
    ['D', 'no ClOrdID (11)', ORDER.replace('|11=ORD-1', ''), 'NewOrderSingle (35=D) lacks ClOrdID (11)'],
    ['D', 'an empty ClOrdID (11)', ORDER.replace('|11=ORD-1', '|11='), 'NewOrderSingle (35=D) lacks ClOrdID (11)'],
    [
      'D',
      'no Symbol (55) or SecurityID (48)',
      ORDER.replace('|55=0700.HK', ''),
      'NewOrderSingle (35=D) lacks Symbol (55) or SecurityID (48)',
    ],
    ['D', 'no Side (54)', ORDER.replace('|54=1', ''), 'NewOrderSingle (35=D) lacks Side (54)'],
    ['D', 'a Side that is not buy or sell', ORDER.replace('|54=1', '|54=Z'), "Side (54) 'Z' is not a FIX side"],
    ['D', 'an exponent in OrderQty', ORDER.replace('|38=1000', '|38=1e3'), "OrderQty (38) '1e3' is not a number"],
    ['D', 'NaN for a price', ORDER.replace('|44=352.20', '|44=NaN'), "Price (44) 'NaN' is not a number"],
    ['D', 'a hexadecimal price', ORDER.replace('|44=352.20', '|44=0x10'), "Price (44) '0x10' is not a number"],
    ['D', 'an infinite price', ORDER.replace('|44=352.20', '|44=Infinity'), "Price (44) 'Infinity' is not a number"],
    [
      'D',
      'February 30th',
      ORDER.replace('|60=20240105-01:29:59.125', '|60=20240230-01:29:59'),
      "TransactTime (60) '20240230-01:29:59'",
    ],
    ['D', 'hour 24', ORDER.replace('|60=20240105-01:29:59.125', '|60=20240105-24:00:00'), 'TransactTime (60)'],
    [
      'G',
      'no OrigClOrdID (41)',
      `35=G|${HEAD}|11=ORD-2|55=0700.HK|54=1`,
      'OrderCancelReplaceRequest (35=G) lacks OrigClOrdID (41)',
    ],
    ['G', 'a cross for a Side', `35=G|${HEAD}|11=ORD-2|41=ORD-1|55=0700.HK|54=7`, "Side (54) '7' is not a FIX side"],
    [
      'F',
      'no OrigClOrdID (41)',
      `35=F|${HEAD}|11=ORD-3|55=0700.HK|54=1`,
      'OrderCancelRequest (35=F) lacks OrigClOrdID (41)',
    ],
    [
      'F',
      'no Symbol (55)',
      `35=F|${HEAD}|11=ORD-3|41=ORD-1|54=1`,
      'OrderCancelRequest (35=F) lacks Symbol (55) or SecurityID (48)',
    ],
    ['8', 'no ExecID (17)', `35=8|${HEAD}|11=ORD-1|39=0|150=0`, 'ExecutionReport (35=8) lacks ExecID (17)'],
    [
      '8',
      'neither ClOrdID (11) nor OrderID (37)',
      `35=8|${HEAD}|17=EX-1|39=0`,
      'ExecutionReport (35=8) lacks ClOrdID (11) or OrderID (37)',
    ],
    ['8', 'a word for CumQty', `35=8|${HEAD}|11=ORD-1|17=EX-1|39=0|14=lots`, "CumQty (14) 'lots' is not a number"],
  ])('reports 35=%s with %s', (_, _what, body, reason) => {
    const result = parse([heartbeat(1), fix(body), heartbeat(3)].join('\n'));
    expect(result.problems).toEqual([{ line: 2, reason: expect.stringContaining(reason) }]);
    expect(result.messages.map((m) => m.seq)).toEqual([1, 3]);
  });

  it('names every problem of a message in one reason', () => {
    const result = parse(fix(ORDER.replace('|54=1', '|54=Z').replace('|38=1000', '')));
    expect(result.problems).toEqual([
      {
        line: 1,
        reason:
          "Side (54) 'Z' is not a FIX side for buying or selling (1–6); NewOrderSingle (35=D) lacks OrderQty (38)",
      },
    ]);
  });

  it('escapes control characters in what it quotes', () => {
    const result = parse(fix(`35=0|${HEAD}|3\x004=1`));
    expect(result.problems[0]!.reason).toBe("field 7 '3\\x004=1' has a tag that is not a positive integer");
  });
});

describe('orders', () => {
  it('reads a NewOrderSingle', () => {
    expect(only(fix(ORDER)).event).toEqual({
      kind: 'order',
      orderId: 'ORD-1',
      account: 'ACC-9',
      symbol: '0700.HK',
      side: 'buy',
      quantity: 1000,
      orderType: 'limit',
      limitPrice: 352.2,
      at: '2024-01-05T01:29:59.125Z',
      channel: null,
      status: 'new',
    });
  });

  it('falls back to SecurityID (48) and SendingTime (52), and reads decimals as FIX writes them', () => {
    const body = `35=D|${HEAD}|11=ORD-1|48=HK0000069689|54=2|38=4100.000000|40=1`;
    expect(only(fix(body)).event).toMatchObject({
      symbol: 'HK0000069689',
      side: 'sell',
      quantity: 4100,
      orderType: 'market',
      limitPrice: null,
      account: null,
      at: '2024-01-05T01:30:00.250Z',
    });
    const decimals = (price: string) =>
      (only(fix(ORDER.replace('44=352.20', `44=${price}`))).event as { limitPrice: number }).limitPrice;
    expect([decimals('.5'), decimals('-1'), decimals('7.'), decimals('0033.1100')]).toEqual([0.5, -1, 7, 33.11]);
  });

  it.each([
    ['1', 'buy'],
    ['2', 'sell'],
    ['3', 'buy'],
    ['4', 'sell'],
    ['5', 'sell'],
    ['6', 'sell'],
  ])('reads Side %s as %s', (side, expected) => {
    expect(only(fix(ORDER.replace('54=1', `54=${side}`))).event).toMatchObject({ side: expected });
  });

  it.each([
    ['1', 'market'],
    ['2', 'limit'],
    ['3', 'stop'],
    ['4', 'stop_limit'],
    ['P', 'other'],
  ])('reads OrdType %s as %s', (type, expected) => {
    expect(only(fix(ORDER.replace('40=2', `40=${type}`))).event).toMatchObject({ orderType: expected });
  });

  it('reads a replace request and a cancel request', () => {
    const replace = `35=G|${HEAD}|11=ORD-2|41=ORD-1|1=ACC-9|55=0700.HK|54=1|38=2000|40=2|44=351|60=20240105-01:31:00`;
    expect(only(fix(replace, { version: 'FIX.4.4' })).event).toEqual({
      kind: 'replace_request',
      orderId: 'ORD-2',
      origOrderId: 'ORD-1',
      account: 'ACC-9',
      symbol: '0700.HK',
      side: 'buy',
      quantity: 2000,
      orderType: 'limit',
      limitPrice: 351,
      at: '2024-01-05T01:31:00.000Z',
    });
    expect(only(fix(`35=G|${HEAD}|11=ORD-2|41=ORD-1|55=0700.HK|54=1`)).event).toMatchObject({
      quantity: null,
      orderType: null,
      limitPrice: null,
    });
    const cancel = `35=F|${HEAD}|11=ORD-3|41=ORD-2|55=0700.HK|54=8|38=2000`;
    expect(only(fix(cancel)).event).toEqual({
      kind: 'cancel_request',
      orderId: 'ORD-3',
      origOrderId: 'ORD-2',
      account: null,
      symbol: '0700.HK',
      side: null,
      quantity: 2000,
      at: '2024-01-05T01:30:00.250Z',
    });
  });
});

describe('execution reports', () => {
  it('reads a fill', () => {
    expect(execution('39=2|150=2|151=0|41=ORD-0|1=ACC-9|60=20240105-01:30:01.5')).toEqual({
      kind: 'execution',
      execId: 'EX-1',
      orderId: 'ORD-1',
      origOrderId: 'ORD-0',
      brokerOrderId: 'BRK-1',
      execType: 'fill',
      status: 'filled',
      account: 'ACC-9',
      symbol: '0700.HK',
      side: 'buy',
      orderQuantity: 1000,
      limitPrice: 352,
      lastQuantity: 100,
      lastPrice: 352.2,
      cumQuantity: 100,
      leavesQuantity: 0,
      avgPrice: 352.2,
      at: '2024-01-05T01:30:01.500Z',
    });
  });

  const FILLS = new Set<ExecutionType>(['partial_fill', 'fill', 'trade_correct']);

  it.each<[string, string, string, ExecutionType]>([
    ['FIX.4.2', '20=0|150=0', 'new', 'new'],
    ['FIX.4.2', '20=0|150=1', 'partial fill', 'partial_fill'],
    ['FIX.4.2', '20=0|150=2', 'fill', 'fill'],
    ['FIX.4.2', '20=0|150=3', 'done for day', 'done_for_day'],
    ['FIX.4.2', '20=0|150=4', 'cancelled', 'cancelled'],
    ['FIX.4.2', '20=0|150=5', 'replaced', 'replaced'],
    ['FIX.4.2', '20=0|150=6', 'pending cancel', 'pending'],
    ['FIX.4.2', '20=0|150=7', 'stopped', 'other'],
    ['FIX.4.2', '20=0|150=8', 'rejected', 'rejected'],
    ['FIX.4.2', '20=0|150=9', 'suspended', 'other'],
    ['FIX.4.2', '20=0|150=A', 'pending new', 'pending'],
    ['FIX.4.2', '20=0|150=B', 'calculated', 'other'],
    ['FIX.4.2', '20=0|150=C', 'expired', 'expired'],
    ['FIX.4.2', '20=0|150=D', 'restated', 'other'],
    ['FIX.4.2', '20=0|150=E', 'pending replace', 'pending'],
    ['FIX.4.2', '20=0|150=Z', 'an unknown ExecType', 'other'],
    ['FIX.4.2', '20=1|150=2', 'ExecTransType cancel', 'trade_cancel'],
    ['FIX.4.2', '20=2|150=2', 'ExecTransType correct', 'trade_correct'],
    ['FIX.4.2', '20=3|150=0', 'ExecTransType status', 'status'],
    ['FIX.4.4', '150=F|39=1', 'trade, partially filled', 'partial_fill'],
    ['FIX.4.4', '150=F|39=2', 'trade, filled', 'fill'],
    ['FIX.4.4', '150=F|151=0', 'trade, no OrdStatus, nothing left', 'fill'],
    ['FIX.4.4', '150=F|151=900', 'trade, no OrdStatus, some left', 'partial_fill'],
    ['FIX.4.4', '150=G', 'trade correct', 'trade_correct'],
    ['FIX.4.4', '150=H', 'trade cancel', 'trade_cancel'],
    ['FIX.4.4', '150=I', 'order status', 'status'],
    ['FIX.4.4', '150=1', 'a 4.2 partial fill', 'partial_fill'],
    ['FIX.4.4', '150=2', 'a 4.2 fill', 'fill'],
    ['FIX.4.4', '', 'neither ExecType nor OrdStatus', 'other'],
  ])('%s %s (%s) is %s', (version, fields, _, expected) => {
    const event = execution(fields, version);
    expect(event.execType).toBe(expected);
    expect([event.lastQuantity, event.lastPrice]).toEqual(FILLS.has(expected) ? [100, 352.2] : [null, null]);
  });

  it.each<[string, ExecutionType, FirmOrderStatus | null]>([
    ['0', 'new', 'new'],
    ['1', 'partial_fill', 'partially_filled'],
    ['2', 'fill', 'filled'],
    ['3', 'done_for_day', 'done_for_day'],
    ['4', 'cancelled', 'cancelled'],
    ['5', 'replaced', 'replaced'],
    ['6', 'pending', 'pending'],
    ['7', 'other', null],
    ['8', 'rejected', 'rejected'],
    ['9', 'other', null],
    ['A', 'pending', 'pending'],
    ['B', 'other', null],
    ['C', 'expired', 'expired'],
    ['D', 'other', null],
    ['E', 'pending', 'pending'],
  ])('without ExecType, OrdStatus %s is %s (status %s)', (status, execType, expected) => {
    const event = execution(`39=${status}`, 'FIX.4.2');
    expect([event.execType, event.status]).toEqual([execType, expected]);
  });

  it('takes OrderID for the order when ClOrdID is absent, and leaves an odd side null', () => {
    const body = `35=8|${HEAD}|37=BRK-7|17=EX-7|39=0|150=0|54=X|48=US0378331005`;
    expect(only(fix(body, { version: 'FIX.4.4' })).event).toMatchObject({
      orderId: 'BRK-7',
      brokerOrderId: 'BRK-7',
      side: null,
      symbol: 'US0378331005',
      orderQuantity: null,
      at: '2024-01-05T01:30:00.250Z',
    });
  });

  it('gives no event for session and other messages', () => {
    for (const type of ['A', '0', '1', '5', '6', 'AE']) {
      expect(only(fix(`35=${type}|${HEAD}|34=1|55=0700.HK|54=1`)).event).toBeNull();
    }
  });
});

describe('hostile input', () => {
  const log = [
    heartbeat(1),
    fix(ORDER, { delim: '|' }),
    'junk 8=FIX here',
    fix(['35=A', ...HEAD.split('|'), '34=2', '95=7', `96=a${SOH}b|c=d`, '98=0', '108=30']),
    fix(`35=8|${HEAD}|11=A|17=B|39=2|150=F|151=0`, { version: 'FIX.4.4' }),
    heartbeat(5, { delim: '|' }).slice(0, -1),
  ].join('\r\n');

  it('never throws, and every message it returns reads back alone, unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), insert: fc.boolean() }), {
          maxLength: 6,
        }),
        (edits) => {
          let text = log;
          for (const { at, byte, insert } of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + String.fromCharCode(byte) + text.slice(insert ? i : i + 1);
          }
          const result = parse(text);
          for (const message of result.messages) {
            const again = only(message.raw);
            expect({ ...again, line: message.line }).toEqual(message);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const result = parseFixLog(Buffer.concat([Buffer.from('8=FIX.4.2|9=1'), bytes]));
        expect(result.messages.length + result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

const CORPUS = resolve(import.meta.dirname, '../../../../shared/corpus/fix');

describe.skipIf(!existsSync(CORPUS))('FIX corpus (skipped: ../shared/corpus is not beside the project)', () => {
  const read = (file: string) => parseFixLog(readFileSync(join(CORPUS, file)));

  it('reads every log without a problem, as many messages as log4fix expects', () => {
    const files = readdirSync(CORPUS);
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) {
      const result = read(file);
      expect(result.problems, file).toEqual([]);
      expect(result.messages.length, file).toBeGreaterThan(0);
      const expected = /^ExpectedMessageCount=(\d+)/m.exec(readFileSync(join(CORPUS, file), 'latin1'));
      if (file.startsWith('log4fix')) expect(result.messages.length, file).toBe(Number(expected![1]));
    }
  });

  it('reads the NewOrderSingle of a log with prefixes, NUL bytes and CRLF', () => {
    const orders = read('log4fix-FIX42-SenderMessagePerLine.log').messages.filter((m) => m.msgType === 'D');
    expect(orders[0]).toMatchObject({ line: 2, sender: 'CoyTrade', target: 'BCExchange', seq: 94 });
    expect(orders[0]!.event).toEqual({
      kind: 'order',
      orderId: '71-593',
      account: '8VQC-F',
      symbol: 'CREE',
      side: 'buy',
      quantity: 4100,
      orderType: 'limit',
      limitPrice: 33.11,
      at: '2006-04-10T12:01:59.000Z',
      channel: null,
      status: 'new',
    });
  });

  it('reads a FIX 4.2 ExecutionReport without ExecType from its OrdStatus', () => {
    const reports = read('log4fix-FIX42-TargetMessagePerLine.log').messages.filter((m) => m.msgType === '8');
    expect(reports).toHaveLength(5);
    expect(reports[0]!.event).toEqual({
      kind: 'execution',
      execId: '890957098',
      orderId: '103-107515',
      origOrderId: null,
      brokerOrderId: 'JSD09182',
      execType: 'done_for_day',
      status: 'done_for_day',
      account: null,
      symbol: 'LU',
      side: 'buy',
      orderQuantity: 50000,
      limitPrice: null,
      lastQuantity: null,
      lastPrice: null,
      cumQuantity: 0,
      leavesQuantity: null,
      avgPrice: 0,
      at: '2006-04-10T20:20:39.000Z',
    });
  });
});
