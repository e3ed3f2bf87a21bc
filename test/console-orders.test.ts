/** The console's order view on a real server and store: a chat order's firm order, fills, delay and confirmation. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSteno, type Steno } from '../src/context.js';
import { buildServer } from '../src/review/api/server.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { type ConsoleClient, userClient } from './support/console.js';
import { message } from './support/messages.js';

const STAFF = `employee_id,name,desk,supervisor_id,handles
S1,RM Wong,equities-hk,,whatsapp:+85298765432
S2,Trader Lee,fixed-income,,whatsapp:+85290000002
`;
const CLIENTS = `client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed
C1,Client Chan,ACC-1,whatsapp:+85291234567,2026-01-05,S1,video call,ack-1,true
`;
const INSTRUMENTS = `symbol,name,aliases,lot_size,currency,exchange
0005.HK,HSBC Holdings,HSBC|滙豐,400,HKD,HKEX
`;
// Entered four minutes after the message (09:30 Hong Kong), filled in two parts.
const FIRM_ORDERS = `order_id,account,symbol,side,quantity,order_type,limit_price,entered_at,channel,status
F-100,ACC-1,0005.HK,buy,2000,market,,2026-05-04T01:34:00Z,IM,filled
F-200,ACC-1,0005.HK,sell,400,market,,2026-05-04T03:00:00Z,IM,filled
`;
const EXECUTIONS = `exec_id,order_id,account,symbol,side,quantity,price,executed_at
E-1,F-100,ACC-1,0005.HK,buy,1200,61.5,2026-05-04T01:35:00Z
E-2,F-100,ACC-1,0005.HK,buy,800,61.55,2026-05-04T01:35:30Z
`;

describe(`the console's order view on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let app: FastifyInstance;
  let reviewer: ConsoleClient;
  let outsider: ConsoleClient;

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno(backend.config(), { createKey: true });
    await steno.directory.importCsv('staff', STAFF, { file: 'staff.csv', by: 'test' });
    await steno.directory.importCsv('client', CLIENTS, { file: 'clients.csv', by: 'test' });
    await steno.instruments.importCsv(INSTRUMENTS, { file: 'instruments.csv', by: 'test' });
    await steno.ingest.ingest(steno.ingest.validate([message()], () => ''));
    for (const [format, text, file] of [
      ['orders-csv', FIRM_ORDERS, 'orders.csv'],
      ['executions-csv', EXECUTIONS, 'executions.csv'],
    ] as const) {
      await steno.activity.importFile({ format, data: Buffer.from(text), file, by: 'test' });
    }
    app = await buildServer(steno, { signInsPerMinute: 1000 });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    reviewer = await userClient(steno, base, { username: 'rita', role: 'reviewer', desks: ['equities-hk'] });
    outsider = await userClient(steno, base, { username: 'finn', role: 'reviewer', desks: ['fixed-income'] });
  });
  afterAll(async () => {
    await app?.close();
    await steno?.close();
    await backend?.cleanup();
  });

  it('shows a chat order with its spans, the firm order it was entered as, its fills, the delay and the confirmation', async () => {
    const { orders } = await reviewer.json<{ orders: { id: string }[] }>('GET', '/api/v1/orders');
    expect(orders).toHaveLength(1);
    const trail = await reviewer.json<{
      order: { symbol: string; side: string; quantity: number; spans: Record<string, [number, number]> };
      text: string | null;
      firmOrder: { orderId: string; fills: { quantity: number }[]; status: string };
      delayMs: number;
      exceptions: unknown[];
      acknowledgement: { language: string; text: string };
    }>('GET', `/api/v1/orders/${orders[0]!.id}/trail`);
    expect(trail.order).toMatchObject({ symbol: '0005.HK', side: 'buy', quantity: 2000 });
    const [start, end] = trail.order.spans.symbol!;
    expect(trail.text!.slice(start, end)).toBe('HSBC');
    expect(Object.keys(trail.order.spans)).toEqual(expect.arrayContaining(['side', 'symbol', 'quantity']));
    expect(trail.firmOrder).toMatchObject({ orderId: 'F-100', status: 'filled' });
    expect(trail.firmOrder.fills.map((f) => f.quantity)).toEqual([1200, 800]);
    expect(trail.delayMs).toBe(4 * 60_000);
    expect(trail.exceptions).toEqual([]);
    expect(trail.acknowledgement.language).toBe('en');
    expect(trail.acknowledgement.text).toContain('HSBC');
    // Reading an order's trail shows the message's words: it is in the access log.
    const [viewed] = await steno.access.list({ action: 'order.view', limit: 1 });
    expect(viewed).toMatchObject({ actor: 'user:rita', target: orders[0]!.id });
  });

  it('refuses an order outside the desk as not found, and a malformed id as bad input', async () => {
    const { orders } = await reviewer.json<{ orders: { id: string }[] }>('GET', '/api/v1/orders');
    const hidden = await outsider.call('GET', `/api/v1/orders/${orders[0]!.id}/trail`);
    expect(hidden.status).toBe(404);
    // Worded as for an order that does not exist: the answer tells nothing of the other desk.
    expect(await hidden.text()).toBe(
      (await (await outsider.call('GET', '/api/v1/orders/999999.0/trail')).text()).replace('999999.0', orders[0]!.id),
    );
    expect((await outsider.json<{ orders: unknown[] }>('GET', '/api/v1/orders')).orders).toEqual([]);
    expect((await reviewer.call('GET', '/api/v1/orders/abc/trail')).status).toBe(400);
    expect((await reviewer.call('GET', '/api/v1/orders/999999.0/trail')).status).toBe(404);
  });

  it('shows an alert on an order with no chat instruction to the desks the client talks with, and no other', async () => {
    await steno.rules.scan();
    type Alerts = { alerts: { type: string; subject: { clientId: string | null; conversationId: string | null } }[] };
    const mine = await reviewer.json<Alerts>('GET', '/api/v1/alerts?type=order_without_instruction');
    expect(mine.alerts).toHaveLength(1);
    expect(mine.alerts[0]!.subject).toMatchObject({ clientId: 'C1', conversationId: null });
    const theirs = await outsider.json<Alerts>('GET', '/api/v1/alerts?type=order_without_instruction');
    expect(theirs.alerts).toEqual([]);
  });

  it('lists the directory to readers and admins, and nothing else', async () => {
    const staff = await reviewer.json<{ entries: { id: string; desk: string }[] }>('GET', '/api/v1/directory/staff');
    expect(staff.entries.map((e) => [e.id, e.desk])).toEqual([
      ['S1', 'equities-hk'],
      ['S2', 'fixed-income'],
    ]);
    const clients = await reviewer.json<{ entries: { id: string; accounts: string[] }[] }>(
      'GET',
      '/api/v1/directory/clients',
    );
    expect(clients.entries).toEqual([expect.objectContaining({ id: 'C1', accounts: ['ACC-1'] })]);
    expect((await reviewer.call('GET', '/api/v1/directory/handles')).status).toBe(404);
    expect((await steno.access.list({ action: 'directory.view', limit: 5 })).map((e) => e.target)).toEqual([
      'clients',
      'staff',
    ]);
  });
});
