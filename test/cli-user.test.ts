/** The console's accounts from the command line and on first start, as an operator meets them. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';
import { ConsoleClient } from './support/console.js';
import { killHard, type ServerProcess, startServer } from './support/server.js';

describe(`steno user, and the first admin, on ${TEST_DB}`, () => {
  let backend: TestBackend | undefined;
  let server: ServerProcess | undefined;
  afterEach(async () => {
    if (server !== undefined) await killHard(server);
    server = undefined;
    await backend?.cleanup();
  });

  it('creates the first admin on first start with a one-time password printed once', async () => {
    backend = await createTestBackend();
    server = await startServer(backend.env);
    await new Promise((r) => setTimeout(r, 200));
    const password = /first user, admin, with the one-time password (\S+)/.exec(server.output())?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const client = new ConsoleClient(server.base);
    const session = await client.json<{ stage: string; user: { role: string } }>('POST', '/api/v1/session', {
      username: 'admin',
      password,
    });
    expect(session).toMatchObject({ stage: 'change-password', user: { role: 'admin' } });
    await killHard(server);
    // A second start creates no one and prints no password.
    server = await startServer(backend.env);
    await new Promise((r) => setTimeout(r, 200));
    expect(server.output()).not.toContain('one-time password');
  });

  it('takes the first admin password from STENO_ADMIN_PASSWORD_FILE, and says so when it cannot read it', async () => {
    backend = await createTestBackend();
    const missing = await runSteno(['serve', '--port', '0'], {
      ...backend.env,
      STENO_ADMIN_PASSWORD_FILE: join(backend.dataDir, 'nope.txt'),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('STENO_ADMIN_PASSWORD_FILE');
    const weakFile = join(backend.dataDir, 'weak.txt');
    await writeFile(weakFile, 'short\n');
    const weak = await runSteno(['serve', '--port', '0'], { ...backend.env, STENO_ADMIN_PASSWORD_FILE: weakFile });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain(`STENO_ADMIN_PASSWORD_FILE (${weakFile}): a password must be 12 to 200 characters`);
    const file = join(backend.dataDir, 'admin-password.txt');
    await writeFile(file, 'a long first console password\n');
    server = await startServer({ ...backend.env, STENO_ADMIN_PASSWORD_FILE: file });
    expect(server.output()).not.toContain('a long first console password');
    const client = new ConsoleClient(server.base);
    const res = await client.call('POST', '/api/v1/session', {
      username: 'admin',
      password: 'a long first console password',
    });
    expect(res.status).toBe(200);
  });

  it('creates, lists, resets and disables users, refusing bad input by name', async () => {
    backend = await createTestBackend();
    const steno = (...args: string[]) => runSteno(args, backend!.env);
    const created = await steno('user', 'create', '--name', 'rita', '--role', 'reviewer', '--desk', 'equities-hk');
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(created.stderr).toContain('shown once');
    const noDesk = await steno('user', 'create', '--name', 'rob', '--role', 'reviewer');
    expect(noDesk.code).toBe(1);
    expect(noDesk.stderr).toContain('at least one desk');
    const badRole = await steno('user', 'create', '--name', 'rob', '--role', 'root');
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('role must be one of admin, reviewer, supervisor, auditor');
    expect((await steno('user', 'reset', '--name', 'nobody')).code).toBe(1);
    const reset = await steno('user', 'reset', '--name', 'rita', '--json');
    expect(JSON.parse(reset.stdout)).toMatchObject({ username: 'rita' });
    expect((await steno('user', 'disable', '--name', 'rita')).stdout).toContain('disabled');
    const list = JSON.parse((await steno('user', 'list', '--json')).stdout) as {
      username: string;
      disabled: boolean;
    }[];
    expect(list).toEqual([expect.objectContaining({ username: 'rita', disabled: true })]);
    expect((await steno('user', 'frobnicate')).code).toBe(2);
  });
});
