/**
 * The review console in a real browser against a real `steno serve` (STENO_TEST_DB): the first admin's
 * sign-in with TOTP enrolment, accounts and tokens, search in English and Chinese, the conversation
 * view with hostile content, desks as information barriers, keyboard triage of alerts, the access log.
 * The tests run in order and build on each other, as a firm's first day would.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.js';
import { createTestBackend, TEST_DB, type TestBackend } from '../support/backend.js';
import { runSteno } from '../support/cli.js';
import { message } from '../support/messages.js';
import { killHard, type ServerProcess, startServer } from '../support/server.js';
import { chromiumMissing, inFreshPage, launchBrowser, screenshot } from './browser.js';
import { CLIENT, CLIENTS, INSTRUMENTS, RM, STAFF, US_CLIENT, US_RM } from './fixtures.js';

/** The navigation of the roles that read messages. */
const READER_SCREENS = [
  'Dashboard',
  'Search',
  'Alerts',
  'Orders',
  'Reconciliation',
  'Export',
  'Directory',
  'Policy',
] as const;
const HK_CONVERSATION = 'conv-hk-chan';
const US_CONVERSATION = 'conv-us-ho';
const SCRIPT_TEXT = '<script>window.__xss=1</script>';
const IMG_TEXT = '<img src=x onerror="window.__xss=1">';
/** A 1×1 PNG. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const at = (minute: number) => new Date(Date.parse('2026-05-04T09:00:00+08:00') + minute * 60_000).toISOString();
/** A message in the Hong Kong desk's conversation, from the client unless `fromRm`. */
const hk = (id: string, minute: number, text: string | undefined, extra: Record<string, unknown> = {}) => {
  const fromRm = extra.direction === 'outbound';
  return message({
    conversationId: HK_CONVERSATION,
    conversationTitle: 'Chan Tai Man',
    platformMessageId: id,
    sentAt: at(minute),
    text,
    sender: fromRm ? RM : CLIENT,
    senderName: fromRm ? 'RM Wong' : 'Client Chan',
    recipients: [fromRm ? CLIENT : RM],
    account: RM,
    direction: 'inbound',
    ...extra,
  });
};

const SEED = [
  hk('m1', 0, 'buy 10k 700 @352'),
  hk('m2', 1, 'Noted: buy 10,000 0700.HK (Tencent) at 352', { direction: 'outbound' }),
  hk('m3', 5, '幫我買騰訊 100手 @ 380'),
  hk('m4', 8, '沽出 0700 五百股'),
  hk('m5', 9, '沽出 0700 一千股', { kind: 'edit', refersTo: 'm4' }),
  hk('m6', 12, 'Buy 2000 HSBC at market please'),
  hk('m7', 13, undefined, { kind: 'delete', refersTo: 'm6' }),
  hk('m8', 15, SCRIPT_TEXT),
  hk('m9', 16, IMG_TEXT),
  hk('m10', 20, 'call me on my personal cell later'),
  hk('m11', 25, 'This one is guaranteed 20% return, no risk at all', { direction: 'outbound' }),
  hk('m12', 30, 'chart attached', {
    attachments: [{ filename: 'chart.png', contentType: 'image/png', data: PIXEL }],
  }),
  message({
    conversationId: US_CONVERSATION,
    platformMessageId: 'u1',
    sentAt: at(40),
    sender: US_CLIENT,
    senderName: 'Client Ho',
    recipients: [US_RM],
    account: US_RM,
    direction: 'inbound',
    text: 'Zebracorn: keep this off the record and delete it after',
  }),
];

interface Account {
  username: string;
  password: string;
  totpSecret?: string;
  /** The last TOTP time step used: a code works once. */
  lastStep?: number;
}

const STEP_MS = 30_000;

