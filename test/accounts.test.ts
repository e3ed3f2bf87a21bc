/** Accounts and sessions over time, on a real store: idle and absolute session limits, and lockout expiry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountService } from '../src/auth/accounts.js';
import { totpCode } from '../src/auth/totp.js';
import { openSteno, type Steno } from '../src/context.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { PASSWORD } from './support/console.js';

const MINUTE = 60_000;

describe(`accounts over time on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;
  let clock = Date.parse('2026-11-21T09:00:00Z');
  let accounts: AccountService;

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno(backend.config(), { createKey: true });
    accounts = new AccountService(steno.store, { now: () => clock });
    await accounts.create({ username: 'ivy', role: 'auditor', password: PASSWORD });
  });
  afterAll(async () => {
    await steno?.close();
    await backend?.cleanup();
  });

  it('ends a session after 30 minutes idle', async () => {
    const { token } = await accounts.signIn({ username: 'ivy', password: PASSWORD, from: 'test' });
    clock += 29 * MINUTE;
    expect(await accounts.session(token)).not.toBeNull();
    // That use moved the idle limit on.
    clock += 29 * MINUTE;
    expect(await accounts.session(token)).not.toBeNull();
    clock += 31 * MINUTE;
    expect(await accounts.session(token)).toBeNull();
    expect(await accounts.session(token)).toBeNull();
  });

  it('ends a session after 12 hours however busy', async () => {
    const { token } = await accounts.signIn({ username: 'ivy', password: PASSWORD, from: 'test' });
    for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
      clock += 20 * MINUTE;
      expect(await accounts.session(token)).not.toBeNull();
    }
    clock += 40 * MINUTE;
    expect(await accounts.session(token)).toBeNull();
  });

  it('counts wrong TOTP codes toward the lockout, and refuses codes once locked', async () => {
    await accounts.create({ username: 'tom', role: 'auditor', password: PASSWORD });
    const { user } = (await steno.store.findUser('tom'))!;
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await steno.store.updateUser({ ...user, totpSecret: secret, mustChangePassword: false }, 1);
    const { active } = await accounts.signIn({ username: 'tom', password: PASSWORD, from: 'test' });
    expect(active.stage).toBe('totp');
    const right = totpCode(secret, clock);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await expect(accounts.passTotp(active, wrong)).rejects.toThrow('code is wrong');
    await expect(accounts.passTotp(active, right)).rejects.toThrow('locked');
    expect((await accounts.get('tom')).locked).toBe(true);
  });

  it('unlocks an account 15 minutes after the fifth failure, and counts failures afresh', async () => {
    for (let i = 0; i < 5; i++) {
      await expect(accounts.signIn({ username: 'ivy', password: 'wrong password!', from: 'test' })).rejects.toThrow(
        'wrong',
      );
    }
    await expect(accounts.signIn({ username: 'ivy', password: PASSWORD, from: 'test' })).rejects.toThrow('locked');
    expect((await accounts.get('ivy')).locked).toBe(true);
    clock += 15 * MINUTE;
    expect((await accounts.get('ivy')).locked).toBe(false);
    const { active } = await accounts.signIn({ username: 'ivy', password: PASSWORD, from: 'test' });
    expect(active.stage).toBe('change-password');
    expect((await steno.store.findUser('ivy'))!.user.failedSignIns).toBe(0);
  });
});
