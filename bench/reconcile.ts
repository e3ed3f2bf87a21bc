/**
 * Questions, over one archive of 1,000,000 chat messages (one in five an order) with 200,000 firm orders
 * and 400,000 executions:
 *
 * - how long does `steno reconcile` take, against reading the same inputs from the store (the chat
 *   orders and the firm's activity, parsed) as the baseline?
 * - how many messages a second does `steno alerts scan` run every rule over, end to end in a fresh
 *   process (text cues, the sender check, deletions, reconciliation exceptions, unusual trading, low
 *   turnover), against reading every message record from the store and parsing it as the baseline; and
 *   how many alerts of each type does it raise on the day?
 *
 * The day is realistic in shape: 2,000 IM-instructed clients and 20 staff on four desks; the messages
 * that are not orders are the realistic chat of the rules benchmark (greetings, fills, settlement,
 * market talk, near misses, and a planted cue in one of every 500 of them); most orders are entered
 * within a few minutes, some late, some with the wrong quantity, a few never; a few firm orders have no
 * instruction behind them. Every input goes in through the commands a firm would run.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { openSteno } from '../src/context.js';
import { csvField } from '../src/core/csv.js';
import type { ScanReport } from '../src/surveil/rules/runner.js';
import { runSteno } from '../test/support/cli.js';
import { INSTRUMENTS } from './extract-orders.js';
import { chatLine } from './rules.js';
import { Rng } from './support/corpus.js';

const CLIENTS = 2000;
const STAFF = 20;
const START_MS = Date.UTC(2026, 2, 2, 1, 30);

const clientHandle = (c: number) => `+8529${String(1_000_000 + c).padStart(7, '0')}`;
const staffHandle = (s: number) => `+8526${String(1_000_000 + s).padStart(7, '0')}`;

/** The HK instruments, with the code and the Chinese name clients write. */
const TRADED = INSTRUMENTS.map((i) => ({
  symbol: i.symbol,
  code: String(Number(i.symbol.slice(0, 4))),
  english: i.aliases[0]!,
  chinese: i.aliases.find((a) => /[\u4e00-\u9fff]/.test(a))!,
  lot: i.lotSize,
}));

interface ChatOrder {
  client: number;
  side: 'buy' | 'sell';
  instrument: (typeof TRADED)[number];
  shares: number;
  price: number;
  sentAtMs: number;
}

