/**
 * Orders in the archive, on a real store (STENO_TEST_DB): the security master imported into the ledger,
 * every archived message read for orders, orders linked to client, staff, the order an amendment or
 * cancellation changes and the confirmation staff sent, searchable by CLI and API; acknowledgements.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSteno, type Steno } from '../src/context.js';
import { buildServer } from '../src/review/api/server.js';
import { createTestBackend, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';
import { jsonLines, runSteno } from './support/cli.js';
import { message } from './support/messages.js';

const MASTER = `symbol,name,aliases,lot_size,currency,exchange
0005.HK,HSBC Holdings,HSBC|匯豐|汇丰,400,HKD,XHKG
0700.HK,Tencent Holdings,Tencent|騰訊|腾讯,100,HKD,XHKG
AAPL.US,Apple Inc.,AAPL|Apple,1,USD,XNAS
`;
const STAFF = `employee_id,name,desk,supervisor_id,handles
E1,Wong Ka Ho,HK Equities,,whatsapp:+85298765432
`;
const CLIENTS = `client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed
C1,Chan Tai Man,ACC-001,whatsapp:+85291234567,2026-03-01,E1,video call,ack-C1.pdf,true
C2,Ho Siu Ling,ACC-003,whatsapp:+85290001111,2026-03-02,E1,in branch,ack-C2.pdf,true
`;

const CLIENT = '+85291234567';
const OTHER_CLIENT = '+85290001111';
const RM = '+85298765432';
const at = (minute: number) => `2026-05-04T09:${String(minute).padStart(2, '0')}:00+08:00`;
const fromClient = (id: string, minute: number, text: string, sender = CLIENT) =>
  message({ platformMessageId: id, sentAt: at(minute), text, sender, recipients: [RM], account: RM });
const fromRm = (id: string, minute: number, text: string) =>
  message({
    platformMessageId: id,
    sentAt: at(minute),
    text,
    sender: RM,
    recipients: [CLIENT],
    account: RM,
    direction: 'outbound',
  });

interface Order {
  id: string;
  messageId: string;
  messageIndex: number;
  action: string;
  side: string | null;
  symbol: string;
  quantity: number | null;
  orderType: string | null;
  limitPrice: number | null;
  clientId: string | null;
  staffId: string | null;
  changesOrderId: string | null;
  ackMessageIndex: number | null;
  language: string;
  confidence: number;
  spans: Record<string, [number, number]>;
  platformMessageId: string;
  sentAt: string;
  messageKind: string;
  revises: string | null;
  revisedByOrderId: string | null;
}

describe(`orders in the archive on ${TEST_DB}`, () => {
  let backend: TestBackend;
  const steno = (...args: string[]) => runSteno(args, backend.env);
  const file = async (name: string, text: string) => {
    const path = join(backend.dataDir, name);
    await writeFile(path, text);
    return path;
  };
  const ingest = async (name: string, messages: Record<string, unknown>[]) => {
    const result = await steno('ingest', await file(name, messages.map((m) => JSON.stringify(m)).join('\n')));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result;
  };
  const list = async (...args: string[]) => {
    const result = await steno('orders', 'list', '--json', ...args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return jsonLines<Order>(result.stdout);
  };
  const byMessage = (orders: Order[], platformMessageId: string) =>
    orders.filter((o) => o.platformMessageId === platformMessageId);

  beforeAll(async () => {
    backend = await createTestBackend();
    expect((await steno('directory', 'import', 'staff', await file('staff.csv', STAFF))).code).toBe(0);
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('waits for a security master, saying so, and refuses a bad one naming line and column, storing nothing', async () => {
    const first = await ingest('early.jsonl', [fromClient('early-1', 0, 'buy 10k 700 @352')]);
    expect(first.stdout).toContain('no security master has been imported');
    expect(await list()).toEqual([]);

    const bad = await steno(
      'instruments',
      'import',
      await file('bad.csv', `${MASTER}0700.HK,Tencent again,,100,HKD,XHKG\nBAD,Bad,,x,HKD,XHKG\n`),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 5.symbol: repeats 0700.HK from line 3');
    expect(bad.stderr).toContain('line 6.lot_size');
    const instrumentRecords = await rawQuery<{ n: number | string }>(
      backend,
      "SELECT count(*) AS n FROM ledger_leaves WHERE record_type = 'instruments'",
    );
    expect(Number(instrumentRecords[0]!.n)).toBe(0);
    expect((await steno('instruments', 'import', join(backend.dataDir, 'absent.csv'))).code).toBe(2);
  });

  it('reads every message already archived once a master is imported, and records the master once', async () => {
    const imported = await steno('instruments', 'import', await file('master.csv', MASTER), '--json');
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const summary = JSON.parse(imported.stdout) as {
      instruments: number;
      unchanged: boolean;
      orders: { ordersFound: number };
    };
    expect(summary).toMatchObject({ instruments: 3, unchanged: false, orders: { ordersFound: 1 } });
    const again = JSON.parse((await steno('instruments', 'import', await file('same.csv', MASTER), '--json')).stdout);
    expect(again).toMatchObject({ unchanged: true });

    const [early] = await list();
    expect(early).toMatchObject({
      action: 'new',
      side: 'buy',
      symbol: '0700.HK',
      quantity: 10_000,
      orderType: 'limit',
      limitPrice: 352,
      staffId: 'E1',
      clientId: null,
      language: 'en',
      platformMessageId: 'early-1',
    });
    expect(early!.spans.symbol).toEqual([8, 11]);
    expect(early!.confidence).toBeGreaterThan(0.5);
  });

  it('stores the orders of each new message with its client and staff member, and links amendments, cancellations and confirmations', async () => {
    expect((await steno('directory', 'import', 'clients', await file('clients.csv', CLIENTS))).code).toBe(0);
    await ingest('day.jsonl', [
      fromClient('d1', 10, '幫我買騰訊 100手 352'),
      fromRm('d2', 11, 'Received: BUY 10,000 0700.HK (Tencent) limit HKD 352.00, day order. Reply YES to confirm.'),
      fromClient('d3', 12, 'sell 2000 HSBC at market, buy 50 AAPL lmt 210.5'),
      fromClient('d4', 13, 'how is 700 doing today?'),
      fromClient('d5', 20, 'change the 700 to 350'),
      fromClient('d6', 25, '取消 騰訊'),
      fromClient('d7', 26, 'buy 20k 700 @351', OTHER_CLIENT),
      fromClient('d8', 27, 'cancel 700', OTHER_CLIENT),
      fromRm('d9', 28, 'Noted: sell 2,000 HSBC at market'),
    ]);
    const orders = await list();
    // Directory imported after the first message: its client is now known too.
    expect(byMessage(orders, 'early-1')[0]).toMatchObject({ clientId: 'C1', staffId: 'E1' });
    const [tencent] = byMessage(orders, 'd1');
    expect(tencent).toMatchObject({ clientId: 'C1', staffId: 'E1', quantity: 10_000, language: 'zh-Hant' });
    const d2 = orders.find((o) => o.platformMessageId === 'd2');
    expect(d2, 'a confirmation staff sent is not an order').toBeUndefined();
    expect(byMessage(orders, 'd3').map((o) => [o.side, o.symbol, o.quantity, o.orderType, o.limitPrice])).toEqual([
      ['sell', '0005.HK', 2000, 'market', null],
      ['buy', 'AAPL.US', 50, 'limit', 210.5],
    ]);
    expect(byMessage(orders, 'd4')).toEqual([]);
    const [amend] = byMessage(orders, 'd5');
    const [cancel] = byMessage(orders, 'd6');
    expect(amend).toMatchObject({ action: 'amend', limitPrice: 350, changesOrderId: tencent!.id });
    expect(cancel).toMatchObject({ action: 'cancel', changesOrderId: tencent!.id });
    // Another client's cancellation reaches only that client's order.
    const [otherNew] = byMessage(orders, 'd7');
    expect(byMessage(orders, 'd8')[0]).toMatchObject({ clientId: 'C2', changesOrderId: otherNew!.id });
    // The confirmations: Steno's own words and an RM's "Noted:".
    const confirmations = await rawQuery<{ message_index: number | string }>(
      backend,
      'SELECT message_index FROM order_acks ORDER BY message_index',
    );
    expect(confirmations).toHaveLength(2);
    expect(tencent!.ackMessageIndex).toBe(Number(confirmations[0]!.message_index));
    expect(byMessage(orders, 'd3')[0]!.ackMessageIndex).toBe(Number(confirmations[1]!.message_index));
    expect(byMessage(orders, 'd3')[1]!.ackMessageIndex).toBeNull();
  });

  it('searches by symbol in any form a client writes, side, action, client, staff and date, newest first', async () => {
    const ids = (orders: Order[]) => orders.map((o) => o.platformMessageId);
    expect(ids(await list('--symbol', '700', '--action', 'new'))).toEqual(['d7', 'd1', 'early-1']);
    expect(ids(await list('--symbol', 'tencent', '--client', 'C2'))).toEqual(['d8', 'd7']);
    expect(ids(await list('--side', 'sell'))).toEqual(['d3']);
    expect(ids(await list('--symbol', 'AAPL.US'))).toEqual(['d3']);
    expect(
      ids(await list('--staff', 'E1', '--from', '2026-05-04T09:20:00+08:00', '--to', '2026-05-04T09:26:00+08:00')),
    ).toEqual(['d6', 'd5']);
    expect(await list('--from', '2026-05-05')).toEqual([]);
    const page = await list('--limit', '2');
    expect(page).toHaveLength(2);
    const next = await list('--limit', '50', '--before', String(page[1]!.messageIndex));
    expect(next.every((o) => o.messageIndex < page[1]!.messageIndex)).toBe(true);
    expect(ids(next)).toContain('early-1');

    const text = await steno('orders', 'list', '--symbol', '700', '--action', 'cancel');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/cancel\s+0700\.HK \[changes \d+\.0\]/);
    for (const [args, why] of [
      [['--side', 'short'], '--side must be buy or sell'],
      [['--action', 'fill'], '--action must be new or amend or cancel'],
      [['--from', 'yesterday'], 'not an ISO 8601 date'],
      [['--limit', 'ten'], '--limit must be a whole number'],
      [['--client', 'C9'], 'no client C9 in the directory'],
    ] as const) {
      const bad = await steno('orders', 'list', ...args);
      expect(bad.code, args.join(' ')).not.toBe(0);
      expect(bad.stderr).toContain(why);
    }
  });

  it('links an amendment archived before the order it changes, once the order arrives (an older export imported later)', async () => {
    const amendments = () => list('--symbol', 'AAPL', '--action', 'amend', '--client', 'C2');
    await ingest('late-amend.jsonl', [fromClient('x2', 41, 'amend the AAPL to 209', OTHER_CLIENT)]);
    expect(await amendments()).toEqual([expect.objectContaining({ changesOrderId: null })]);
    await ingest('late-order.jsonl', [fromClient('x1', 40, 'buy 100 AAPL lmt 210', OTHER_CLIENT)]);
    const [order] = byMessage(await list('--symbol', 'AAPL'), 'x1');
    expect(await amendments()).toEqual([expect.objectContaining({ changesOrderId: order!.id })]);
  });

  it("reads an edited order message again: the edit's orders take the place of the original's", async () => {
    await ingest('edit.jsonl', [
      fromClient('e1', 50, 'sell 800 HSBC @ 66', OTHER_CLIENT),
      { ...fromClient('e2', 51, 'sell 1200 HSBC @ 66', OTHER_CLIENT), kind: 'edit', refersTo: 'e1' },
    ]);
    const orders = await list('--symbol', 'HSBC', '--client', 'C2');
    const [edited] = byMessage(orders, 'e2');
    expect(edited).toMatchObject({ quantity: 1200, messageKind: 'edit', revises: 'e1', revisedByOrderId: null });
    expect(byMessage(orders, 'e1')[0]).toMatchObject({ quantity: 800, revisedByOrderId: edited!.id });
  });

  it('prints the confirmation for each order of a message, in the language it was written in', async () => {
    const orders = await list();
    const ack = async (platformMessageId: string) => {
      const result = await steno(
        'orders',
        'ack',
        orders.find((o) => o.platformMessageId === platformMessageId)!.messageId,
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return result.stdout;
    };
    expect(await ack('d1')).toBe(
      '已收到：買入 0700.HK（騰訊）10,000 股，限價 HKD 352.00，即日有效。請回覆 YES 確認。\n',
    );
    // An amendment that names no side is confirmed with the side of the order it changes.
    expect(await ack('d5')).toBe(
      'Received: AMEND BUY order 0700.HK (Tencent) to limit HKD 350.00. Reply YES to confirm.\n',
    );
    expect(await ack('d3')).toBe(
      'Received: SELL 2,000 0005.HK (HSBC) at market, day order. Reply YES to confirm.\n' +
        'Received: BUY 50 AAPL.US (Apple) limit USD 210.50, day order. Reply YES to confirm.\n',
    );
    const none = await steno(
      'orders',
      'ack',
      orders[0]!.messageId.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
    );
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no message .* in the archive/);
    const malformed = await steno('orders', 'ack', 'wamid.0001');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('is not a message id');
  });

  it('reads the archive again with a new master: orders of instruments it no longer lists are gone', async () => {
    const before = await list('--limit', '1000');
    const withoutApple = MASTER.split('\n')
      .filter((l) => !l.startsWith('AAPL'))
      .join('\n');
    const imported = await steno('instruments', 'import', await file('master-2.csv', withoutApple), '--json');
    expect(imported.code).toBe(0);
    const after = await list('--limit', '1000');
    expect(after.some((o) => o.symbol === 'AAPL.US')).toBe(false);
    expect(after.length).toBe(before.filter((o) => o.symbol !== 'AAPL.US').length);
    // Links are worked out again too.
    expect(byMessage(after, 'd6')[0]!.changesOrderId).toBe(byMessage(after, 'd1')[0]!.id);
    // Two readers at once store each order once.
    const [a, b] = await Promise.all([list('--limit', '1000'), list('--limit', '1000')]);
    expect(a).toEqual(after);
    expect(b).toEqual(after);
    const stored = await rawQuery<{ n: number | string }>(backend, 'SELECT count(*) AS n FROM orders');
    expect(Number(stored[0]!.n)).toBe(after.length);
    // Both masters are ledger records, proved like any other.
    const verified = await steno('verify');
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });
});

describe(`orders over the HTTP API on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let base: string;
  let ingestToken: string;
  let readToken: string;

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno(backend.config(), { createKey: true });
    ingestToken = (await steno.tokens.create({ name: 'connector', scopes: ['ingest'] })).token;
    readToken = (await steno.tokens.create({ name: 'reviewer', scopes: ['read'] })).token;
    await steno.instruments.importCsv(MASTER, { file: 'master.csv', by: 'test' });
    app = await buildServer(steno);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await steno?.close();
    await backend?.cleanup();
  });

  const get = (path: string, token = readToken) =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('reads the orders of messages captured through the API, and answers searches at once', async () => {
    const posted = await fetch(`${base}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        fromClient('a1', 30, '沽 3手 匯豐 65.25'),
        fromClient('a2', 31, 'buy 100 AAPL mkt gtc'),
        fromClient('a3', 32, '<script>alert(1)</script> buy 1 lot 700 @ 352'),
      ]),
    });
    expect(posted.status).toBe(201);
    const ids = ((await posted.json()) as { results: { id: string }[] }).results.map((r) => r.id);
    const res = await get('/api/v1/orders?symbol=0005.HK');
    expect(res.status).toBe(200);
    const { orders } = (await res.json()) as { orders: Order[] };
    expect(orders).toEqual([
      expect.objectContaining({
        action: 'new',
        side: 'sell',
        symbol: '0005.HK',
        quantity: 1200,
        limitPrice: 65.25,
        messageId: ids[0],
      }),
    ]);
    const sideFiltered = (await (await get('/api/v1/orders?side=buy')).json()) as { orders: Order[] };
    expect(sideFiltered.orders.map((o) => o.symbol)).toEqual(['0700.HK', 'AAPL.US']);

    const ack = await get(`/api/v1/messages/${ids[1]}/acknowledgement`);
    expect(ack.status).toBe(200);
    expect(await ack.json()).toMatchObject({
      messageId: ids[1],
      acknowledgements: [
        {
          language: 'en',
          text: 'Received: BUY 100 AAPL.US (Apple) at market, good till cancelled. Reply YES to confirm.',
        },
      ],
    });
  });

  it('refuses bad filters with 400, unknown messages with 404, and callers without the read scope', async () => {
    const bad = await get('/api/v1/orders?side=short');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_input' } });
    expect((await get('/api/v1/orders?from=soon')).status).toBe(400);
    expect((await get('/api/v1/orders?limit=0')).status).toBe(400);
    expect((await get('/api/v1/orders?client=C1')).status).toBe(404);
    expect((await get('/api/v1/messages/not-an-id/acknowledgement')).status).toBe(400);
    expect((await get('/api/v1/messages/01a1fdf5-c7b5-73e4-92a1-f1256c0d5209/acknowledgement')).status).toBe(404);
    expect((await get('/api/v1/orders', ingestToken)).status).toBe(403);
    expect((await fetch(`${base}/api/v1/orders`)).status).toBe(401);
  });
});
