/**
 * `npm run bench`: answers each performance question of the archive core, on SQLite and PostgreSQL,
 * with figures and ratios to a baseline measured in the same run.
 *
 *   BENCH_MESSAGES  messages per ingest path (default 500000; the archive ends with twice this)
 *   BENCH_WHATSAPP_LINES  lines of the generated WhatsApp export (default 1000000)
 *   BENCH_ORDER_MESSAGES  messages for order extraction alone (default 500000)
 *   BENCH_RULES_MESSAGES  messages of the generated day for the text rules alone (default 1000000)
 *   BENCH_RECONCILE_MESSAGES  chat messages of the archive `steno reconcile` and `steno alerts scan` run
 *                   over (default 1000000)
 *   BENCH_CAPTURE_REQUESTS  signed WhatsApp webhook POSTs of 10 messages each (default 20000)
 *   BENCH_QUEUE_EVENTS  events published to NATS JetStream for the publish rate (default 100000); the
 *                   latency question runs 30 s at 1,000 events/s (BENCH_QUEUE=off skips both: no NATS)
 *   BENCH_DB        sqlite,postgres (default both)
 *   BENCH_PG_URL    default postgres://postgres@127.0.0.1:5432/postgres
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { baselineSqlite } from './baseline-sqlite.js';
import { captureQueue } from './capture-queue.js';
import { captureWhatsApp } from './capture-whatsapp.js';
import { consoleFigures } from './console.js';
import { extractOrders } from './extract-orders.js';
import { importWhatsApp } from './import-whatsapp.js';
import { ingestApi } from './ingest-api.js';
import { ingestCli } from './ingest-cli.js';
import { queryLatencies } from './queries.js';
import { readOrders } from './read-orders.js';
import { reconcileBench } from './reconcile.js';
import { rulesBench } from './rules.js';
import { fmt } from './support/stats.js';
import { verifyRate } from './verify.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500_000);
const WHATSAPP_LINES = Number(process.env.BENCH_WHATSAPP_LINES ?? 1_000_000);
const BACKENDS = (process.env.BENCH_DB ?? 'sqlite,postgres').split(',');
const ORDER_MESSAGES = Number(process.env.BENCH_ORDER_MESSAGES ?? 500_000);
const RULES_MESSAGES = Number(process.env.BENCH_RULES_MESSAGES ?? 1_000_000);
const RECONCILE_MESSAGES = Number(process.env.BENCH_RECONCILE_MESSAGES ?? 1_000_000);
const CAPTURE_REQUESTS = Number(process.env.BENCH_CAPTURE_REQUESTS ?? 20_000);
const QUEUE_EVENTS = Number(process.env.BENCH_QUEUE_EVENTS ?? 100_000);
const QUEUE = process.env.BENCH_QUEUE !== 'off';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Row = [string, ...string[]];
const rows: Row[] = [];
const log = (text: string) => process.stderr.write(`${text}\n`);

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'steno-bench-'));
  try {
    log(`baseline: bare better-sqlite3, ${fmt(MESSAGES)} rows, 1,000-row transactions, FTS5, one SHA-256 each`);
    const baseline = baselineSqlite({ dir: root, messages: MESSAGES });
    log(`  ${fmt(baseline.perSecond)} rows/s`);
    log(`order extraction alone, one core: ${fmt(ORDER_MESSAGES)} messages (1 in 5 an order)`);
    const extraction = extractOrders({ messages: ORDER_MESSAGES });
    log(`  ${fmt(extraction.perSecond)} messages/s (${fmt(extraction.orders)} orders read)`);
    log(`text rules alone, one core: ${fmt(RULES_MESSAGES)} messages of a generated day of chat`);
    const rules = rulesBench({ messages: RULES_MESSAGES });
    log(`  ${JSON.stringify(rules)}`);
    const results: Record<string, Record<string, string>> = {};
    for (const db of BACKENDS) results[db] = await runBackend(db, root, baseline.perSecond, extraction.perSecond);

    const header: Row = ['question', ...BACKENDS];
    rows.push(['baseline: bare better-sqlite3 rows/s', ...BACKENDS.map(() => fmt(baseline.perSecond))]);
    // Extraction touches no store: one figure, shown in every backend's column.
    const each = (value: string) => BACKENDS.map(() => value);
    rows.push(['order extraction messages/s, one core (no store)', ...each(fmt(extraction.perSecond))]);
    rows.push(['  baseline: one regex scan per message, messages/s', ...each(fmt(extraction.baselinePerSecond))]);
    rows.push(['  ratio to that baseline', ...each((extraction.perSecond / extraction.baselinePerSecond).toFixed(3))]);
    rows.push(['text rules messages/s, one core (no store)', ...each(fmt(rules.perSecond))]);
    rows.push(['  baseline: one regex scan per message, messages/s', ...each(fmt(rules.baselinePerSecond))]);
    rows.push(['  ratio to that baseline', ...each((rules.perSecond / rules.baselinePerSecond).toFixed(3))]);
    rows.push(['  alerts per 1,000 messages on a generated day', ...each(rules.alertsPerThousand.toFixed(2))]);
    rows.push([
      `  planted cues alerted / planted (1 in 500 messages)`,
      ...each(`${fmt(rules.plantedAlerted)} / ${fmt(rules.planted)}`),
    ]);
    rows.push(['  alerts on the other messages (near misses)', ...each(fmt(rules.otherAlerts))]);
    for (const key of Object.keys(results[BACKENDS[0]!] ?? {})) {
      rows.push([key, ...BACKENDS.map((db) => results[db]?.[key] ?? '')]);
    }
    const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => (r[c] ?? '').length)));
    const line = (r: Row) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    process.stdout.write(
      `\nSteno archive core benchmark: ${fmt(MESSAGES)} messages per ingest path, ${fmt(2 * MESSAGES)} in the archive\n`,
    );
    process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function runBackend(
  db: string,
  root: string,
  baselinePerSecond: number,
  extractionPerSecond: number,
): Promise<Record<string, string>> {
  const dataDir = join(root, db);
  const env: Record<string, string> = { STENO_DATA: dataDir, STENO_ORIGIN: 'bench.steno.local/log' };
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  if (db === 'postgres')
    Object.assign(env, { STENO_STORE: 'postgres', STENO_DATABASE_URL: PG_URL, STENO_PG_SCHEMA: schema });
  const out: Record<string, string> = {};
  try {
    log(`\n[${db}] ingest through the HTTP API: batches of 100, 4 concurrent clients, ${fmt(MESSAGES)} messages`);
    const api = await ingestApi({ env, dataDir, messages: MESSAGES, clients: 4, batch: 100 });
    log(`  ${fmt(api.perSecond)} messages/s in ${api.seconds.toFixed(1)} s`);
    out['API ingest messages/s (batches of 100, 4 clients)'] = fmt(api.perSecond);
    out['  ratio to bare SQLite baseline'] = (api.perSecond / baselinePerSecond).toFixed(2);

    log(`[${db}] steno ingest of a ${fmt(MESSAGES)}-line file`);
    const cli = await ingestCli({ env, dir: root, messages: MESSAGES });
    log(`  ${fmt(cli.perSecond)} messages/s in ${cli.seconds.toFixed(1)} s`);
    out['steno ingest FILE messages/s'] = fmt(cli.perSecond);
    out['  ratio to API ingest'] = (cli.perSecond / api.perSecond).toFixed(2);

    log(`[${db}] steno verify over ${fmt(2 * MESSAGES)} records`);
    const verify = await verifyRate({ env });
    log(
      `  audit ${fmt(verify.auditPerSecond)} records/s in ${verify.auditSeconds.toFixed(1)} s; whole command ${fmt(verify.perSecond)} records/s in ${verify.seconds.toFixed(1)} s`,
    );
    out['steno verify records/s (audit, as verify reports it)'] = fmt(verify.auditPerSecond);
    out['  whole command, start-up included'] = fmt(verify.perSecond);

    log(`[${db}] inclusion proofs and search latency at ${fmt(2 * MESSAGES)} messages`);
    const q = await queryLatencies({ env, samples: 200 });
    out[`inclusion proof mean / p95 ms (tree ${fmt(q.treeSize)})`] =
      `${q.proof.mean.toFixed(3)} / ${q.proof.p95.toFixed(3)}`;
    out['search rare term p50 / p95 ms'] = `${q.rare.p50.toFixed(1)} / ${q.rare.p95.toFixed(1)}`;
    out['search common term p50 / p95 ms'] = `${q.common.p50.toFixed(1)} / ${q.common.p95.toFixed(1)}`;
    out['search CJK term (騰訊) p50 / p95 ms'] = `${q.cjk.p50.toFixed(1)} / ${q.cjk.p95.toFixed(1)}`;
    log(`  ${JSON.stringify(q)}`);

    log(
      `[${db}] the console at ${fmt(2 * MESSAGES)} messages: search through the API, a 5,000-message conversation in Chromium`,
    );
    const c = await consoleFigures({ env, samples: 100 });
    log(`  ${JSON.stringify(c)}`);
    for (const [name, s] of Object.entries(c.search)) {
      out[`console search ${name}: p50 / p95 ms, every desk`] =
        `${s.auditor.p50.toFixed(1)} / ${s.auditor.p95.toFixed(1)}`;
      out[`  ${name}: behind a desk barrier (reviewer)`] =
        `${s.reviewer.p50.toFixed(1)} / ${s.reviewer.p95.toFixed(1)}`;
      out[`  ${name}: baseline, the search service in-process`] =
        `${s.service.p50.toFixed(1)} / ${s.service.p95.toFixed(1)}`;
      out[`  ${name}: ratio of p95, every desk / reviewer, to baseline`] =
        `${(s.auditor.p95 / s.service.p95).toFixed(2)} / ${(s.reviewer.p95 / s.service.p95).toFixed(2)}`;
    }
    out['conversation of 5,000: API p50 / p95 ms'] =
      `${c.conversation.apiMs.p50.toFixed(0)} / ${c.conversation.apiMs.p95.toFixed(0)}`;
    out['  rendered in Chromium, navigation to last bubble, p50 / max ms'] =
      c.conversation.renderMs === null
        ? `skipped: ${c.conversation.reason}`
        : `${c.conversation.renderMs.p50.toFixed(0)} / ${c.conversation.renderMs.max.toFixed(0)}`;

    // Last: it adds to the archive, and the questions above are asked at 1,000,000 records.
    log(`[${db}] steno import whatsapp of a generated ${fmt(WHATSAPP_LINES)}-line export`);
    const wa = await importWhatsApp({ env, dir: root, lines: WHATSAPP_LINES });
    log(`  ${JSON.stringify(wa)}`);
    out[`WhatsApp import messages/s (${fmt(WHATSAPP_LINES)} lines, ${wa.megabytes.toFixed(0)} MB)`] = fmt(
      wa.importPerSecond,
    );
    out['  peak RSS MiB'] = String(wa.importPeakRssMiB);
    out['  ratio to steno ingest FILE'] = (wa.importPerSecond / cli.perSecond).toFixed(2);
    out['  the same messages through steno ingest FILE, messages/s'] = fmt(wa.sameAsJsonLinesPerSecond);
    out['  ratio of import to that'] = (wa.importPerSecond / wa.sameAsJsonLinesPerSecond).toFixed(2);
    out['WhatsApp dry-run parse messages/s / peak RSS MiB'] = `${fmt(wa.dryRunPerSecond)} / ${wa.dryRunPeakRssMiB}`;

    log(`[${db}] reading the whole archive for orders (the rebuild a new security master starts)`);
    const read = await readOrders({ env, dir: root });
    log(`  ${JSON.stringify(read)}`);
    out[`orders read from the archive, messages/s (${fmt(read.messages)} messages)`] = fmt(read.perSecond);
    out['  orders found'] = fmt(read.orders);
    out['  ratio to extraction alone'] = (read.perSecond / extractionPerSecond).toFixed(2);

    // An archive of its own, with clients, accounts and the firm's activity to reconcile against.
    log(
      `[${db}] steno reconcile and steno alerts scan over ${fmt(RECONCILE_MESSAGES)} chat messages and the firm's orders and executions`,
    );
    const reconcileDir = join(root, `${db}-reconcile`);
    await mkdir(reconcileDir, { recursive: true });
    const reconcileEnv: Record<string, string> = { ...env, STENO_DATA: join(reconcileDir, 'data') };
    if (db === 'postgres') reconcileEnv.STENO_PG_SCHEMA = `${schema}_r`;
    const rec = await reconcileBench({ env: reconcileEnv, dir: reconcileDir, messages: RECONCILE_MESSAGES, log });
    log(`  ${JSON.stringify(rec)}`);
    out[
      `steno reconcile seconds (${fmt(rec.messages)} messages, ${fmt(rec.chatOrders)} chat orders, ${fmt(rec.firmOrders)} firm orders, ${fmt(rec.executions)} executions)`
    ] = rec.seconds.toFixed(1);
    out['  baseline: reading and parsing its inputs, seconds'] = rec.baselineSeconds.toFixed(1);
    out['  ratio to that baseline'] = (rec.seconds / rec.baselineSeconds).toFixed(2);
    out['  exceptions found'] = Object.entries(rec.exceptions)
      .map(([type, n]) => `${type} ${fmt(n)}`)
      .join(', ');
    out[`steno alerts scan: every rule over ${fmt(rec.messages)} archived messages, messages/s`] = fmt(
      rec.scanMessagesPerSecond,
    );
    const scanBaselinePerSecond = rec.messages / rec.scanBaselineSeconds;
    out['  baseline: reading and parsing every message, messages/s'] = fmt(scanBaselinePerSecond);
    out['  ratio of the scan rate to that baseline'] = (rec.scanMessagesPerSecond / scanBaselinePerSecond).toFixed(3);
    out['  alerts per 1,000 messages on the generated day'] = ((1000 * rec.alertsRaised) / rec.messages).toFixed(2);
    out['  alerts by type'] = Object.entries(rec.alertsByType)
      .map(([type, n]) => `${type} ${fmt(n)}`)
      .join(', ');
    out['  planted cues in the day (1 in 500 chat lines that are not orders)'] = fmt(rec.planted);

    // A fresh archive: live capture is measured on its own, not behind the archive the questions above built.
    log(
      `[${db}] signed WhatsApp webhook POSTs, 10 messages each, 64 concurrent senders, ${fmt(CAPTURE_REQUESTS)} requests`,
    );
    const captureDir = join(root, `${db}-capture`);
    await mkdir(captureDir, { recursive: true });
    const captureEnv: Record<string, string> = { ...env, STENO_DATA: join(captureDir, 'data') };
    if (db === 'postgres') captureEnv.STENO_PG_SCHEMA = `${schema}_c`;
    const capture = await captureWhatsApp({
      env: captureEnv,
      dir: captureDir,
      requests: CAPTURE_REQUESTS,
      perRequest: 10,
      concurrency: 64,
    });
    log(`  ${JSON.stringify(capture)}`);
    out['WhatsApp webhook requests/s (10 messages each, signed, answered once durable)'] = fmt(
      capture.whatsapp.requestsPerSecond,
    );
    out['  latency p50 / p99 ms'] = `${capture.whatsapp.p50Ms.toFixed(0)} / ${capture.whatsapp.p99Ms.toFixed(0)}`;
    out['  baseline: the same messages, 10 a request, through POST /api/v1/messages, requests/s'] = fmt(
      capture.api.requestsPerSecond,
    );
    out['  ratio to that baseline'] = (capture.whatsapp.requestsPerSecond / capture.api.requestsPerSecond).toFixed(2);
    const { serverCpuMsPerRequest: cpu, mainThreadCpuMsPerRequest: mainCpu } = capture.whatsapp;
    if (cpu !== null && mainCpu !== null) {
      // The load generator shares this machine's cores: what a request costs the server says what it needs.
      out['  server CPU per WhatsApp request, ms (all threads / answering thread)'] =
        `${cpu.toFixed(2)} / ${mainCpu.toFixed(2)}`;
      out['  cores the server needs for 2,000 requests/s at that cost (this machine has)'] =
        `${((cpu * 2000) / 1000).toFixed(1)} (${availableParallelism()})`;
    }

    if (QUEUE) {
      log(`[${db}] NATS JetStream: publishing ${fmt(QUEUE_EVENTS)} events, then 30 s at 1,000 events/s to the ledger`);
      const queueEnv: Record<string, string> = { ...env, STENO_DATA: join(captureDir, 'queue-data') };
      if (db === 'postgres') queueEnv.STENO_PG_SCHEMA = `${schema}_q`;
      const queue = await captureQueue({
        env: queueEnv,
        publishEvents: QUEUE_EVENTS,
        latencySeconds: 30,
        rate: 1000,
        concurrency: 64,
      });
      log(`  ${JSON.stringify(queue)}`);
      out['NATS publish side events/s (checked, Nats-Msg-Id, acknowledged by the stream)'] = fmt(
        queue.publishPerSecond,
      );
      out['  baseline: the NATS client alone, the same bytes, events/s'] = fmt(queue.baselinePublishPerSecond);
      out['  ratio to that baseline'] = (queue.publishPerSecond / queue.baselinePublishPerSecond).toFixed(2);
      out[
        `connector delivery to ledger commit through NATS at ${fmt(queue.latencyAtRate.rate)} events/s, p50 / p99 / max ms`
      ] =
        `${queue.latencyAtRate.p50Ms.toFixed(0)} / ${queue.latencyAtRate.p99Ms.toFixed(0)} / ${queue.latencyAtRate.maxMs.toFixed(0)}`;
    }
  } finally {
    if (db === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${schema}_r CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${schema}_c CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${schema}_q CASCADE`);
      await client.end();
    }
  }
  return out;
}

await main();
