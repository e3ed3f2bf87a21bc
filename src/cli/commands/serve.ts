import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startQueue } from '../../capture/queue/index.js';
import { loadConfig } from '../../config/config.js';
import { openSteno, type Steno } from '../../context.js';
import { StenoError } from '../../core/errors.js';
import { buildServer } from '../../review/api/server.js';
import { parse, UsageError } from '../args.js';
import type { Output } from '../output.js';

const USAGE = `Usage: steno serve [--data DIR] [--host ADDR] [--port N] [--capture-only]
  With STENO_QUEUE, capture connectors publish to NATS JetStream and this process also writes the
  stream to the ledger; --capture-only leaves writing to other processes (steno capture-writer).`;
export const INITIAL_TOKEN_FILE = 'initial-ingest-token.txt';

export async function serveCommand(args: string[], out: Output): Promise<number> {
  const { values } = parse(
    args,
    { host: { type: 'string' }, port: { type: 'string' }, 'capture-only': { type: 'boolean' } },
    USAGE,
  );
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const env = { ...process.env };
  if (values.host !== undefined) env.STENO_HOST = values.host;
  if (values.port !== undefined) env.STENO_PORT = values.port;
  const config = loadConfig(env, values.data === undefined ? {} : { dataDir: values.data });
  const steno = await openSteno(config, { createKey: true });

  try {
    await createFirstAdmin(steno, out);
  } catch (error) {
    await steno.close();
    throw error;
  }
  if ((await steno.tokens.list()).length === 0) {
    // First start: one ingest token so the quick start works; the secret goes to a 0600 file, not the log.
    const { token } = await steno.tokens.create({ name: 'initial-ingest', scopes: ['ingest'] });
    await steno.access.record({
      action: 'token.create',
      actor: 'steno (first start)',
      from: null,
      target: 'initial-ingest',
      detail: { scopes: ['ingest'] },
    });
    const path = join(config.dataDir, INITIAL_TOKEN_FILE);
    await writeFile(path, `${token}\n`, { mode: 0o600 });
    await chmod(path, 0o600);
    out.stdout(`Created an ingest token; it is in ${path} (readable by this user only).\n`);
  }
  if (steno.keyCreated) out.stdout(`Created the checkpoint signing key in ${join(config.dataDir, 'keys')}.\n`);
  await steno.ledger.checkpoint();

  if (values['capture-only'] && config.queue === null) {
    await steno.close();
    throw new UsageError('--capture-only needs STENO_QUEUE: without a queue, capture is written in this process');
  }
  // With a queue, capture is answered once the stream has it; the ledger writer (here, unless
  // --capture-only) commits the stream and acknowledges only then.
  const queue = config.queue === null ? null : await startQueue(steno, { write: values['capture-only'] !== true });
  const app = await buildServer(steno, queue === null ? {} : { sink: queue.sink });
  const address = await app.listen({ host: config.host, port: config.port });
  out.stdout(
    [
      `Steno is listening on ${address} (store: ${config.store.kind}, data: ${config.dataDir})`,
      `Log origin: ${steno.origin}`,
      `Verifier key: ${steno.verifierKey}`,
      `Review console: ${address}/ (accounts: steno user list|create|reset)`,
      `Send messages: curl -H "Authorization: Bearer $(cat ${join(config.dataDir, INITIAL_TOKEN_FILE)})" -H 'Content-Type: application/json' --data @message.json ${address}/api/v1/messages`,
      `More tokens: steno token create --name NAME [--scope ingest|read|review|admin]`,
      ...(queue === null
        ? []
        : [
            `Capture queue: ${queue.where}${queue.writer === null ? ' (publishing only)' : ' (publishing and writing)'}`,
          ]),
      '',
    ].join('\n'),
  );

  const timer = setInterval(() => {
    steno.ledger.checkpoint().catch((error: unknown) => app.log.error({ err: error }, 'checkpoint failed'));
  }, config.checkpointIntervalMs);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(timer);
  await app.close();
  await queue?.close();
  await steno.ledger.flush();
  await steno.ledger.checkpoint();
  await steno.close();
  return 0;
}

/**
 * First start: the console's first account, `admin`. Its password comes from STENO_ADMIN_PASSWORD_FILE,
 * or is a one-time password printed here once and stored nowhere but as its hash; either way the first
 * sign-in must replace it and enrol TOTP.
 */
async function createFirstAdmin(steno: Steno, out: Output): Promise<void> {
  if (await steno.accounts.hasUsers()) return;
  const file = steno.config.adminPasswordFile;
  let password: string | undefined;
  if (file !== null) {
    try {
      password = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new StenoError('config', `STENO_ADMIN_PASSWORD_FILE: cannot read ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const created = await steno.accounts
    .create({ username: 'admin', role: 'admin', ...(password === undefined ? {} : { password }) })
    .catch((error: unknown) => {
      if (file === null || !(error instanceof StenoError)) throw error;
      throw new StenoError('config', `STENO_ADMIN_PASSWORD_FILE (${file}): ${error.message}`, { cause: error });
    });
  await steno.access.record({
    action: 'user.create',
    actor: 'steno (first start)',
    from: null,
    target: 'admin',
    detail: { role: 'admin', passwordFrom: file === null ? 'one-time password' : 'STENO_ADMIN_PASSWORD_FILE' },
  });
  out.stdout(
    file === null
      ? `Created the console's first user, admin, with the one-time password ${created.oneTimePassword}\n` +
          'It is shown this once: sign in at the address below, then change it and enrol an authenticator.\n'
      : `Created the console's first user, admin, with the password in ${file}; the first sign-in changes it.\n`,
  );
}
