/**
 * Account activity and reconciliation, on a real store (STENO_TEST_DB), through the real `steno`
 * command: the firm's orders and executions imported from CSV and FIX logs into the ledger, then
 * compared with the orders clients gave in chat, every exception type found with its evidence.
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBackend, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';
import { jsonLines, runSteno } from './support/cli.js';
import { fixMessage, fixTime } from './support/fix.js';
import { message } from './support/messages.js';

const MASTER = `symbol,name,aliases,lot_size,currency,exchange
0005.HK,HSBC Holdings,HSBC|匯豐|汇丰,400,HKD,XHKG
0700.HK,Tencent Holdings,Tencent|騰訊|腾讯,100,HKD,XHKG
AAPL.US,Apple Inc.,AAPL|Apple,1,USD,XNAS
`;
const STAFF = `employee_id,name,desk,supervisor_id,handles
E1,Wong Ka Ho,HK Equities,,whatsapp:+85298765432
`;
// C1's orders arrive by IM; C2's usually by phone.
const CLIENTS = `client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed
C1,Chan Tai Man,ACC-001,whatsapp:+85291234567,2026-03-01,E1,video call,ack-C1.pdf,true
C2,Ho Siu Ling,ACC-003,whatsapp:+85290001111,2026-03-02,E1,in branch,ack-C2.pdf,false
`;

const C1 = '+85291234567';
const C2 = '+85290001111';
const RM = '+85298765432';
/** Minutes after 09:00 Hong Kong time on 4 May 2026. */
const at = (minute: number, second = 0) =>
  new Date(Date.parse('2026-05-04T09:00:00+08:00') + minute * 60_000 + second * 1000).toISOString();
const chat = (id: string, minute: number, text: string, sender = C1) =>
  message({
    platformMessageId: id,
    conversationId: sender === C1 ? 'conv-c1' : 'conv-c2',
    sentAt: at(minute),
    text,
    sender,
    recipients: [RM],
    account: RM,
  });

const CHAT = [
  chat('m1', 0, 'buy 10k 700 @352'),
  chat('m2', 5, 'sell 4000 HSBC @60'),
  chat('m3', 10, 'buy 20k 700 @353'),
  chat('m4', 15, 'buy 500 AAPL at 190', C2),
  chat('m5', 25, 'sell 10k 700 at 360'),
  chat('m6', 30, 'buy 1000 HSBC @61', C2),
  chat('m7', 35, 'buy 2000 HSBC @60', C2),
  chat('m8', 40, 'buy 5000 700 @350'),
  chat('m9', 45, 'amend my 700 to 351'),
  chat('m10', 50, 'buy 3000 HSBC @59'),
  chat('m11', 55, 'cxl my HSBC order'),
  chat('m12', 58, 'buy 1000 700 @349'),
  chat('m13', 59, 'cxl my 700 order'),
  chat('m14', 60, 'buy 2000 HSBC @58', C2),
  chat('m15', 62, 'amend my HSBC order to 57', C2),
];

const ORDERS_HEADER = 'order_id,account,symbol,side,quantity,order_type,limit_price,entered_at,channel,status';
const ORDERS_CSV = `${ORDERS_HEADER}
O1,ACC-001,700,buy,10000,limit,352,${at(2)},IM,filled
O2,ACC-001,0005.HK,sell,4000,limit,60,${at(20)},IM,new
O3,ACC-001,0700.HK,buy,2000,limit,353,${at(11)},IM,new
O5,ACC-001,700 HK,buy,10000,limit,360,${at(26)},IM,new
O6,ACC-003,5,buy,1000,limit,61,${at(31)},phone,filled
O7,ACC-003,0005.HK,buy,2000,limit,60.5,${at(36)},phone,new
O10,ACC-001,0005.HK,buy,3000,limit,59,${at(51)},IM,new
O14,ACC-003,0005.HK,buy,2000,limit,58,${at(61)},phone,new
O20,ACC-001,0700.HK,buy,100,limit,340,${at(120)},phone,new
O21,ACC-003,0005.HK,sell,400,limit,70,${at(125)},IM,new
O22,ACC-003,0005.HK,buy,400,limit,55,${at(130)},phone,new
`;
const EXECUTIONS_CSV = `exec_id,order_id,account,symbol,side,quantity,price,executed_at
X1,O1,ACC-001,0700.HK,buy,10000,351.8,${at(3)}
X6,O6,ACC-003,0005.HK,buy,1000,61.5,${at(32)}
`;

