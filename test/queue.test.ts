/**
 * Capture buffered in NATS JetStream, on a real NATS server and a real store (STENO_TEST_DB): the
 * capture sink publishes validated messages and answers once the stream has them (a retry is a
 * duplicate, one bad message publishes nothing); the ledger writer archives them in batches, refuses
 * what is invalid, hands a batch back when the store fails, and stops only after its batch is
 * committed and acknowledged; and the `steno capture-writer` process, killed mid-stream and started
 * again, leaves every message in the ledger exactly once and a ledger that verifies.
 *
 * Each run uses streams of its own, deleted afterwards. Without NATS at STENO_TEST_NATS_URL (default
 * nats://127.0.0.1:4222) the suites are skipped, except in CI, where that is a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AckPolicy, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubSignature } from '../src/capture/connectors/whatsapp/signature.js';
import { dedupKey } from '../src/capture/ingest.js';
import type { ValidatedMessage } from '../src/capture/model.js';
import {
  connectQueue,
  NatsSink,
  type QueueConnection,
  QueueWriter,
  startQueue,
  subjectRoot,
  WRITER_CONSUMER,
} from '../src/capture/queue/index.js';
import { MSG_ID_HEADER } from '../src/capture/queue/nats.js';
import type { QueueConfig } from '../src/config/config.js';
import { openSteno, type Steno } from '../src/context.js';
import { isStenoError, StenoError } from '../src/core/errors.js';
import { createTestBackend, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno, STENO_BIN } from './support/cli.js';
import { message } from './support/messages.js';
import { killHard, type ServerProcess, startServer } from './support/server.js';

const NATS_URL = process.env.STENO_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const RUN = randomBytes(4).toString('hex');

async function natsWithJetStream(): Promise<boolean> {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 2000, reconnect: false });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}

const NATS_UP = await natsWithJetStream();
if (!NATS_UP && process.env.CI !== undefined) throw new Error(`CI needs NATS with JetStream at ${NATS_URL}`);
const suite = NATS_UP ? describe : describe.skip;
const SKIPPED = NATS_UP ? '' : ` (skipped: no NATS with JetStream at ${NATS_URL})`;

/** The n-th message of a day's chat: distinct platform ids, a few conversations. */
function chat(n: number): Record<string, unknown> {
  return message({
    platformMessageId: `wamid.q${n}`,
    conversationId: `conv-${n % 7}`,
    text: `order ${n}: buy ${1000 + n} HSBC @60`,
    sentAt: new Date(Date.parse('2026-05-04T09:00:00+08:00') + n * 1000).toISOString(),
  });
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => chat(from + i));

function queueConfig(stream: string): QueueConfig {
  return { kind: 'nats', servers: [NATS_URL], stream };
}

async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function messageRows(backend: TestBackend): Promise<{ rows: number; keys: number; ids: number }> {
  const [row] = await rawQuery<{ rows: number | string; keys: number | string; ids: number | string }>(
    backend,
    'SELECT count(*) AS rows, count(DISTINCT dedup_key) AS keys, count(DISTINCT platform_message_id) AS ids FROM messages',
  );
  return { rows: Number(row!.rows), keys: Number(row!.keys), ids: Number(row!.ids) };
}

/** The stream is empty and nothing is delivered without an acknowledgement. */
async function drained(jsm: JetStreamManager, stream: string): Promise<boolean> {
  const info = await jsm.streams.info(stream);
  if (info.state.messages !== 0) return false;
  const consumer = await jsm.consumers.info(stream, WRITER_CONSUMER).catch(() => null);
  return consumer === null || (consumer.num_pending === 0 && consumer.num_ack_pending === 0);
}

async function expectStenoError(promise: Promise<unknown>, code: string): Promise<StenoError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isStenoError(error), `expected a StenoError, got ${String(error)}`).toBe(true);
  expect((error as StenoError).code).toBe(code);
  return error as StenoError;
}

let admin: NatsConnection;
let jsm: JetStreamManager;
const streams: string[] = [];

function newStream(label: string): string {
  const name = `STENO_TEST_${RUN}_${TEST_DB}_${label}`;
  streams.push(name);
  return name;
}

