/**
 * Question: once messages are archived, how fast does Steno read them for orders and store what it finds
 * (the order projection: content read from the vault, extraction, client and staff resolved, links worked
 * out, rows written)? Measured as the full rebuild a new security master starts, over the whole archive,
 * against extraction alone on one core (bench/extract-orders.ts) as the baseline.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { csvField } from '../src/core/csv.js';
import { runSteno } from '../test/support/cli.js';
import { INSTRUMENTS } from './extract-orders.js';

export async function readOrders(options: { env: Record<string, string>; dir: string }): Promise<{
  messages: number;
  orders: number;
  seconds: number;
  perSecond: number;
}> {
  const file = join(options.dir, 'bench-instruments.csv');
  const rows = INSTRUMENTS.map((i) =>
    [i.symbol, i.name, i.aliases.join('|'), String(i.lotSize), i.currency, i.exchange].map(csvField).join(','),
  );
  await writeFile(file, `symbol,name,aliases,lot_size,currency,exchange\n${rows.join('\n')}\n`);
  const result = await runSteno(['instruments', 'import', file, '--json'], options.env);
  if (result.code !== 0) throw new Error(`steno instruments import failed: ${result.stderr}`);
  const { orders } = JSON.parse(result.stdout) as {
    orders: { messagesRead: number; ordersFound: number; seconds: number };
  };
  return {
    messages: orders.messagesRead,
    orders: orders.ordersFound,
    seconds: orders.seconds,
    perSecond: orders.messagesRead / orders.seconds,
  };
}