/** F-1 entered, replaced at 351 as the client asked (F-2) and filled; F-3 entered and cancelled (F-4). */
function fixLog(delimiter: string): string {
  const header = (type: string, seq: number, minute: number) =>
    [
      [35, type],
      [49, 'STENOFIRM'],
      [56, 'BROKER'],
      [34, seq],
      [52, fixTime(at(minute))],
    ] as const;
  const lines = [
    fixMessage('FIX.4.4', [
      ...header('D', 2, 41),
      [11, 'F-1'],
      [1, 'ACC-001'],
      [55, '0700.HK'],
      [54, 1],
      [38, 5000],
      [40, 2],
      [44, 350],
      [60, fixTime(at(41))],
    ]),
    fixMessage('FIX.4.4', [
      ...header('G', 3, 47),
      [11, 'F-2'],
      [41, 'F-1'],
      [1, 'ACC-001'],
      [55, '0700.HK'],
      [54, 1],
      [38, 5000],
      [40, 2],
      [44, 351],
      [60, fixTime(at(47))],
    ]),
    fixMessage('FIX.4.4', [
      ...header('8', 4, 47),
      [37, 'B-1'],
      [11, 'F-2'],
      [41, 'F-1'],
      [17, 'E-1'],
      [150, 5],
      [39, 5],
      [1, 'ACC-001'],
      [55, '0700.HK'],
      [54, 1],
      [38, 5000],
      [44, 351],
      [14, 0],
      [151, 5000],
      [6, 0],
    ]),
    fixMessage('FIX.4.4', [
      ...header('8', 5, 48),
      [37, 'B-1'],
      [11, 'F-2'],
      [17, 'E-2'],
      [150, 'F'],
      [39, 2],
      [55, '0700.HK'],
      [54, 1],
      [38, 5000],
      [32, 5000],
      [31, 351],
      [14, 5000],
      [151, 0],
      [6, 351],
      [60, fixTime(at(48))],
    ]),
    fixMessage('FIX.4.2', [
      ...header('D', 6, 59),
      [11, 'F-3'],
      [1, 'ACC-001'],
      [21, 1],
      [55, '700'],
      [54, 1],
      [38, 1000],
      [40, 2],
      [44, 349],
      [60, fixTime(at(59))],
    ]),
    fixMessage('FIX.4.2', [...header('F', 7, 60), [11, 'F-4'], [41, 'F-3'], [55, '700'], [54, 1], [38, 1000]]),
    fixMessage('FIX.4.2', [
      ...header('8', 8, 61),
      [37, 'B-3'],
      [11, 'F-4'],
      [41, 'F-3'],
      [17, 'E-3'],
      [20, 0],
      [150, 4],
      [39, 4],
      [55, '700'],
      [54, 1],
      [38, 1000],
      [14, 0],
      [151, 0],
      [6, 0],
    ]),
  ];
  // A session log: prefixes, a heartbeat, and two messages run together on one line.
  const heartbeat = fixMessage('FIX.4.4', [...header('0', 1, 40)], delimiter);
  const d = (m: string) => m.replaceAll('\x01', delimiter);
  return [
    `20260504-01:40:00.000 <- ${heartbeat}`,
    ...lines.slice(0, 3).map((m) => `20260504-01:41:00.000 -> ${d(m)}`),
    `${d(lines[3]!)}${d(lines[4]!)}`,
    ...lines.slice(5).map(d),
    '',
  ].join('\n');
}

interface Exception {
  type: string;
  messageId: string | null;
  platformMessageId: string | null;
  orderId: string | null;
  details: Record<string, unknown>;
}

