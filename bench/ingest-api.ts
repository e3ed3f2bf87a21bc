/**
 * Question: how many messages per second does Steno ingest through its HTTP API, with batches of 100
 * from 4 concurrent clients, sustained over the whole run? The server runs as its own process; request
 * bodies are built before the clock starts, so the figure is the server's, not the load generator's.
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
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
    // node:http with keep-alive rather than fetch: on a 2-core machine the load generator shares the CPU
    // with the server, and fetch spends about twice the CPU per request.
    const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
    const url = new URL('/api/v1/messages', server.base);
    const post = (body: string) =>
      new Promise<void>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              if (res.statusCode === 201) resolve();
              else reject(new Error(`ingest answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`));
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    let next = 0;
    const started = performance.now();
    const client = async () => {
      for (;;) {
        const body = bodies[next++];
        if (body === undefined) return;
        await post(body);
      }
    };
    await Promise.all(Array.from({ length: options.clients }, client));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    return { perSecond: options.messages / seconds, seconds };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await killHard(server);
  }
}
