/**
 * The `steno` command. Each command maps its arguments to one service call; the services hold the logic.
 * Exit codes: 0 success, 1 the data does not hold (verification failure, rejected input), 2 usage,
 * configuration or I/O errors.
 */
import { isStenoError } from '../core/errors.js';
import { type Output, processOutput } from './output.js';

export const USAGE = `Usage: steno <command> [options]

Commands:
  serve                      run the server (HTTP API on STENO_HOST:STENO_PORT)
  capture-writer             archive capture buffered in NATS JetStream (STENO_QUEUE) until stopped
  ingest FILE.jsonl          import messages, one JSON object per line
  import FORMAT FILE         import a chat export (whatsapp, telegram, slack) or a JSON Lines file
  directory import|export|resolve   the directory of staff and clients and their IM handles
  instruments import FILE.csv   load the security master orders are read with
  orders extract|list|ack    read orders from messages (JSON Lines on stdin), list those archived,
                             or print the confirmation for a message's orders
  activity import FILE       archive the firm's orders and executions (FIX log, orders or executions CSV)
  reconcile                  compare chat orders with the firm's orders and executions
  alerts scan|list|show|assign|close|…   run the rules and work the alert queue
  policy show|set FILE.json  the surveillance policy in force, and changing it
  turnover import FILE.csv   reference turnover for the low-turnover rule
  channels [check]           each capture channel's health (silent, failing, gaps), and its alerts
  search QUERY               full-text search with filters
  checkpoint [--key]         print the latest signed checkpoint (or the verifier key)
  verify                     audit the whole ledger against its content and checkpoints
  export --out DIR           write an evidence package (steno-evidence/1)
  verify-package DIR         verify an evidence package offline
  token create|list|revoke   manage API tokens
  user list|create|reset|disable|enable   the review console's accounts

Every command takes --data DIR (default ./data, env STENO_DATA); commands that print data take --json.
Run \`steno <command> --help\` for a command's options.`;

type Command = (args: string[], out: Output) => Promise<number>;

// Loaded on demand: a command should not pay for the modules of the others (the server's, above all).
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  'capture-writer': async () => (await import('./commands/capture-writer.js')).captureWriterCommand,
  ingest: async () => (await import('./commands/ingest.js')).ingestCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  directory: async () => (await import('./commands/directory.js')).directoryCommand,
  instruments: async () => (await import('./commands/instruments.js')).instrumentsCommand,
  orders: async () => (await import('./commands/orders.js')).ordersCommand,
  activity: async () => (await import('./commands/activity.js')).activityCommand,
  reconcile: async () => (await import('./commands/reconcile.js')).reconcileCommand,
  alerts: async () => (await import('./commands/alerts.js')).alertsCommand,
  policy: async () => (await import('./commands/policy.js')).policyCommand,
  turnover: async () => (await import('./commands/turnover.js')).turnoverCommand,
  channels: async () => (await import('./commands/channels.js')).channelsCommand,
  search: async () => (await import('./commands/search.js')).searchCommand,
  checkpoint: async () => (await import('./commands/checkpoint.js')).checkpointCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  'verify-package': async () => (await import('./commands/verify-package.js')).verifyPackageCommand,
  token: async () => (await import('./commands/token.js')).tokenCommand,
  user: async () => (await import('./commands/user.js')).userCommand,
};

export async function runCli(argv: string[], out: Output = processOutput): Promise<number> {
  // Everything Steno writes (database, attachments, keys, packages) holds message content or secrets:
  // readable by this user only, unless the operator loosens it deliberately.
  process.umask(0o077);
  // A reader that stops early (`steno import … --dry-run --json | head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.stdout(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    out.stderr(`steno: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest, out);
  } catch (error) {
    return reportError(error, out);
  }
}

export function reportError(error: unknown, out: Output): number {
  if (isStenoError(error)) {
    out.stderr(`steno: ${error.message}\n`);
    switch (error.code) {
      case 'config':
      case 'io':
        return 2;
      default:
        return 1;
    }
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    out.stderr(`steno: ${(error as Error).message}\n`);
    return 2;
  }
  out.stderr(`steno: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return 2;
}
