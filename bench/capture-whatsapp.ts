/**
 * Question: how many signed WhatsApp Cloud API webhook POSTs, 10 messages each, does `steno serve`
 * archive per second, each answered only once its messages are durable? Baseline, in the same run and
 * the same server: the same messages, 10 to a request, through POST /api/v1/messages. Both with the
 * same number of concurrent senders (Meta delivers concurrently); bodies and signatures are built before
 * the clock starts, so the figure is the server's.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { hubSignature } from '../src/capture/connectors/whatsapp/signature.js';
import { killHard, startServer } from '../test/support/server.js';
import { Rng } from './support/corpus.js';
import { readCpu } from './support/cpu.js';
import { percentile } from './support/stats.js';

const APP_SECRET = 'bench-app-secret-0123456789abcdef';
const WORDS = ['buy', 'sell', 'HSBC', '700', 'Tencent', 'at market', 'limit', '5000', 'shares', 'please', '買', '沽'];

function text(rng: Rng): string {
  const n = 4 + rng.int(8);
  return Array.from({ length: n }, () => WORDS[rng.int(WORDS.length)]).join(' ');
}

/** One webhook payload of `per` client messages to one business number. */
function payload(rng: Rng, request: number, per: number, tag: string): { whatsapp: string; api: string } {
  const messages = [];
  const api = [];
  const client = `8529${String(1_000_000 + (request % 5000)).slice(1)}1`;
  for (let i = 0; i < per; i++) {
    const id = `wamid.${tag}${request}x${i}`;
    const body = text(rng);
    const timestamp = String(1_778_560_000 + request);
    messages.push({ from: client, id, timestamp, type: 'text', text: { body } });
    api.push({
      platform: 'whatsapp',
      conversationId: `555:${client}`,
      sender: `+${client}`,
      sentAt: new Date(Number(timestamp) * 1000).toISOString(),
      kind: 'message',
      platformMessageId: `${id}-api`,
      text: body,
    });
  }
  const whatsapp = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '85230001234', phone_number_id: '555' },
              contacts: [{ profile: { name: 'Client' }, wa_id: client }],
              messages,
            },
          },
        ],
      },
    ],
  };
  return { whatsapp: JSON.stringify(whatsapp), api: JSON.stringify(api) };
}

interface Load {
  requestsPerSecond: number;
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU the server spent per request, all threads and its answering thread alone (null without /proc). */
  serverCpuMsPerRequest: number | null;
  mainThreadCpuMsPerRequest: number | null;
}

async function drive(options: {
  base: string;
  path: string;
  bodies: { body: string; headers: Record<string, string> }[];
  concurrency: number;
  expect: number[];
  per: number;
  serverPid: number;
}): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const url = new URL(options.path, options.base);
  const latencies: number[] = [];
  const post = (body: string, headers: Record<string, string>) =>
    new Promise<void>((resolve, reject) => {
      const began = performance.now();
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - began);
            if (options.expect.includes(res.statusCode ?? 0)) resolve();
            else
              reject(
                new Error(`${options.path} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`),
              );
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const cpuBefore = readCpu(options.serverPid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for (;;) {
        const item = options.bodies[next++];
        if (item === undefined) return;
        await post(item.body, item.headers);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = readCpu(options.serverPid);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: options.bodies.length / seconds,
    messagesPerSecond: (options.bodies.length * options.per) / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    serverCpuMsPerRequest:
      cpuBefore && cpuAfter ? (cpuAfter.processMs - cpuBefore.processMs) / options.bodies.length : null,
    mainThreadCpuMsPerRequest:
      cpuBefore && cpuAfter ? (cpuAfter.mainThreadMs - cpuBefore.mainThreadMs) / options.bodies.length : null,
  };
}

export async function captureWhatsApp(options: {
  env: Record<string, string>;
  dir: string;
  requests: number;
  perRequest: number;
  concurrency: number;
}): Promise<{ whatsapp: Load; api: Load }> {
  const captureFile = join(options.dir, 'capture.json');
  await writeFile(
    captureFile,
    JSON.stringify({ whatsapp: { appSecrets: [APP_SECRET], verifyTokens: ['bench-verify-token'] } }),
  );
  const server = await startServer({ ...options.env, STENO_CAPTURE_FILE: captureFile });
  try {
    const token = (await readFile(join(options.env.STENO_DATA!, 'initial-ingest-token.txt'), 'utf8')).trim();
    const rng = new Rng(11);
    const whatsapp: { body: string; headers: Record<string, string> }[] = [];
    const api: { body: string; headers: Record<string, string> }[] = [];
    for (let r = 0; r < options.requests; r++) {
      const p = payload(rng, r, options.perRequest, 'b');
      whatsapp.push({
        body: p.whatsapp,
        headers: { 'x-hub-signature-256': hubSignature(APP_SECRET, Buffer.from(p.whatsapp)) },
      });
      api.push({ body: p.api, headers: { authorization: `Bearer ${token}` } });
    }
    // The baseline first, then the connector: each writes as many new messages into the same archive.
    const apiLoad = await drive({
      base: server.base,
      path: '/api/v1/messages',
      bodies: api,
      concurrency: options.concurrency,
      expect: [201],
      per: options.perRequest,
      serverPid: server.child.pid!,
    });
    const whatsappLoad = await drive({
      base: server.base,
      path: '/capture/whatsapp',
      bodies: whatsapp,
      concurrency: options.concurrency,
      expect: [200],
      per: options.perRequest,
      serverPid: server.child.pid!,
    });
    return { whatsapp: whatsappLoad, api: apiLoad };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await killHard(server);
  }
}
