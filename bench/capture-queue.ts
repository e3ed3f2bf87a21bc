/**
 * Questions, with STENO_QUEUE (NATS JetStream):
 * 1. How many events per second does the publish side take: the capture sink checking each message
 *    and publishing it with its Nats-Msg-Id, 10 to a delivery (one webhook's worth), resolved once the
 *    stream has acknowledged each? Baseline in the same run: the same bytes published to the same
 *    stream by the NATS client alone, without Steno's checks.
 * 2. At a steady 1,000 events/s, how long from a delivery's start to its messages being committed to
 *    the ledger by the writer (p50, p99)?
 * The stream and its consumer are this run's own and are deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { connectQueue, startQueue } from '../src/capture/queue/index.js';
import { loadConfig } from '../src/config/config.js';
import { openSteno } from '../src/context.js';
import { percentile } from './support/stats.js';

const PER_DELIVERY = 10;

function delivery(run: string, d: number): Record<string, unknown>[] {
  return Array.from({ length: PER_DELIVERY }, (_, i) => ({
    platform: 'whatsapp',
    conversationId: `555:8529${String(d % 5000).padStart(7, '0')}`,
    sender: `+8529${String(d % 5000).padStart(7, '0')}`,
    sentAt: new Date(1_778_560_000_000 + d * 1000).toISOString(),
    kind: 'message',
    platformMessageId: `wamid.${run}.${d}.${i}`,
    text: `buy ${1000 + (d % 9) * 500} HSBC at market please (${d}/${i})`,
  }));
}

export interface QueueFigures {
  publishPerSecond: number;
  baselinePublishPerSecond: number;
  latencyAtRate: { rate: number; events: number; p50Ms: number; p99Ms: number; maxMs: number };
}

export async function captureQueue(options: {
  env: Record<string, string>;
  publishEvents: number;
  latencySeconds: number;
  rate: number;
  concurrency: number;
}): Promise<QueueFigures> {
  const stream = `STENO_BENCH_${randomBytes(4).toString('hex').toUpperCase()}`;
  const config = loadConfig({ ...options.env, STENO_QUEUE: 'nats://127.0.0.1:4222', STENO_QUEUE_STREAM: stream });
  const steno = await openSteno(config, { createKey: true });
  // Publishing alone first: no writer consumes, so the stream only grows.
  const publisher = await startQueue(steno, { write: false });
  // A connection of its own for the baseline and for administering the stream.
  const admin = await connectQueue(config.queue!, { name: 'steno-bench' });
  const run = randomBytes(3).toString('hex');
  try {
    const sink = publisher.sink;
    const deliveries = Math.ceil(options.publishEvents / PER_DELIVERY);
    const payloads = Array.from({ length: deliveries }, (_, d) => delivery(`p${run}`, d));
    let next = 0;
    let started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        for (let d = next++; d < deliveries; d = next++) await sink.deliver('whatsapp:555', payloads[d]!);
      }),
    );
    const publishPerSecond = (deliveries * PER_DELIVERY) / ((performance.now() - started) / 1000);

    // Baseline: the client alone, the same bytes, the same acknowledgement awaited, other message ids.
    const { js, subjectRoot } = admin;
    const raw = payloads.map((p) => p.map((m) => Buffer.from(JSON.stringify(m))));
    next = 0;
    started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        for (let d = next++; d < deliveries; d = next++) {
          await Promise.all(
            raw[d]!.map((bytes, i) => {
              const h = natsHeaders();
              h.set('Nats-Msg-Id', `baseline-${run}-${d}-${i}`);
              return js.publish(`${subjectRoot}.whatsapp.555`, bytes, { headers: h });
            }),
          );
        }
      }),
    );
    const baselinePublishPerSecond = (deliveries * PER_DELIVERY) / ((performance.now() - started) / 1000);
    // Empty the stream before the latency run: the writer starts on what the latency run publishes.
    await admin.jsm.streams.purge(stream);

    // Webhook to ledger at a steady rate, with a writer in this process.
    const writer = await startQueue(steno, { write: true });
    try {
      const perTick = Math.max(1, Math.round(options.rate / 10 / PER_DELIVERY)); // deliveries every 100 ms
      const ticks = options.latencySeconds * 10;
      const sentAt: number[] = [];
      const inFlight: Promise<unknown>[] = [];
      const committedAt: number[] = [];
      const base = await steno.store.treeSize();
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const size = await steno.store.treeSize();
          const now = performance.now();
          while (committedAt.length < size - base) committedAt.push(now);
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      const t0 = performance.now();
      for (let tick = 0; tick < ticks; tick++) {
        const due = t0 + tick * 100;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        for (let k = 0; k < perTick; k++) {
          const d = tick * perTick + k;
          const at = performance.now();
          for (let i = 0; i < PER_DELIVERY; i++) sentAt.push(at);
          inFlight.push(sink.deliver('whatsapp:555', delivery(`l${run}`, d)));
        }
      }
      await Promise.all(inFlight);
      const deadline = performance.now() + 30_000;
      while (committedAt.length < sentAt.length && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      polling = false;
      await poller;
      // The ledger commits in the order the writer reads, which is the order published: the n-th leaf
      // committed is the n-th event sent (a checkpoint or a media record would only make this longer).
      const latencies = sentAt.map((s, i) => (committedAt[i] ?? Number.POSITIVE_INFINITY) - s).sort((a, b) => a - b);
      return {
        publishPerSecond,
        baselinePublishPerSecond,
        latencyAtRate: {
          rate: perTick * PER_DELIVERY * 10,
          events: sentAt.length,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          maxMs: latencies[latencies.length - 1] ?? Number.NaN,
        },
      };
    } finally {
      await writer.close();
    }
  } finally {
    await admin.jsm.streams.delete(stream).catch(() => undefined);
    await admin.close();
    await publisher.close();
    await steno.close();
  }
}