function orderText(o: ChatOrder, rng: Rng): string {
  const lots = o.shares / o.instrument.lot;
  switch (rng.int(4)) {
    case 0:
      return `${o.side} ${o.shares} ${o.instrument.code} @${o.price}`;
    case 1:
      return `pls ${o.side} ${o.shares} ${o.instrument.english} at ${o.price}, thanks`;
    case 2:
      return `幫我${o.side === 'buy' ? '買' : '沽'} ${lots}手 ${o.instrument.chinese} ${o.price}`;
    default:
      return `Morning, could you ${o.side} ${lots} lots of ${o.instrument.english} for me at ${o.price}?`;
  }
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const line of lines) if (!out.write(`${line}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

async function writeInputs(
  dir: string,
  messages: number,
): Promise<{ firmOrders: number; executions: number; planted: number }> {
  await writeFile(
    join(dir, 'staff.csv'),
    `employee_id,name,desk,supervisor_id,handles\n${Array.from(
      { length: STAFF },
      (_, s) => `E${s},Staff ${s},Desk ${s % 4},,whatsapp:${staffHandle(s)}`,
    ).join('\n')}\n`,
  );
  await writeFile(
    join(dir, 'clients.csv'),
    `client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed\n${Array.from(
      { length: CLIENTS },
      (_, c) => `C${c},Client ${c},ACC-${c},whatsapp:${clientHandle(c)},2026-01-05,E0,video call,ack-${c}.pdf,true`,
    ).join('\n')}\n`,
  );
  await writeFile(
    join(dir, 'instruments.csv'),
    `symbol,name,aliases,lot_size,currency,exchange\n${INSTRUMENTS.map((i) =>
      [i.symbol, i.name, i.aliases.join('|'), String(i.lotSize), i.currency, i.exchange].map(csvField).join(','),
    ).join('\n')}\n`,
  );

  const rng = new Rng(5);
  const orders: ChatOrder[] = [];
  // Numbered apart from the orders: one in 500 of every message would always fall on an order.
  let chatLines = 0;
  let planted = 0;
  const chat = function* (): Generator<string> {
    for (let i = 0; i < messages; i++) {
      const client = rng.int(CLIENTS);
      const sentAtMs = START_MS + i * 1000;
      let text: string;
      if (i % 5 === 4) {
        const instrument = TRADED[rng.int(TRADED.length)]!;
        const order: ChatOrder = {
          client,
          side: rng.next() < 0.5 ? 'buy' : 'sell',
          instrument,
          shares: (1 + rng.int(20)) * instrument.lot,
          price: 20 + rng.int(400),
          sentAtMs,
        };
        orders.push(order);
        text = orderText(order, rng);
      } else {
        const line = chatLine(rng, chatLines++, true);
        if (line.planted) planted++;
        text = line.text;
      }
      yield JSON.stringify({
        platform: 'whatsapp',
        conversationId: `conv-c${client}`,
        platformMessageId: `rc-${i}`,
        sender: clientHandle(client),
        recipients: [staffHandle(client % STAFF)],
        sentAt: new Date(sentAtMs).toISOString(),
        kind: 'message',
        text,
      });
    }
  };
  await writeLines(join(dir, 'chat.jsonl'), chat());

  // The firm's side: most orders entered in time, some late or wrong, a few never; two fills each.
  const firm: string[] = ['order_id,account,symbol,side,quantity,order_type,limit_price,entered_at,channel,status'];
  const fills: string[] = ['exec_id,order_id,account,symbol,side,quantity,price,executed_at'];
  const addFirm = (id: string, account: string, o: Omit<ChatOrder, 'client'>, enteredMs: number) => {
    const entered = new Date(enteredMs).toISOString();
    firm.push(`${id},${account},${o.instrument.symbol},${o.side},${o.shares},limit,${o.price},${entered},IM,filled`);
    const half = o.shares / 2;
    for (const [n, offset] of [
      [1, 30_000],
      [2, 90_000],
    ] as const) {
      const at = new Date(enteredMs + offset).toISOString();
      fills.push(`${id}-${n},${id},${account},${o.instrument.symbol},${o.side},${half},${o.price},${at}`);
    }
  };
  orders.forEach((o, k) => {
    const roll = rng.next();
    if (roll < 0.01) return; // never entered
    const delayMs = roll < 0.03 ? 6 * 60_000 + rng.int(19 * 60_000) : 20_000 + rng.int(200_000);
    const shares = roll > 0.995 ? o.shares + o.instrument.lot : o.shares;
    addFirm(`FO-${k}`, `ACC-${o.client}`, { ...o, shares }, o.sentAtMs + delayMs);
  });
  const target = Math.round((messages / 5) * 1.0);
  for (let k = 0; firm.length - 1 < target; k++) {
    const instrument = TRADED[rng.int(TRADED.length)]!;
    const at = START_MS + rng.int(messages) * 1000;
    const o = { side: 'buy' as const, instrument, shares: instrument.lot, price: 50, sentAtMs: at };
    addFirm(`FX-${k}`, `ACC-${rng.int(CLIENTS)}`, o, at);
  }
  await writeLines(join(dir, 'orders.csv'), firm);
  await writeLines(join(dir, 'executions.csv'), fills);
  return { firmOrders: firm.length - 1, executions: fills.length - 1, planted };
}

export interface ReconcileBench {
  messages: number;
  chatOrders: number;
  firmOrders: number;
  executions: number;
  setupSeconds: number;
  baselineSeconds: number;
  seconds: number;
  exceptions: Record<string, number>;
  /** `steno alerts scan --json` over the whole archive, start-up included. */
  scanSeconds: number;
  /** Every message record read from the store and its content parsed, in this process. */
  scanBaselineSeconds: number;
  scanMessagesPerSecond: number;
  alertsByType: Record<string, number>;
  alertsRaised: number;
  /** Chat lines carrying a planted cue. */
  planted: number;
}

export async function reconcileBench(options: {
  env: Record<string, string>;
  dir: string;
  messages: number;
  log: (text: string) => void;
}): Promise<ReconcileBench> {
  const { env, dir, log } = options;
  const setupStarted = performance.now();
  const sizes = await writeInputs(dir, options.messages);
  const steno = async (...args: string[]) => {
    const result = await runSteno(args, env);
    if (result.code !== 0) throw new Error(`steno ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  await steno('directory', 'import', 'staff', join(dir, 'staff.csv'));
  await steno('directory', 'import', 'clients', join(dir, 'clients.csv'));
  await steno('instruments', 'import', join(dir, 'instruments.csv'));
  log(`  ingesting ${options.messages} messages (reading them for orders)`);
  await steno('ingest', join(dir, 'chat.jsonl'));
  log(`  importing ${sizes.firmOrders} firm orders and ${sizes.executions} executions`);
  await steno('activity', 'import', join(dir, 'orders.csv'), '--format', 'orders-csv');
  await steno('activity', 'import', join(dir, 'executions.csv'), '--format', 'executions-csv');
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  // Baseline: what reconciliation must read, read and parsed, in this process.
  const context = await openSteno(loadConfig({ ...process.env, ...env }), { createKey: false });
  let chatOrders: number;
  let baselineSeconds: number;
  try {
    await context.orders.catchUp();
    await context.activity.catchUp();
    const started = performance.now();
    chatOrders = (await context.orders.sentBetween(0, Date.now())).filter((o) => o.action === 'new').length;
    await context.activity.forPeriod(0, Date.now());
    baselineSeconds = (performance.now() - started) / 1000;
  } finally {
    await context.close();
  }

  const started = performance.now();
  const output = await steno('reconcile', '--json');
  const seconds = (performance.now() - started) / 1000;
  const exceptions: Record<string, number> = {};
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const type = (JSON.parse(line) as { type: string }).type;
    exceptions[type] = (exceptions[type] ?? 0) + 1;
  }

  // Baseline for the rules: every message record read from the store and parsed, in this process (closed
  // before the scan starts: one SQLite file, another process).
  const reader = await openSteno(loadConfig({ ...process.env, ...env }), { createKey: false });
  let scanBaselineSeconds: number;
  try {
    const started = performance.now();
    let read = 0;
    let characters = 0;
    for (let after = -1; ; ) {
      const batch = await reader.store.messagesAfter(after, 5000);
      if (batch.length === 0) break;
      for (const m of batch) {
        if (m.content !== null) {
          const content = JSON.parse(m.content.toString('utf8')) as { text?: string };
          characters += content.text?.length ?? 0;
        }
        read++;
      }
      after = batch[batch.length - 1]!.index;
    }
    scanBaselineSeconds = (performance.now() - started) / 1000;
    if (read < options.messages || characters === 0)
      throw new Error(`read ${read} messages, expected ${options.messages}`);
  } finally {
    await reader.close();
  }

  log(`  steno alerts scan over ${options.messages} messages`);
  const scanStarted = performance.now();
  const report = JSON.parse(await steno('alerts', 'scan', '--json')) as ScanReport;
  const scanSeconds = (performance.now() - scanStarted) / 1000;
  return {
    messages: options.messages,
    chatOrders,
    ...sizes,
    setupSeconds,
    baselineSeconds,
    seconds,
    exceptions,
    scanSeconds,
    scanBaselineSeconds,
    scanMessagesPerSecond: options.messages / scanSeconds,
    alertsByType: report.byType,
    alertsRaised: report.raised,
  };
}