beforeAll(async () => {
  if (!NATS_UP) return;
  admin = await connect({ servers: NATS_URL });
  jsm = await jetstreamManager(admin);
});

afterAll(async () => {
  if (!NATS_UP) return;
  for (const stream of streams) await jsm.streams.delete(stream).catch(() => undefined);
  await admin.close();
});

suite(`the capture queue's sink on ${TEST_DB}${SKIPPED}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let queue: QueueConnection;
  let sink: NatsSink;
  let stream: string;

  beforeAll(async () => {
    stream = newStream('sink');
    backend = await createTestBackend();
    steno = await openSteno({ ...backend.config(), queue: queueConfig(stream) }, { createKey: true });
    queue = await connectQueue(queueConfig(stream), { name: 'steno-test' });
    sink = new NatsSink({ queue, ingest: steno.ingest });
  });

  afterAll(async () => {
    await queue?.close();
    await steno?.close();
    await backend?.cleanup();
  });

  it('creates the stream and answers once every message is in it', async () => {
    const batch = range(0, 20);
    expect(await sink.deliver('whatsapp:1098765432', batch)).toEqual({ created: 20, duplicate: 0 });

    const info = await jsm.streams.info(stream);
    expect(info.config.subjects).toEqual([`${subjectRoot(stream)}.>`]);
    expect(info.config.storage).toBe('file');
    expect(info.config.duplicate_window).toBe(120 * 1e9);
    expect(info.state.messages).toBe(20);

    // Each message as it was delivered, on its channel's subject, under the archive's de-duplication key.
    const stored = (await jsm.streams.getMessage(stream, { seq: info.state.first_seq }))!;
    expect(stored.subject).toBe(`${subjectRoot(stream)}.whatsapp.1098765432`);
    expect(stored.json()).toEqual(batch[0]);
    const [valid] = steno.ingest.validate([batch[0]], () => '') as [ValidatedMessage];
    expect(stored.header.get(MSG_ID_HEADER)).toBe(dedupKey(valid.content, valid.contentBytes).toString('hex'));
  });

  it('takes a retried delivery as duplicates, storing nothing twice', async () => {
    expect(await sink.deliver('whatsapp:1098765432', range(0, 20))).toEqual({ created: 0, duplicate: 20 });
    expect(await sink.deliver('whatsapp:1098765432', range(15, 25))).toEqual({ created: 5, duplicate: 5 });
    expect((await jsm.streams.info(stream)).state.messages).toBe(25);
  });

  it('publishes nothing of a delivery with one bad message', async () => {
    const error = await expectStenoError(
      sink.deliver('webhook:crm', [chat(100), chat(101), { ...chat(102), sentAt: 'yesterday' }]),
      'invalid_input',
    );
    expect(error.problems.map((p) => p.where)).toEqual(['[2].sentAt']);
    expect((await jsm.streams.info(stream)).state.messages).toBe(25);
    expect(await sink.deliver('webhook:crm', [])).toEqual({ created: 0, duplicate: 0 });
  });

  it('refuses a message over the server’s payload limit before publishing any', async () => {
    const huge = { ...chat(103), raw: { blob: 'x'.repeat((queue.nc.info?.max_payload ?? 1024 * 1024) + 1) } };
    await expectStenoError(sink.deliver('webhook:crm', [chat(104), huge]), 'too_large');
    expect((await jsm.streams.info(stream)).state.messages).toBe(25);
  });

  it('fails with an I/O error (the platform retries) when the stream does not acknowledge', async () => {
    const gone = newStream('gone');
    const other = await connectQueue(queueConfig(gone), { name: 'steno-test' });
    try {
      await jsm.streams.delete(gone);
      const error = await expectStenoError(
        new NatsSink({ queue: other, ingest: steno.ingest }).deliver('whatsapp:1', [chat(1)]),
        'io',
      );
      expect(error.message).toMatch(/^the capture queue \(NATS\) did not acknowledge: /);
    } finally {
      await other.close();
    }
  });

  it('refuses an existing stream that does not take Steno’s subjects', async () => {
    const foreign = newStream('foreign');
    await jsm.streams.add({ name: foreign, subjects: [`elsewhere.${RUN}.${TEST_DB}.>`] });
    await expectStenoError(connectQueue(queueConfig(foreign), { name: 'steno-test' }), 'config');
  });
});

suite(`the ledger writer on ${TEST_DB}${SKIPPED}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let queue: QueueConnection;
  let sink: NatsSink;
  let stream: string;
  const logged: string[] = [];
  const log = {
    error: (m: string, e: unknown) => logged.push(`${m}: ${(e as Error).message}`),
  };

  beforeAll(async () => {
    stream = newStream('writer');
    backend = await createTestBackend();
    steno = await openSteno({ ...backend.config(), queue: queueConfig(stream) }, { createKey: true });
    queue = await connectQueue(queueConfig(stream), { name: 'steno-test' });
    sink = new NatsSink({ queue, ingest: steno.ingest });
  });

  afterAll(async () => {
    await queue?.close();
    await steno?.close();
    await backend?.cleanup();
  });

  it('archives the stream in batches and refuses what is not an ingest message, keeping the rest', async () => {
    await sink.deliver('whatsapp:1098765432', range(0, 30));
    // Foreign messages on the stream's subjects: never published by a Steno sink.
    const subject = `${subjectRoot(stream)}.webhook.crm`;
    await queue.js.publish(subject, Buffer.from('not json'));
    await queue.js.publish(subject, Buffer.from(JSON.stringify({ ...chat(31), kind: 'shout' })));
    await sink.deliver('whatsapp:1098765432', range(30, 40));

    let archivedCalls = 0;
    const writer = new QueueWriter({ queue, ingest: steno.ingest, log, onArchived: () => archivedCalls++ });
    await writer.start();
    await waitFor('the stream to drain', () => drained(jsm, stream));
    await writer.stop();

    expect(writer.counts).toEqual({ archived: 40, duplicates: 0, terminated: 2, failedBatches: 0 });
    expect(archivedCalls).toBeGreaterThan(0);
    expect(await messageRows(backend)).toEqual({ rows: 40, keys: 40, ids: 40 });
    expect(logged.filter((m) => m.includes('is not a valid ingest message'))).toHaveLength(2);
    expect(logged.join('\n')).toContain('.kind');
  });

  it('hands a batch back to the stream when the store fails, and archives it once the store is back', async () => {
    let failuresLeft = 2;
    const flakyStore = {
      validate: steno.ingest.validate.bind(steno.ingest),
      ingest: async (messages: readonly ValidatedMessage[]) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new StenoError('io', 'the database is not answering');
        }
        return steno.ingest.ingest(messages);
      },
    };
    const writer = new QueueWriter({ queue, ingest: flakyStore, log, retryDelayMs: 100 });
    await writer.start();
    await sink.deliver('whatsapp:1098765432', range(40, 60));
    await waitFor('the stream to drain', () => drained(jsm, stream));
    await writer.stop();

    expect(failuresLeft).toBe(0);
    expect(writer.counts.failedBatches).toBe(2);
    expect(writer.counts.archived).toBe(20);
    expect(await messageRows(backend)).toEqual({ rows: 60, keys: 60, ids: 60 });
    expect(logged.filter((m) => m.includes('the database is not answering'))).toHaveLength(2);
  });

  it('stops only after the batch in flight is committed and acknowledged', async () => {
    let enter!: () => void;
    const entered = new Promise<void>((resolve) => {
      enter = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let committed = false;
    const slowStore = {
      validate: steno.ingest.validate.bind(steno.ingest),
      ingest: async (messages: readonly ValidatedMessage[]) => {
        enter();
        await released;
        const results = await steno.ingest.ingest(messages);
        committed = true;
        return results;
      },
    };
    const writer = new QueueWriter({ queue, ingest: slowStore, log });
    await writer.start();
    await sink.deliver('whatsapp:1098765432', range(60, 110));
    await entered;

    let stopped = false;
    const stopping = writer.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).toBe(false);
    release();
    await stopping;

    expect(committed).toBe(true);
    expect(writer.counts.archived).toBe(50);
    expect(await messageRows(backend)).toEqual({ rows: 110, keys: 110, ids: 110 });
    // Acknowledged before stop resolved: nothing waits in the stream to be delivered again.
    expect(await drained(jsm, stream)).toBe(true);
  });

  it('starts from the config: a sink and, with write, a writer that calls back', async () => {
    let archivedCalls = 0;
    const running = await startQueue(steno, { write: true, log, onArchived: () => archivedCalls++ });
    try {
      expect(await running.sink.deliver('telegram:desk1', range(110, 120))).toEqual({ created: 10, duplicate: 0 });
      await waitFor('the stream to drain', () => drained(jsm, stream));
      await waitFor('onArchived', () => archivedCalls > 0);
    } finally {
      await running.close();
    }
    expect(await messageRows(backend)).toEqual({ rows: 120, keys: 120, ids: 120 });
    await expectStenoError(
      startQueue({ ...steno, config: { ...steno.config, queue: null } }, { write: false }),
      'config',
    );
  });

  it('archives once what a writer committed but died before acknowledging', async () => {
    const crashStream = newStream('crash');
    const doomed = await connectQueue(queueConfig(crashStream), { name: 'steno-test' });
    // A one-second acknowledgement wait: the lost deliveries come back quickly.
    await jsm.consumers.add(crashStream, {
      durable_name: WRITER_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      ack_wait: 1e9,
    });
    await new NatsSink({ queue: doomed, ingest: steno.ingest }).deliver('whatsapp:1098765432', range(200, 230));
    const before = (await messageRows(backend)).rows;

    const commitThenDie = {
      validate: steno.ingest.validate.bind(steno.ingest),
      ingest: async (messages: readonly ValidatedMessage[]) => {
        const results = await steno.ingest.ingest(messages);
        await doomed.nc.close();
        return results;
      },
    };
    const first = new QueueWriter({ queue: doomed, ingest: commitThenDie, log });
    await first.start();
    await waitFor('the first writer to lose its connection', () => doomed.nc.isClosed());
    await first.stop();
    // Committed, but no acknowledgement reached the server: the stream still holds all of them.
    expect(first.counts.archived).toBe(30);
    expect((await messageRows(backend)).rows).toBe(before + 30);
    expect((await jsm.streams.info(crashStream)).state.messages).toBe(30);

    const survivor = await connectQueue(queueConfig(crashStream), { name: 'steno-test' });
    const second = new QueueWriter({ queue: survivor, ingest: steno.ingest, log });
    try {
      await second.start();
      await waitFor('the stream to drain', () => drained(jsm, crashStream));
      await second.stop();
    } finally {
      await survivor.close();
    }
    expect(second.counts).toMatchObject({ archived: 0, duplicates: 30 });
    expect(await messageRows(backend)).toEqual({ rows: before + 30, keys: before + 30, ids: before + 30 });
  });
});

