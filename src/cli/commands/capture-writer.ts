import { startQueue } from '../../capture/queue/index.js';
import { loadConfig } from '../../config/config.js';
import { openSteno } from '../../context.js';
import { StenoError } from '../../core/errors.js';
import { parse } from '../args.js';
import type { Output } from '../output.js';

const USAGE = `Usage: steno capture-writer [--data DIR]
  Archives what capture nodes buffered in NATS JetStream (STENO_QUEUE, STENO_QUEUE_STREAM): reads the
  stream in batches, commits each batch to the ledger and only then acknowledges it, and signs
  checkpoints as records arrive. Runs until SIGINT or SIGTERM; several may run at once.`;

export async function captureWriterCommand(args: string[], out: Output): Promise<number> {
  const { values } = parse(args, {}, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig(process.env, values.data === undefined ? {} : { dataDir: values.data });
  if (config.queue === null) {
    throw new StenoError(
      'config',
      'steno capture-writer needs STENO_QUEUE=nats://host:4222, the NATS server whose stream it archives',
      { problems: [{ where: 'STENO_QUEUE', message: 'is required by steno capture-writer' }] },
    );
  }
  // Listening first: a signal during start-up still ends the writer cleanly.
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  await using steno = await openSteno(config, { createKey: true });
  const queue = await startQueue(steno, {
    write: true,
    log: {
      error: (message, error) => out.stderr(`${message}: ${(error as Error)?.message ?? String(error)}\n`),
    },
  });
  try {
    out.stdout(`capture writer: consuming ${config.queue.stream} from ${queue.where}\n`);
    const timer = setInterval(() => {
      steno.ledger
        .checkpoint()
        .catch((error: unknown) => out.stderr(`steno: signing a checkpoint failed: ${(error as Error).message}\n`));
    }, config.checkpointIntervalMs);
    await stopped;
    clearInterval(timer);
  } finally {
    // The batch under way is committed and acknowledged before the connection closes.
    await queue.close();
  }
  await steno.ledger.flush();
  await steno.ledger.checkpoint();
  const { archived, duplicates, terminated } = queue.writer?.counts ?? { archived: 0, duplicates: 0, terminated: 0 };
  out.stdout(`capture writer: stopped (${archived} archived, ${duplicates} already archived, ${terminated} refused)\n`);
  return 0;
}
