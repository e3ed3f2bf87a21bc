/**
 * The console's other screens in Chromium against a real `steno serve` (STENO_TEST_DB), over a day of
 * a Hong Kong desk's orders: the dashboard, reconciliation (an order entered in time, one entered late,
 * one never entered), the orders list and an order's trail, an evidence export that verifies offline,
 * the directory, the policy an admin edits, and the account page. People sign in over the API
 * (console.test.ts drives the sign-in screens), and each page starts with that session.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.js';
import { openSteno } from '../../src/context.js';
import { NO_MASTER } from '../../src/surveil/orders/archive.js';
import { createTestBackend, TEST_DB, type TestBackend } from '../support/backend.js';
import { runSteno } from '../support/cli.js';
import { ConsoleClient, NEW_PASSWORD, PASSWORD } from '../support/console.js';
import { message } from '../support/messages.js';
import { killHard, type ServerProcess, startServer } from '../support/server.js';
import { unzipTo } from '../support/unzip.js';
import { chromiumMissing, inFreshPage, launchBrowser, screenshot } from './browser.js';
import { CLIENT, CLIENTS, INSTRUMENTS, RM, STAFF, US_CLIENT, US_RM } from './fixtures.js';

const MINUTE = 60_000;
/** Yesterday, to the minute: inside the period every screen shows by default. */
const T0 = Math.floor((Date.now() - 24 * 60 * MINUTE) / MINUTE) * MINUTE;
const at = (minutes: number) => new Date(T0 + minutes * MINUTE).toISOString();

const HK_CONVERSATION = 'conv-hk-chan';
const hk = (id: string, minute: number, text: string, fromRm = false) =>
  message({
    conversationId: HK_CONVERSATION,
    conversationTitle: 'Chan Tai Man',
    platformMessageId: id,
    sentAt: at(minute),
    text,
    sender: fromRm ? RM : CLIENT,
    senderName: fromRm ? 'RM Wong' : 'Client Chan',
    recipients: [fromRm ? CLIENT : RM],
    account: RM,
    direction: fromRm ? 'outbound' : 'inbound',
  });

const MESSAGES = [
  hk('m1', 0, 'buy 10k 700 @352'),
  hk('m2', 1, 'Noted: buy 10,000 0700.HK (Tencent) at 352', true),
  hk('m3', 10, 'Buy 2000 HSBC at market please'),
  hk('m4', 20, 'sell 400 HSBC at 61'),
  message({
    conversationId: 'conv-us-ho',
    platformMessageId: 'u1',
    sentAt: at(30),
    sender: US_CLIENT,
    senderName: 'Client Ho',
    recipients: [US_RM],
    account: US_RM,
    direction: 'inbound',
    text: 'Sell 800 HSBC at market',
  }),
];

/** Tencent entered four minutes after the chat and filled; the HSBC sale entered twelve minutes after (late); the HSBC buy never. */
const FIRM_ORDERS = `order_id,account,symbol,side,quantity,order_type,limit_price,entered_at,channel,status
F-1,ACC-001,0700.HK,buy,10000,limit,352,${at(4)},IM,filled
F-2,ACC-001,0005.HK,sell,400,limit,61,${at(32)},IM,new
`;
const EXECUTIONS = `exec_id,order_id,account,symbol,side,quantity,price,executed_at
X-1,F-1,ACC-001,0700.HK,buy,10000,352,${at(5)}
`;

/** How the order page names each field it marks. */
const FIELD_NAMES: Record<string, string> = {
  action: 'action',
  side: 'side',
  symbol: 'symbol',
  quantity: 'quantity',
  orderType: 'order type',
  limitPrice: 'limit price',
  timeInForce: 'time in force',
};

interface Trail {
  order: { id: string; spans: Record<string, [number, number]> };
  text: string;
  acknowledgement: { text: string };
}