suite(`steno capture-writer killed mid-stream on ${TEST_DB}${SKIPPED}`, () => {
  const TOTAL = 5000;
  let backend: TestBackend;
  let steno: Steno;
  let queue: QueueConnection;
  let sink: NatsSink;
  let stream: string;
  let env: Record<string, string>;
  const children = new Set<ChildProcess>();

  interface Writer {
    child: ChildProcess;
    stdout: () => string;
    exited: Promise<number | null>;
  }

  async function startWriter(): Promise<Writer> {
    const child = spawn(process.execPath, [STENO_BIN, 'capture-writer'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        children.delete(child);
        resolve(code);
      }),
    );
    let exitedEarly = false;
    void exited.then(() => {
      exitedEarly = true;
    });
    await waitFor('the writer to start', () => {
      if (exitedEarly) throw new Error(`the writer exited: ${err}`);
      return out.includes('capture writer: consuming');
    });
    return { child, stdout: () => out, exited };
  }

  async function deliverAll(
    messages: readonly Record<string, unknown>[],
  ): Promise<{ created: number; duplicate: number }> {
    const total = { created: 0, duplicate: 0 };
    for (let i = 0; i < messages.length; i += 100) {
      const r = await sink.deliver('whatsapp:1098765432', messages.slice(i, i + 100));
      total.created += r.created;
      total.duplicate += r.duplicate;
    }
    return total;
  }

  beforeAll(async () => {
    stream = newStream('kill');
    backend = await createTestBackend();
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...backend.env,
      STENO_QUEUE: NATS_URL,
      STENO_QUEUE_STREAM: stream,
      STENO_CHECKPOINT_INTERVAL_MS: '500',
    };
    steno = await openSteno({ ...backend.config(), queue: queueConfig(stream) }, { createKey: true });
    queue = await connectQueue(queueConfig(stream), { name: 'steno-test' });
    sink = new NatsSink({ queue, ingest: steno.ingest });
    // The writer uses the consumer it finds. A short acknowledgement wait here lets the killed writer's
    // unacknowledged deliveries come back in seconds rather than the default 30 s.
    await jsm.consumers.add(stream, {
      durable_name: WRITER_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      ack_wait: 2 * 1e9,
      max_ack_pending: 10_000,
    });
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await queue?.close();
    await steno?.close();
    await backend?.cleanup();
  });

  it('archives every message exactly once across a SIGKILL and a restart, and the ledger verifies', async () => {
    const first = await startWriter();
    const publishing = deliverAll(range(0, 3000));
    await waitFor('some messages to be archived', async () => (await messageRows(backend)).rows > 0);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    expect((await publishing).created).toBe(3000);
    const atKill = (await messageRows(backend)).rows;
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(TOTAL);

    // The rest arrives while no writer runs, and a platform retries a delivery already taken.
    expect(await deliverAll(range(3000, TOTAL))).toEqual({ created: TOTAL - 3000, duplicate: 0 });
    expect(await deliverAll(range(0, 100))).toEqual({ created: 0, duplicate: 100 });

    const second = await startWriter();
    await waitFor('the stream to drain', () => drained(jsm, stream), 60_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toMatch(/capture writer: stopped \(\d+ archived/);

    expect(await messageRows(backend)).toEqual({ rows: TOTAL, keys: TOTAL, ids: TOTAL });
    const verify = await runSteno(['verify'], backend.env);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^OK: /);
  }, 180_000);
});

