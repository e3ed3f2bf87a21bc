/**
 * Question: how many messages per second does Steno ingest through its HTTP API, with batches of 100
 * from 4 concurrent clients, sustained over the whole run? The server runs as its own process; request
 * bodies are built before the clock starts, so the figure is the server's, not the load generator's.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killHard, startServer } from '../test/support/server.js';
import { benchMessage, Rng } from './support/corpus.js';

export async function ingestApi(options: {
  env: Record<string, string>;
  dataDir: string;
  messages: number;
  clients: number;
  batch: number;
}): Promise<{ perSecond: number; seconds: number }> {
  const server = await startServer(options.env);
  try {
    const token = (await readFile(join(options.dataDir, 'initial-ingest-token.txt'), 'utf8')).trim();
    const rng = new Rng(7);
    const bodies: string[] = [];
    for (let first = 0; first < options.messages; first += options.batch) {
      const batch: Record<string, unknown>[] = [];
      for (let i = first; i < Math.min(first + options.batch, options.messages); i++)
        batch.push(benchMessage(rng, i, 'api'));
      bodies.push(JSON.stringify(batch));
    }
    let next = 0;
    const started = performance.now();
    const client = async () => {
      for (;;) {
        const body = bodies[next++];
        if (body === undefined) return;
        const res = await fetch(`${server.base}/api/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
        if (res.status !== 201) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: options.clients }, client));
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: options.messages / seconds, seconds };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await killHard(server);
  }
}
