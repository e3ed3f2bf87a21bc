/**
 * The `steno` command. Each command maps its arguments to one service call; the services hold the logic.
 * Exit codes: 0 success, 1 the data does not hold (verification failure, rejected input), 2 usage,
 * configuration or I/O errors.
 */
import { isStenoError } from '../core/errors.js';
import { checkpointCommand } from './commands/checkpoint.js';
import { exportCommand } from './commands/export.js';
import { ingestCommand } from './commands/ingest.js';
import { searchCommand } from './commands/search.js';
import { serveCommand } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';
import { verifyCommand } from './commands/verify.js';
import { verifyPackageCommand } from './commands/verify-package.js';
import { type Output, processOutput } from './output.js';

export const USAGE = `Usage: steno <command> [options]

Commands:
  serve                      run the server (HTTP API on STENO_HOST:STENO_PORT)
  ingest FILE.jsonl          import messages, one JSON object per line
  search QUERY               full-text search with filters
  checkpoint [--key]         print the latest signed checkpoint (or the verifier key)
  verify                     audit the whole ledger against its content and checkpoints
  export --out DIR           write an evidence package (steno-evidence/1)
  verify-package DIR         verify an evidence package offline
  token create|list|revoke   manage API tokens

Every command takes --data DIR (default ./data, env STENO_DATA); commands that print data take --json.
Run \`steno <command> --help\` for a command's options.`;

type Command = (args: string[], out: Output) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  ingest: ingestCommand,
  search: searchCommand,
  checkpoint: checkpointCommand,
  verify: verifyCommand,
  export: exportCommand,
  'verify-package': verifyPackageCommand,
  token: tokenCommand,
};

export async function runCli(argv: string[], out: Output = processOutput): Promise<number> {
  // Everything Steno writes (database, attachments, keys, packages) holds message content or secrets:
  // readable by this user only, unless the operator loosens it deliberately.
  process.umask(0o077);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.stdout(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    out.stderr(`steno: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
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