describe(`steno capture-writer without a queue on ${TEST_DB}`, () => {
  let backend: TestBackend;
  beforeAll(async () => {
    backend = await createTestBackend();
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('refuses to start, naming STENO_QUEUE', async () => {
    const result = await runSteno(['capture-writer'], backend.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('STENO_QUEUE');
    expect(result.stdout).toBe('');
  });
});

suite(`two steno serve nodes through the queue on ${TEST_DB}${SKIPPED}`, () => {
  let backend: TestBackend;
  let capture: ServerProcess | undefined;
  let writer: ServerProcess | undefined;
  const secret = 'queue-app-secret-0123456789abcdef';

  afterAll(async () => {
    for (const server of [capture, writer]) {
      if (server !== undefined) await killHard(server);
    }
    await backend?.cleanup();
  });

  it('a capture-only node answers WhatsApp once the stream has it, and the writer node archives it once', async () => {
    backend = await createTestBackend();
    const stream = newStream('serve');
    const captureFile = join(backend.dataDir, 'capture.json');
    await writeFile(
      captureFile,
      JSON.stringify({ whatsapp: { appSecrets: [secret], verifyTokens: ['verify-token-1'] } }),
    );
    const env = { ...backend.env, STENO_QUEUE: NATS_URL, STENO_QUEUE_STREAM: stream, STENO_CAPTURE_FILE: captureFile };
    writer = await startServer(env);
    capture = await startServer(env, ['--capture-only']);
    expect(capture.output()).toContain('(publishing only)');
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { display_phone_number: '85230001234', phone_number_id: '555' },
                messages: Array.from({ length: 10 }, (_, i) => ({
                  from: '85291234567',
                  id: `wamid.serve${i}`,
                  timestamp: '1778560200',
                  type: 'text',
                  text: { body: `buy ${i + 1}000 HSBC` },
                })),
              },
            },
          ],
        },
      ],
    });
    const post = () =>
      fetch(`${capture!.base}/capture/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(secret, Buffer.from(body)) },
        body,
      });
    const first = await post();
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ created: 10, duplicate: 0 });
    // The stream knows the same delivery again by its message ids.
    expect(await (await post()).json()).toEqual({ created: 0, duplicate: 10 });
    await waitFor('the writer node to archive the delivery', async () => (await messageRows(backend)).rows === 10);
    await waitFor('the stream to drain', () => drained(jsm, stream));
    expect(await messageRows(backend)).toEqual({ rows: 10, keys: 10, ids: 10 });
  });
});