describe(`account activity and reconciliation on ${TEST_DB}`, () => {
  let backend: TestBackend;
  const steno = (...args: string[]) => runSteno(args, backend.env);
  const file = async (name: string, text: string) => {
    const path = join(backend.dataDir, name);
    await writeFile(path, text);
    return path;
  };
  const ok = async (...args: string[]) => {
    const result = await steno(...args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result;
  };
  const reconcile = async (...args: string[]) =>
    jsonLines<Exception>((await ok('reconcile', '--json', ...args)).stdout);
  const summary = (exceptions: Exception[]) => exceptions.map((e) => [e.type, e.platformMessageId, e.orderId]);
  const countRecords = async (type: string) =>
    Number(
      (
        await rawQuery<{ n: number | string }>(
          backend,
          `SELECT count(*) AS n FROM ledger_leaves WHERE record_type = '${type}'`,
        )
      )[0]!.n,
    );

  beforeAll(async () => {
    backend = await createTestBackend();
    await ok('directory', 'import', 'staff', await file('staff.csv', STAFF));
    await ok('directory', 'import', 'clients', await file('clients.csv', CLIENTS));
    await ok('instruments', 'import', await file('master.csv', MASTER));
    await ok('ingest', await file('chat.jsonl', CHAT.map((m) => JSON.stringify(m)).join('\n')));
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('refuses a bad CSV whole, naming each line and column, and stores nothing', async () => {
    const bad = await steno(
      'activity',
      'import',
      await file(
        'bad-orders.csv',
        `${ORDERS_HEADER}\nB1,ACC-001,700,buy,100,limit,352,${at(1)},IM,new\nB2,ACC-001,700,hold,-5,limit,,2026-05-04 09:00,IM,new\nB3,ACC-001,700,buy,1e3,market,352,${at(1)},IM,lost\n`,
      ),
      '--format',
      'orders-csv',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('nothing was imported');
    expect(bad.stderr).toContain('line 3.side: "hold" is not one of buy, sell');
    expect(bad.stderr).toContain('line 3.quantity: "-5" is not a decimal number');
    expect(bad.stderr).toContain('line 3.limit_price: is empty');
    expect(bad.stderr).toContain('line 3.entered_at: "2026-05-04 09:00" is not an ISO 8601 time with a UTC offset');
    expect(bad.stderr).toContain('line 4.quantity: "1e3" is not a decimal number');
    expect(bad.stderr).toContain('line 4.limit_price: a market order has no limit price');
    expect(bad.stderr).toContain('line 4.status: "lost" is not one of');
    const header = await steno(
      'activity',
      'import',
      await file('bad-header.csv', 'exec_id,order_id\nX,Y\n'),
      '--format',
      'executions-csv',
    );
    expect(header.code).toBe(1);
    expect(header.stderr).toContain(
      'line 1 must be the header exec_id,order_id,account,symbol,side,quantity,price,executed_at',
    );
    const format = await steno('activity', 'import', join(backend.dataDir, 'bad-header.csv'), '--format', 'xml');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('give --format fix|orders-csv|executions-csv');
    const missing = await steno('activity', 'import', join(backend.dataDir, 'absent.csv'), '--format', 'fix');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('absent.csv');
    expect(await countRecords('activity')).toBe(0);
  });

  it('imports orders and executions CSVs into the ledger once, however often they are imported', async () => {
    const orders = await ok(
      'activity',
      'import',
      await file('orders.csv', ORDERS_CSV),
      '--format',
      'orders-csv',
      '--json',
    );
    expect(JSON.parse(orders.stdout)).toMatchObject({ read: 11, events: 11, recorded: 11, known: 0, skippedCount: 0 });
    const executions = await ok(
      'activity',
      'import',
      await file('executions.csv', EXECUTIONS_CSV),
      '--format',
      'executions-csv',
    );
    expect(executions.stdout).toContain('2 row(s) read, 2 activity event(s): 2 recorded, 0 already archived');
    expect(await countRecords('activity')).toBe(13);
    const leaves = await countRecords('import');

    const again = await ok(
      'activity',
      'import',
      join(backend.dataDir, 'orders.csv'),
      '--format',
      'orders-csv',
      '--json',
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ recorded: 0, known: 11, importId: null });
    expect(await countRecords('activity')).toBe(13);
    expect(await countRecords('import')).toBe(leaves);
  });

  it('imports a FIX log whatever its delimiter, skipping a bad message with its line and reason', async () => {
    const good = fixLog('|');
    // The same log with a message whose CheckSum was altered in transit, appended after it.
    const tampered = fixMessage('FIX.4.4', [
      [35, 'D'],
      [49, 'STENOFIRM'],
      [56, 'BROKER'],
      [34, 9],
      [52, fixTime(at(70))],
      [11, 'F-9'],
      [1, 'ACC-001'],
      [55, '0700.HK'],
      [54, 1],
      [38, 100],
      [40, 1],
    ]).replace(/10=\d{3}(?=.$)/, '10=000');
    const path = await file('session.log', `${good}${tampered}\n`);
    const result = await steno('activity', 'import', path, '--format', 'fix', '--json');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/session\.log: line 8: skipped: .*CheckSum/);
    expect(JSON.parse(result.stdout)).toMatchObject({ read: 8, events: 7, recorded: 7, skippedCount: 1 });

    // The same messages delimited by SOH are the same messages: nothing new.
    const soh = await ok(
      'activity',
      'import',
      await file('session-soh.log', fixLog('\x01')),
      '--format',
      'fix',
      '--json',
    );
    expect(JSON.parse(soh.stdout)).toMatchObject({ events: 7, recorded: 0, known: 7 });
    expect(await countRecords('activity')).toBe(20);
    await ok('verify');
  });

  it('finds every kind of exception, each with its evidence, and nothing else', async () => {
    const exceptions = await reconcile();
    expect(summary(exceptions)).toEqual([
      ['late_entry', 'm2', 'O2'],
      ['quantity_mismatch', 'm3', 'O3'],
      ['unentered_order', 'm4', null],
      ['side_mismatch', 'm5', 'O5'],
      ['price_mismatch', 'm6', 'O6'],
      ['price_mismatch', 'm7', 'O7'],
      ['cancel_not_applied', 'm11', 'O10'],
      ['amend_not_applied', 'm15', 'O14'],
      ['order_without_instruction', null, 'O20'],
      ['order_without_instruction', null, 'O21'],
    ]);
    for (const e of exceptions)
      expect(Object.keys(e)).toEqual(['type', 'messageId', 'platformMessageId', 'orderId', 'details']);
    const [late, quantity, unentered, side, fill, price, cancel, amend, byClient, byChannel] = exceptions;
    expect(late!.messageId).toMatch(/^[0-9A-Za-z_-]+$/);
    expect(late!.details).toMatchObject({ delayMs: 15 * 60_000, slaMs: 5 * 60_000, desk: 'HK Equities' });
    expect(late!.details.chatOrder).toMatchObject({ side: 'sell', symbol: '0005.HK', quantity: 4000, clientId: 'C1' });
    expect(late!.details.firmOrder).toMatchObject({ orderId: 'O2', account: 'ACC-001', enteredAt: at(20) });
    expect(quantity!.details).toMatchObject({ expected: 20_000, actual: 2000 });
    expect(unentered!.details).toMatchObject({ accounts: ['ACC-003'], windowMs: 30 * 60_000 });
    expect(side!.details).toMatchObject({ expected: 'sell', actual: 'buy' });
    expect(fill!.details).toMatchObject({
      reason: 'fill_worse_than_limit',
      executions: [{ execId: 'X6', quantity: 1000, price: 61.5, limit: 61 }],
    });
    expect(price!.details).toMatchObject({ expected: 60, actual: 60.5 });
    expect(cancel!.details.changes).toMatchObject({ side: 'buy', symbol: '0005.HK', quantity: 3000 });
    expect(amend!.details.chatOrder).toMatchObject({ action: 'amend', limitPrice: 57 });
    expect(byClient!.details).toMatchObject({
      reason: 'im_instructed_client',
      firmOrder: { account: 'ACC-001' },
      clientId: expect.any(String),
    });
    expect(byChannel!.details).toMatchObject({ reason: 'channel', firmOrder: { channel: 'IM' } });
    // The FIX orders were amended and cancelled as asked: their evidence is the ledger records behind them.
    const text = await ok('reconcile');
    expect(text.stdout).toContain('10 matched, 10 exception(s)');
    expect(text.stdout).toMatch(/chat-to-entry delay over 10 matched: p50 1\.0 min, p90 15\.0 min/);
  });

  it('takes the period, window and service levels it is given, and refuses bad ones', async () => {
    expect(summary(await reconcile('--from', at(0), '--to', at(30)))).toEqual([
      ['late_entry', 'm2', 'O2'],
      ['quantity_mismatch', 'm3', 'O3'],
      ['unentered_order', 'm4', null],
      ['side_mismatch', 'm5', 'O5'],
    ]);
    const relaxed = await reconcile('--desk-sla', 'HK Equities=20');
    expect(relaxed.map((e) => e.type)).not.toContain('late_entry');
    expect(relaxed).toHaveLength(9);
    expect((await reconcile('--sla', '20')).map((e) => e.type)).not.toContain('late_entry');
    // With a 10-minute window, O2 (15 minutes after m2) pairs with nothing.
    const narrow = summary(await reconcile('--window', '10', '--to', at(30)));
    expect(narrow).toContainEqual(['unentered_order', 'm2', null]);
    expect(narrow).toContainEqual(['order_without_instruction', null, 'O2']);

    const bad = async (args: string[], code: number, text: string) => {
      const result = await steno('reconcile', ...args);
      expect(result.code).toBe(code);
      expect(result.stderr).toContain(text);
    };
    await bad(['--from', 'yesterday'], 1, '--from: "yesterday" is not an ISO 8601 date');
    await bad(['--from', '2026-05-05', '--to', '2026-05-04'], 1, '--to must be after --from');
    await bad(['--window', 'ten'], 2, '--window: "ten" is not a number of minutes');
    await bad(['--window', '100000'], 1, 'is not a duration between 0 and 7 days');
    await bad(['--desk-sla', 'HK Equities'], 2, 'give DESK=MINUTES');
    await bad(['extra'], 2, 'unexpected argument extra');
  });

  it.skipIf(!existsSync(join('..', 'shared', 'corpus', 'fix')))(
    'imports every sample FIX log in the outside corpus without a skipped message (skipped: ../shared/corpus is absent)',
    async () => {
      const dir = join('..', 'shared', 'corpus', 'fix');
      for (const name of readdirSync(dir)) {
        const result = await steno('activity', 'import', join(dir, name), '--format', 'fix', '--json');
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(JSON.parse(result.stdout)).toMatchObject({ skippedCount: 0 });
      }
    },
  );
});