describe.skipIf(chromiumMissing !== null)(chromiumMissing ?? `the console's screens in Chromium on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let server: ServerProcess;
  let browser: Browser;
  let verifierKey = '';
  let admin: ConsoleClient;
  let reviewer: ConsoleClient;

  beforeAll(async () => {
    backend = await createTestBackend();
    const steno = await openSteno(backend.config(), { createKey: true });
    try {
      await steno.directory.importCsv('staff', STAFF, { file: 'staff.csv', by: 'test' });
      await steno.directory.importCsv('client', CLIENTS, { file: 'clients.csv', by: 'test' });
      await steno.instruments.importCsv(INSTRUMENTS, { file: 'instruments.csv', by: 'test' });
      await steno.ingest.ingest(steno.ingest.validate(MESSAGES, (i) => `[${i}]`));
      for (const [format, text, file] of [
        ['orders-csv', FIRM_ORDERS, 'orders.csv'],
        ['executions-csv', EXECUTIONS, 'executions.csv'],
      ] as const) {
        await steno.activity.importFile({ format, data: Buffer.from(text), file, by: 'test' });
      }
      await steno.accounts.create({ username: 'ada', role: 'admin', password: PASSWORD });
      await steno.accounts.create({ username: 'rita', role: 'reviewer', desks: ['HK Equities'], password: PASSWORD });
      verifierKey = steno.verifierKey;
    } finally {
      await steno.close();
    }
    server = await startServer(backend.env);
    admin = new ConsoleClient(server.base);
    await admin.signIn('ada', PASSWORD);
    reviewer = new ConsoleClient(server.base);
    await reviewer.signIn('rita', PASSWORD);
    // Once started, the server reads the archived messages for orders, then runs the rules, which
    // records the default policy.
    await until('the orders read and the default policy recorded', async () => {
      const { orders } = await reviewer.json<{ orders: unknown[] }>('GET', '/api/v1/orders');
      const policy = await admin.call('GET', '/api/v1/policy');
      return orders.length === 3 && policy.status === 200 ? true : undefined;
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) await killHard(server);
    await backend?.cleanup();
  });

  const asAdmin = (test: (page: Page) => Promise<void>) => inFreshPage(browser, server.base, test, admin.cookie!);
  const asReviewer = (test: (page: Page) => Promise<void>) => inFreshPage(browser, server.base, test, reviewer.cookie!);

  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** The text of the description (<dd>) of a term on the page. */
  const fact = (page: Page, term: string) =>
    page
      .locator('dt', { hasText: new RegExp(`^${term}$`) })
      .locator('+ dd')
      .textContent();

  it('an admin lands on the dashboard, looks people up in the directory, and changes the policy once it is right', async () => {
    await asAdmin(async (page) => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      expect(await fact(page, 'Last full verification')).toBe('Never verified: run steno verify.');
      await page.getByText('Message and alert figures are shown to the roles that read messages.').waitFor();
      await screenshot(page, 'dashboard-admin');

      await page.getByRole('link', { name: 'Directory', exact: true }).click();
      await page.getByRole('heading', { name: 'Directory' }).waitFor();
      const staff = page.getByRole('table', { name: 'Staff' });
      const clients = page.getByRole('table', { name: 'Clients' });
      await staff.getByRole('row', { name: /Wong Ka Ho/ }).waitFor();
      expect(await staff.getByRole('row', { name: /Wong Ka Ho/ }).textContent()).toContain('HK Equities');
      expect(await clients.getByRole('row', { name: /Chan Tai Man/ }).textContent()).toContain('video call');
      await page.getByRole('searchbox', { name: 'Filter' }).fill('acc-002');
      await page.getByRole('status').filter({ hasText: '0 of 2 staff, 1 of 2 clients' }).waitFor();
      expect(await clients.locator('tbody tr').allTextContents()).toEqual([expect.stringContaining('Ho Siu Ling')]);
      await page.getByText('No staff match.').waitFor();
      await screenshot(page, 'directory');

      await page.getByRole('link', { name: 'Policy', exact: true }).click();
      await page.getByRole('heading', { name: 'Policy' }).waitFor();
      expect(await page.locator('pre.json').textContent()).toContain('"off_channel"');
      await page.getByText('Change the policy').click();
      const editor = page.getByLabel('Policy (JSON)');
      const save = page.getByRole('button', { name: 'Save' });

      await editor.fill('{"rules": ');
      await save.click();
      await page.getByRole('alert').filter({ hasText: 'The policy is not valid JSON' }).waitFor();

      await editor.fill(JSON.stringify({ rules: { off_channel: { severity: 'extreme' } }, colour: 'blue' }));
      await save.click();
      const problems = page.getByRole('alert').locator('li');
      await problems.first().waitFor();
      expect(await problems.allTextContents()).toEqual(
        expect.arrayContaining([
          'PUT /api/v1/policy.colour: is not a policy setting (rules, thresholds)',
          'PUT /api/v1/policy.rules.off_channel.severity: must be one of low, medium, high, critical',
        ]),
      );
      await screenshot(page, 'policy-problems');

      await editor.fill(JSON.stringify({ rules: { off_channel: { severity: 'high' } } }));
      await save.click();
      await page
        .getByRole('status')
        .filter({ hasText: /^Saved: the policy in force is now version \d+\.$/ })
        .waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(await fact(page, 'By')).toBe('user:ada');
      await screenshot(page, 'policy');
    });
    const { policy } = await admin.json<{ policy: { rules: Record<string, { severity: string; enabled: boolean }> } }>(
      'GET',
      '/api/v1/policy',
    );
    expect(policy.rules.off_channel).toEqual({ enabled: true, severity: 'high' });
  });

  it("a reviewer lands on their desk's dashboard, and sees the ledger verified once steno verify has run", async () => {
    const verified = await runSteno(['verify'], backend.env);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    await asReviewer(async (page) => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      // Four messages of the reviewer's desk; the US desk's is not counted.
      await page
        .getByRole('img', { name: 'Messages per day by platform, last 30 days (UTC): 4 messages in all' })
        .waitFor();
      const figures = page.getByRole('table', { name: 'Messages per day by platform, last 30 days (UTC)' });
      expect(await figures.locator('tbody tr').count()).toBe(30);
      expect(await figures.locator('thead').textContent()).toContain('whatsapp');
      expect(await fact(page, 'Last full verification')).toMatch(/^OK .+: \d+ records checked, 0 problems$/);
      await page.getByRole('img', { name: /^Alerts not closed, by age: / }).waitFor();
      await screenshot(page, 'dashboard');

      await page.getByLabel('Period').selectOption('7');
      await page.getByRole('img', { name: /^Messages per day by platform, last 7 days/ }).waitFor();
    });
  });

  it('a reviewer reconciles the last 30 days: an order entered late, one never entered, and how long entry took', async () => {
    await asReviewer(async (page) => {
      await page.goto('/#/reconciliation');
      await page.getByRole('heading', { name: 'Reconciliation' }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: /^2 exceptions from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\.$/ })
        .waitFor();
      const count = (table: string, row: string) =>
        page.getByRole('table', { name: table }).getByRole('row', { name: row }).getByRole('cell').textContent();
      expect(await count('Exceptions by type', 'late entry')).toBe('1');
      expect(await count('Exceptions by type', 'unentered order')).toBe('1');
      // The US desk's order that was never entered is not the reviewer's to see.
      expect(await count('Exceptions by desk', 'HK Equities')).toBe('2');
      expect(await page.getByRole('table', { name: 'Exceptions by desk' }).locator('tbody tr').count()).toBe(1);

      await page
        .getByRole('img', { name: /^Matched orders by how long entry took after the chat: 2 orders/ })
        .waitFor();
      const histogram = page.getByRole('table', { name: 'Matched orders by how long entry took after the chat' });
      expect(await histogram.getByRole('row', { name: '2 to 5 min' }).getByRole('cell').textContent()).toBe('1');
      expect(await histogram.getByRole('row', { name: '10 to 15 min' }).getByRole('cell').textContent()).toBe('1');
      expect(await fact(page, 'Slowest')).toBe('12 min');

      const late = page.locator('tbody tr', { hasText: 'late entry' });
      expect(await late.getByRole('link', { name: HK_CONVERSATION }).getAttribute('href')).toMatch(
        new RegExp(`^#/conversations/${HK_CONVERSATION}\\?at=\\d+$`),
      );
      expect(await late.getByRole('cell', { name: 'F-2' }).count()).toBe(1);
      await screenshot(page, 'reconciliation');

      await late.getByRole('link', { name: /^\d+\.0$/ }).click();
      await page.getByRole('heading', { name: 'Order: SELL 400 0005.HK limit 61' }).waitFor();

      // Without a security master the server answers 409: the page says why.
      await page.route('**/api/v1/reconciliation?*', (route) =>
        route.fulfill({
          status: 409,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'conflict', message: NO_MASTER } }),
        }),
      );
      await page.goBack();
      await page.getByRole('heading', { name: 'Reconciliation' }).waitFor();
      await page.getByRole('alert').filter({ hasText: NO_MASTER }).waitFor();
    });
  });

  it("a reviewer filters the orders and reads one's trail: the words marked, the firm order and its fill, the confirmation", async () => {
    await asReviewer(async (page) => {
      await page.goto('/');
      await page.getByRole('link', { name: 'Orders', exact: true }).click();
      await page.getByRole('heading', { name: 'Orders' }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: /^3 orders$/ })
        .waitFor();
      await screenshot(page, 'orders');

      await page.getByLabel('Symbol').fill('700');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^1 order$/ })
        .waitFor();
      await page.getByRole('link', { name: 'BUY 10,000 0700.HK limit 352' }).click();
      await page.getByRole('heading', { name: 'Order: BUY 10,000 0700.HK limit 352' }).waitFor();

      const orderId = decodeURIComponent(new URL(page.url()).hash.replace('#/orders/', ''));
      const trail = await reviewer.json<Trail>('GET', `/api/v1/orders/${orderId}/trail`);
      const [start, end] = trail.order.spans.symbol!;
      expect(trail.text.slice(start, end)).toBe('700');
      // Each field's words are marked, titled with the field (fields read from the same words share a
      // mark), and named to screen readers after the mark.
      const text = page.locator('.order-text');
      const marks = await text
        .locator('mark')
        .evaluateAll((elements) =>
          elements.map((e) => ({ words: e.textContent, fields: e.getAttribute('title')?.split(', ') })),
        );
      for (const [field, [from, to]] of Object.entries(trail.order.spans)) {
        expect(marks).toContainEqual({
          words: trail.text.slice(from, to),
          fields: expect.arrayContaining([FIELD_NAMES[field]]),
        });
      }
      expect(await text.textContent()).toContain('700 (symbol)');

      await page.getByRole('heading', { name: 'Firm order F-1' }).waitFor();
      expect(await fact(page, 'Entered')).toMatch(/, 4 min after the message$/);
      expect(
        await page.getByRole('table', { name: 'Fills' }).getByRole('row', { name: /X-1/ }).textContent(),
      ).toContain('10,000');
      const confirmation = page.getByRole('region', { name: 'Confirmation to send the client' });
      expect(await confirmation.locator('blockquote').textContent()).toBe(trail.acknowledgement.text);
      expect(trail.acknowledgement.text).toContain('0700.HK');
      await screenshot(page, 'order');

      // From the order to its message in the conversation, and back by the order's link there.
      await page.getByRole('link', { name: 'Open the conversation at this message' }).click();
      await page.getByRole('heading', { name: 'Chan Tai Man' }).waitFor();
      await page.locator('.bubble-row--target .orders a').click();
      await page.getByRole('heading', { name: 'Order: BUY 10,000 0700.HK limit 352' }).waitFor();
    });
  });

  it("a reviewer exports a search's results, and the downloaded package verifies offline", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steno-e2e-export-'));
    try {
      await asReviewer(async (page) => {
        await page.goto('/#/search');
        await page.getByRole('searchbox', { name: 'Search messages' }).fill('HSBC');
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByRole('status').filter({ hasText: '2 results for “HSBC”' }).waitFor();
        await page.getByRole('link', { name: 'Export these results' }).click();

        await page.getByRole('heading', { name: 'Evidence export' }).waitFor();
        expect(await page.getByLabel('Search words').inputValue()).toBe('HSBC');
        await page.getByLabel('Desk').selectOption('HK Equities');
        await page.getByRole('button', { name: 'Preview' }).click();
        const previewed = page.getByTestId('preview-messages');
        await previewed.waitFor();
        const messages = Number((await previewed.textContent())?.replace(/\D/g, ''));
        expect(messages).toBe(2);
        await screenshot(page, 'export');

        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download package' }).click(),
        ]);
        expect(download.suggestedFilename()).toMatch(/^steno-evidence-.+\.zip$/);
        const zip = join(dir, download.suggestedFilename());
        await download.saveAs(zip);
        await page
          .getByRole('status')
          .filter({ hasText: `Downloaded ${download.suggestedFilename()}` })
          .waitFor();

        const folder = join(dir, 'package');
        await unzipTo(await readFile(zip), folder);
        const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as { records: number };
        expect(manifest.records).toBe(messages);
        const content = await readFile(join(folder, 'content.jsonl'), 'utf8');
        expect(content).toContain('sell 400 HSBC at 61');
        expect(content).not.toContain('Sell 800 HSBC');
        const verified = await runSteno(['verify-package', folder, '--key', verifierKey], {});
        expect(verified.code, verified.stdout + verified.stderr).toBe(0);
        expect(verified.stdout).toContain('OK');
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a reviewer changes their password and enrols an authenticator on the account page', async () => {
    const next = 'another passphrase, longer still';
    let secret = '';
    await asReviewer(async (page) => {
      await page.goto('/');
      await page.getByRole('link', { name: 'rita (your account)' }).click();
      await page.getByRole('heading', { name: 'Your account' }).waitFor();

      await page.getByLabel('Current password').fill('not my password at all');
      await page.getByLabel('New password', { exact: true }).fill(next);
      await page.getByLabel('New password again').fill(next);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('alert').filter({ hasText: 'the current password is wrong' }).waitFor();
      await page.getByLabel('Current password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('status').filter({ hasText: 'Your password was changed.' }).waitFor();

      await page.getByRole('button', { name: 'Create a secret' }).click();
      secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      await page.getByLabel('Six-digit code').fill(totpCode(secret, Date.now()));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('status').filter({ hasText: 'Your authenticator is enrolled' }).waitFor();
      await screenshot(page, 'account');
    });
    // A sign-in now takes the new password, then asks for a code.
    const signIn = async (password: string) =>
      new ConsoleClient(server.base).call('POST', '/api/v1/session', { username: 'rita', password });
    expect((await signIn(NEW_PASSWORD)).status).toBe(401);
    const accepted = await signIn(next);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ stage: 'totp' });
    const { users } = await admin.json<{ users: { username: string; totpEnrolled: boolean }[] }>(
      'GET',
      '/api/v1/users',
    );
    expect(users.find((u) => u.username === 'rita')?.totpEnrolled).toBe(true);
  });
});