/** A code the server has not seen: this step's, or the next one's (one step of drift is allowed). */
async function nextCode(account: Account): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / STEP_MS);
    const step = Math.max(now, (account.lastStep ?? -1) + 1);
    if (step <= now + 1) {
      account.lastStep = step;
      return totpCode(account.totpSecret!, step * STEP_MS);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** `n` messages of one conversation in the reviewer's desk: every tenth an order, every fiftieth an edit of the one before. */
function longConversation(n: number) {
  const messages = [];
  for (let i = 0; i < n; i++) {
    const fromRm = i % 3 === 2;
    const kind = i % 50 === 49 ? 'edit' : 'message';
    messages.push({
      platform: 'whatsapp',
      conversationId: 'long-chat',
      sender: fromRm ? RM : CLIENT,
      recipients: [fromRm ? CLIENT : RM],
      sentAt: new Date(Date.parse('2026-05-04T01:00:00Z') + i * 1000).toISOString(),
      kind,
      platformMessageId: `long-${i}`,
      ...(kind === 'edit' ? { refersTo: `long-${i - 1}` } : {}),
      text: i % 10 === 0 ? 'buy 10k 700 @352' : `message ${i}: 騰訊 looks fine <b>not bold</b>`,
      direction: fromRm ? 'outbound' : 'inbound',
      account: RM,
    });
  }
  return messages;
}

describe.skipIf(chromiumMissing !== null)(chromiumMissing ?? `the review console in Chromium on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let server: ServerProcess;
  let browser: Browser;
  const admin: Account = { username: 'admin', password: 'the first password, from a file' };
  const reviewer: Account = { username: 'rita', password: '' };
  const supervisor: Account = { username: 'sam', password: '' };
  const auditor: Account = { username: 'audrey', password: '' };
  /** An API token (ingest and read) the admin creates in the console. */
  let token = '';

  beforeAll(async () => {
    backend = await createTestBackend();
    const file = async (name: string, text: string) => {
      const path = join(backend.dataDir, name);
      await writeFile(path, text);
      return path;
    };
    for (const args of [
      ['directory', 'import', 'staff', await file('staff.csv', STAFF)],
      ['directory', 'import', 'clients', await file('clients.csv', CLIENTS)],
      ['instruments', 'import', await file('instruments.csv', INSTRUMENTS)],
    ]) {
      const result = await runSteno([...args, '--data', backend.dataDir], backend.env);
      expect(result.code, result.stderr).toBe(0);
    }
    const passwordFile = await file('admin-password', `${admin.password}\n`);
    server = await startServer({ ...backend.env, STENO_ADMIN_PASSWORD_FILE: passwordFile });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) await killHard(server);
    await backend?.cleanup();
  });

  const inBrowser = (test: (page: Page) => Promise<void>) => inFreshPage(browser, server.base, test);

  async function signIn(page: Page, account: Account): Promise<void> {
    await page.goto('/');
    await page.getByLabel('Username').fill(account.username);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (account.totpSecret !== undefined) {
      await page.getByRole('heading', { name: 'Two-factor code' }).waitFor();
      await page.getByLabel('Six-digit code').fill(await nextCode(account));
      await page.getByRole('button', { name: 'Continue' }).click();
    }
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
  }

  /** The first sign-in of an account the admin created: the one-time password is replaced. */
  async function firstSignIn(page: Page, account: Account): Promise<void> {
    const oneTime = account.password;
    await page.goto('/');
    await page.getByLabel('Username').fill(account.username);
    await page.getByLabel('Password', { exact: true }).fill(oneTime);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a password' }).waitFor();
    account.password = 'a long password of my own choosing';
    await page.getByLabel('One-time password').fill(oneTime);
    await page.getByLabel('New password', { exact: true }).fill(account.password);
    await page.getByLabel('New password again').fill(account.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
  }

  const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

  /** The API as a machine calls it, with the admin's token. */
  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${server.base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('the first admin replaces the password from the file, enrols an authenticator, creates an API token and revokes another', async () => {
    await inBrowser(async (page) => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Sign in to Steno' }).waitFor();
      await screenshot(page, 'sign-in');
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();

      await page.getByLabel('Password', { exact: true }).fill(admin.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Choose a password' }).waitFor();
      const first = admin.password;
      admin.password = 'a passphrase of her own choosing';
      await page.getByLabel('One-time password').fill(first);
      await page.getByLabel('New password', { exact: true }).fill(admin.password);
      await page.getByLabel('New password again').fill(admin.password);
      await page.getByRole('button', { name: 'Change password' }).click();

      await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
      await page.getByRole('button', { name: 'Create a secret' }).click();
      admin.totpSecret = (await page.getByTestId('totp-secret').textContent()) ?? '';
      expect(admin.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await page.getByTestId('totp-uri').textContent()).toMatch(/^otpauth:\/\/totp\//);
      await screenshot(page, 'enrol-totp');
      await page.getByLabel('Six-digit code').fill(await nextCode(admin));
      await page.getByRole('button', { name: 'Confirm' }).click();

      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      expect(await navLinks(page)).toEqual(['Dashboard', 'Directory', 'Policy', 'Admin']);

      await page.getByRole('link', { name: 'Admin', exact: true }).click();
      await page.getByRole('link', { name: 'API tokens' }).click();
      await page.getByText('Create a token').click();
      await page.getByLabel('Name', { exact: true }).fill('e2e-seed');
      await page.getByLabel(/^read:/).check();
      await page.getByRole('button', { name: 'Create token' }).click();
      token = (await page.getByTestId('one-time-secret').textContent()) ?? '';
      expect(token.length).toBeGreaterThan(20);
      await page.getByRole('row', { name: /e2e-seed/ }).waitFor();

      // A token revoked in the console stops working at once.
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByLabel('Name', { exact: true }).fill('e2e-spare');
      await page.getByRole('button', { name: 'Create token' }).click();
      const spare = (await page.getByTestId('one-time-secret').textContent()) ?? '';
      const spareRow = page.getByRole('row', { name: /e2e-spare/ });
      await spareRow.getByRole('button', { name: 'Revoke…' }).click();
      await spareRow.getByRole('button', { name: 'Revoke e2e-spare' }).click();
      await page.getByRole('status').filter({ hasText: 'Token e2e-spare revoked.' }).waitFor();
      const refused = await fetch(`${server.base}/api/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${spare}`, 'content-type': 'application/json' },
        body: JSON.stringify(SEED[0]),
      });
      expect(refused.status).toBe(401);
      await screenshot(page, 'admin-tokens');
    });
  });

  it('the admin signs in again with a code, creates a reviewer, a supervisor and an auditor, resets one and disables another', async () => {
    await inBrowser(async (page) => {
      await signIn(page, admin);
      await page.getByRole('link', { name: 'Admin', exact: true }).click();
      await page.getByRole('heading', { name: 'Administration' }).waitFor();
      const create = async (account: Account, role: string, desk: string | null) => {
        const details = page.locator('details', { hasText: 'Create a user' });
        if ((await details.getAttribute('open')) === null) await page.getByText('Create a user').click();
        await details.getByLabel('Username').fill(account.username);
        await details.getByLabel('Role').selectOption(role);
        if (desk !== null) await details.getByLabel(desk).check();
        await details.getByRole('button', { name: 'Create user' }).click();
        await page.getByRole('region', { name: `One-time password for ${account.username}` }).waitFor();
        account.password = (await page.getByTestId('one-time-secret').textContent()) ?? '';
        expect(account.password.length).toBeGreaterThanOrEqual(12);
        await page.getByRole('button', { name: 'Done' }).click();
      };
      await create(reviewer, 'reviewer', 'HK Equities');
      await create(supervisor, 'supervisor', 'HK Equities');
      await create(auditor, 'auditor', null);
      const rita = page.getByRole('row', { name: /rita/ });
      expect(await rita.textContent()).toContain('HK Equities');

      // A reset shows a new one-time password; the old one no longer works.
      await rita.getByRole('button', { name: 'Reset…' }).click();
      await rita.getByRole('button', { name: 'Reset rita' }).click();
      await page.getByRole('region', { name: 'One-time password for rita' }).waitFor();
      const reset = (await page.getByTestId('one-time-secret').textContent()) ?? '';
      expect(reset).not.toBe(reviewer.password);
      reviewer.password = reset;
      await page.getByRole('button', { name: 'Done' }).click();

      // Disabling and enabling again.
      const audrey = page.getByRole('row', { name: /audrey/ });
      await audrey.getByRole('button', { name: 'Disable audrey' }).click();
      await audrey.getByRole('cell', { name: 'disabled', exact: true }).waitFor();
      await audrey.getByRole('button', { name: 'Enable audrey' }).click();
      await audrey.getByRole('cell', { name: 'active', exact: true }).waitFor();
      expect(await page.getByRole('row', { name: /audrey/ }).textContent()).toContain('auditor');
      await screenshot(page, 'admin-users');
    });
  });

  it('messages archived through the API with that token are read for orders and alerts', async () => {
    const stored = await api('/api/v1/messages', { method: 'POST', body: JSON.stringify(SEED) });
    expect(stored.status).toBe(201);
    await until('the orders of the Hong Kong conversation', async () => {
      const { body } = await api<{ orders: unknown[] }>(`/api/v1/orders?conversation=${HK_CONVERSATION}`);
      return body.orders.length >= 3 ? body.orders : undefined;
    });
    await until('alerts in both desks', async () => {
      const { body } = await api<{ alerts: { type: string }[] }>('/api/v1/alerts');
      const types = new Set(body.alerts.map((a) => a.type));
      return types.has('off_channel') && types.has('return_guarantee') && types.has('off_record') ? types : undefined;
    });
  });

  it('a reviewer chooses a password, searches in English and Chinese, and sees the matches marked', async () => {
    await inBrowser(async (page) => {
      await firstSignIn(page, reviewer);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      expect(await navLinks(page)).toEqual([...READER_SCREENS]);
      await page.getByRole('link', { name: 'Search', exact: true }).click();
      const search = async (query: string) => {
        await page.getByRole('searchbox', { name: 'Search messages' }).fill(query);
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `for “${query}”` })
          .waitFor();
      };
      await search('hsbc');
      const marks = await page.locator('.results mark').allTextContents();
      expect(marks.map((m) => m.toLowerCase())).toContain('hsbc');
      await search('騰訊');
      expect(await page.locator('.results mark').allTextContents()).toContain('騰訊');
      expect(await page.locator('.result-text').first().textContent()).toContain('幫我買騰訊');
      await screenshot(page, 'search');
      // The US desk's conversation is not the reviewer's to find.
      await search('Zebracorn');
      expect(await page.getByRole('status').textContent()).toBe('0 results for “Zebracorn”');

      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in to Steno' }).waitFor();
    });
  });

  it('a conversation shows who said what, edits and deletions on the original, orders, an image, and hostile text as text', async () => {
    await inBrowser(async (page) => {
      await signIn(page, reviewer);
      await page.getByRole('link', { name: 'Search', exact: true }).click();
      await page.getByRole('searchbox', { name: 'Search messages' }).fill('tencent');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.locator('.result a', { hasText: 'Chan Tai Man' }).first().click();
      await page.getByRole('heading', { name: 'Chan Tai Man' }).waitFor();
      await page.locator('.bubble-row').first().waitFor();

      // The firm's side on the right, the client's on the left, each named by the directory.
      const firm = page.locator('.bubble-row--firm', { hasText: 'Noted: buy 10,000' });
      expect(await firm.textContent()).toContain('Wong Ka Ho');
      const client = page.locator('.bubble-row--other', { hasText: 'buy 10k 700 @352' });
      expect(await client.textContent()).toContain('Chan Tai Man');

      // The order is marked in the text and listed.
      expect(await client.locator('mark.order-span').count()).toBeGreaterThan(0);
      expect(await client.locator('.orders li').first().textContent()).toContain('BUY 10,000 0700.HK');
      expect(await client.locator('.orders li a').first().getAttribute('href')).toMatch(/^#\/orders\/\d+\.0$/);

      // An edit shows both texts on the original; a deletion keeps the text.
      const edited = page.locator('.bubble-row', { hasText: '沽出 0700 五百股' });
      expect(await edited.textContent()).toContain('沽出 0700 一千股');
      expect(await edited.locator('.tag', { hasText: 'edited' }).count()).toBe(1);
      const deleted = page.locator('.bubble-row', { hasText: 'Buy 2000 HSBC at market please' });
      expect(await deleted.locator('.tag', { hasText: 'deleted' }).count()).toBe(1);

      // Hostile text is text: nothing ran, no element was made from it.
      await page.getByText(SCRIPT_TEXT, { exact: true }).waitFor();
      await page.getByText(IMG_TEXT, { exact: true }).waitFor();
      expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
      expect(await page.locator('img[src="x"]').count()).toBe(0);

      // The image attachment is served to the reviewer and shown.
      const image = page.locator('img.attachment-image');
      await image.waitFor();
      await until('the image to load', async () =>
        (await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) === 1
          ? true
          : undefined,
      );

      // Each record links to its inclusion proof, which the session may fetch.
      const proof = await client.locator('a.proof').getAttribute('href');
      expect(proof).toMatch(/^\/api\/v1\/proof\/inclusion\?index=\d+$/);
      const answer = await page.request.get(proof!);
      expect(answer.status()).toBe(200);
      expect(await answer.json()).toMatchObject({ index: Number(proof!.split('=')[1]) });
      await screenshot(page, 'conversation');
    });
  });

  it('a conversation of 5,000 messages arrives whole and renders every message (its time is a bench figure)', async () => {
    const messages = longConversation(5000);
    for (let i = 0; i < messages.length; i += 1000) {
      const stored = await api('/api/v1/messages', {
        method: 'POST',
        body: JSON.stringify(messages.slice(i, i + 1000)),
      });
      expect(stored.status).toBe(201);
    }
    await inBrowser(async (page) => {
      await signIn(page, reviewer);
      await page.goto(`${server.base}/#/conversations/long-chat`);
      await page
        .locator('.bubble-row')
        .nth(4999 - 100)
        .waitFor({ state: 'attached', timeout: 30_000 });
      // Every fiftieth message is an edit of the one before: it is shown on its original, not as a bubble.
      expect(await page.locator('.bubble-row').count()).toBe(4900);
      expect(await page.getByText('message 4998:', { exact: false }).count()).toBeGreaterThan(0);
      await screenshot(page, 'conversation-long');
    });
  });

  it("a conversation outside the reviewer's desks is not found", async () => {
    await inBrowser(async (page) => {
      await signIn(page, reviewer);
      await page.goto(`/#/conversations/${US_CONVERSATION}`);
      await page.getByRole('heading', { name: 'Conversation not found' }).waitFor();
      expect(await page.getByText('Zebracorn').count()).toBe(0);
      expect((await page.request.get(`/api/v1/conversations/${US_CONVERSATION}`)).status()).toBe(404);
    });
  });

  it('a supervisor works an alert from the keyboard: j and k to move, a to assign, e to escalate, c to close', async () => {
    await inBrowser(async (page) => {
      await firstSignIn(page, supervisor);
      await page.getByRole('link', { name: 'Alerts' }).click();
      await page.getByRole('heading', { name: 'Alerts' }).waitFor();
      const rows = page.locator('.alert-table tbody tr');
      await rows.first().waitFor();
      const types = await page.locator('.alert-table tbody .row-select').allTextContents();
      expect(types).toContain('off channel');
      expect(types).not.toContain('off record');
      expect(await page.locator('.shortcuts').textContent()).toMatch(/j.*k.*a.*assign.*e.*escalate.*c.*close/);

      // Focus follows the selection: the selected row's button is the one in the tab order.
      const current = (row: number) => rows.nth(row).locator('[aria-current="true"]').waitFor();
      await current(0);
      await page.keyboard.press('j');
      await current(1);
      await page.keyboard.press('k');
      await current(0);
      const selected = page.locator('.alert-table tbody tr.selected');
      const state = (name: string) =>
        selected
          .locator('td')
          .nth(2)
          .filter({ hasText: new RegExp(`^${name}$`) })
          .waitFor();

      await page.keyboard.press('a');
      const assignee = page.getByLabel('Assign to (empty to unassign)');
      expect(await assignee.inputValue()).toBe('sam');
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'assigned to sam' }).waitFor();
      await selected.locator('td').nth(3).filter({ hasText: /^sam$/ }).waitFor();

      await page.keyboard.press('e');
      await state('escalated');

      await page.keyboard.press('c');
      await page.getByLabel('Why is it closed?').fill('Reviewed: the client was asked to keep to recorded lines.');
      await page.keyboard.press('Enter');
      await state('closed');
      await screenshot(page, 'alerts');

      // What the keys did is in the ledger, under the supervisor's name.
      expect(await page.locator('.alert-detail .history').textContent()).toContain('user:sam');
      const { body } = await api<{ alerts: { state: string; assignee: string | null; history: { by: string }[] }[] }>(
        '/api/v1/alerts?state=closed',
      );
      expect(body.alerts).toHaveLength(1);
      expect(body.alerts[0]).toMatchObject({ state: 'closed', assignee: 'sam' });
      expect(body.alerts[0]!.history.filter((h) => h.by === 'user:sam')).toHaveLength(3);
    });
  });

  it('an auditor reads the access log: who searched and viewed what', async () => {
    await inBrowser(async (page) => {
      await firstSignIn(page, auditor);
      expect(await navLinks(page)).toEqual([...READER_SCREENS, 'Audit']);
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.getByRole('heading', { name: 'Access log' }).waitFor();
      await page.locator('table.audit tbody tr').first().waitFor();
      const actions = await page.locator('table.audit tbody tr td:nth-child(4)').allTextContents();
      expect(actions).toEqual(expect.arrayContaining(['search', 'conversation.view']));

      await page.getByLabel('Actor').fill('user:rita');
      await page.getByRole('button', { name: 'Filter' }).click();
      // The table is the filtered one once every row is Rita's.
      const actors = page.locator('table.audit tbody td:nth-child(3)');
      await until('the log filtered by actor', async () => {
        const shown = await actors.allTextContents();
        return shown.length > 0 && shown.every((actor) => actor === 'user:rita') ? shown : undefined;
      });
      expect(await page.getByRole('link', { name: /Download/ }).getAttribute('href')).toBe('/api/v1/audit/export');
      await screenshot(page, 'audit');
    });
  });
});
