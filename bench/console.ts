/**
 * Questions: at the archive's full size (1,000,000 messages), how long from a search in the console's
 * API to its first page of results, for a reader of every desk and for a reviewer behind a desk's
 * information barrier (p95 target: under 100 ms)? And how long does the console take to render a
 * conversation of 5,000 messages in Chromium (target: under 1 s)?
 * Baseline, same run: the search service called in-process with the same query (no HTTP, no session,
 * no access record, no desk).
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../src/config/config.js';
import { openSteno, type Steno } from '../src/context.js';
import { buildServer } from '../src/review/api/server.js';
import { CHROMIUM, launchBrowser } from '../test/e2e/browser.js';
import { ConsoleClient, PASSWORD } from '../test/support/console.js';
import { summarize } from './support/stats.js';

const CONVERSATION = 'conv-bench-5000';
const CONVERSATION_MESSAGES = 5000;
const QUERIES = { rare: 'zebracorn', common: 'market', cjk: '騰訊' } as const;

type Latency = ReturnType<typeof summarize>;

export interface ConsoleFigures {
  search: Record<keyof typeof QUERIES, { service: Latency; auditor: Latency; reviewer: Latency }>;
  conversation: { apiMs: Latency; renderMs: Latency | null; reason?: string };
}

async function seed(steno: Steno): Promise<void> {
  // The generated archive's staff side is one number: the reviewer's desk holds it.
  await steno.directory.importCsv(
    'staff',
    'employee_id,name,desk,supervisor_id,handles\nB1,Bench RM,bench,,whatsapp:+85290000001\n',
    {
      file: 'bench-staff.csv',
      by: 'bench',
    },
  );
  for (const [username, role, desks] of [
    ['bench-auditor', 'auditor', []],
    ['bench-reviewer', 'reviewer', ['bench']],
  ] as const) {
    if ((await steno.accounts.list()).some((u) => u.username === username)) continue;
    await steno.accounts.create({ username, role, desks: [...desks], password: PASSWORD });
  }
  const start = Date.parse('2026-05-04T01:00:00Z');
  const messages = Array.from({ length: CONVERSATION_MESSAGES }, (_, i) => ({
    platform: 'whatsapp',
    conversationId: CONVERSATION,
    platformMessageId: `bench-5000-${i}`,
    sender: i % 2 === 0 ? '+85291112222' : '+85290000001',
    recipients: [i % 2 === 0 ? '+85290000001' : '+85291112222'],
    sentAt: new Date(start + i * 7_000).toISOString(),
    kind: 'message',
    text:
      i % 10 === 0 ? `Buy ${100 * (i % 7) + 100} Tencent at market 騰訊 ${i}` : `message ${i} about the market today`,
  }));
  for (let i = 0; i < messages.length; i += 1000) {
    await steno.ingest.ingest(steno.ingest.validate(messages.slice(i, i + 1000), (j) => `[${i + j}]`));
  }
}

export async function consoleFigures(options: {
  env: Record<string, string>;
  samples: number;
}): Promise<ConsoleFigures> {
  const steno = await openSteno(loadConfig(options.env), { createKey: false });
  const app = await buildServer(steno);
  try {
    await seed(steno);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const auditor = new ConsoleClient(base);
    await auditor.signIn('bench-auditor', PASSWORD);
    const reviewer = new ConsoleClient(base);
    await reviewer.signIn('bench-reviewer', PASSWORD);
    const get = async (client: ConsoleClient, path: string) => {
      const t = performance.now();
      const res = await client.call('GET', path);
      const body = await res.text();
      if (!res.ok) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
      return performance.now() - t;
    };
    const search = {} as ConsoleFigures['search'];
    for (const [name, query] of Object.entries(QUERIES) as [keyof typeof QUERIES, string][]) {
      const path = `/api/v1/search?q=${encodeURIComponent(query)}&limit=50`;
      // One of each first: caches (the reviewer's desk, the directory) are part of a warm server.
      await get(auditor, path);
      await get(reviewer, path);
      const service: number[] = [];
      const asAuditor: number[] = [];
      const asReviewer: number[] = [];
      for (let i = 0; i < options.samples; i++) {
        const t = performance.now();
        await steno.search.search({ query, limit: 50 });
        service.push(performance.now() - t);
        asAuditor.push(await get(auditor, path));
        asReviewer.push(await get(reviewer, path));
      }
      search[name] = { service: summarize(service), auditor: summarize(asAuditor), reviewer: summarize(asReviewer) };
    }
    const apiMs: number[] = [];
    for (let i = 0; i < 10; i++) apiMs.push(await get(auditor, `/api/v1/conversations/${CONVERSATION}?limit=5000`));
    const conversation: ConsoleFigures['conversation'] = { apiMs: summarize(apiMs), renderMs: null };
    if (!existsSync(CHROMIUM)) {
      conversation.reason = `${CHROMIUM} is absent (apt-get install chromium)`;
      return { search, conversation };
    }
    conversation.renderMs = summarize(await renderTimes(base, auditor.cookie!, 5));
    return { search, conversation };
  } finally {
    await app.close();
    await steno.close();
  }
}

/** Milliseconds from navigation start until every message of the conversation is in the page, per load. */
async function renderTimes(base: string, cookie: string, loads: number): Promise<number[]> {
  const browser = await launchBrowser();
  try {
    const [name, value] = cookie.split('=') as [string, string];
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    const out: number[] = [];
    for (let i = 0; i < loads; i++) {
      await page.goto('about:blank');
      await page.goto(`${base}/#/conversations/${encodeURIComponent(CONVERSATION)}`);
      // The page's CSP allows no eval, so a selector waits, not a predicate.
      await page
        .locator('.bubble-row')
        .nth(CONVERSATION_MESSAGES - 1)
        .waitFor({ state: 'attached', timeout: 60_000 });
      out.push(await page.evaluate(() => performance.now()));
    }
    return out;
  } finally {
    await browser.close();
  }
}
