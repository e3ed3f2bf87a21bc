import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { StenoError } from '../../core/errors.js';
import { verifyPackage } from '../../produce/verify-package.js';
import { parse, UsageError } from '../args.js';
import type { Output } from '../output.js';

const USAGE = `Usage: steno verify-package DIR [--key VERIFIER_KEY] [--json]
  Verifies an evidence package offline (no database, no network). Pass the log's published verifier
  key with --key; without it the package's own verifier-key.txt is used and printed for you to compare.
  Exit 0 when everything verifies, 1 when anything does not, 2 when DIR cannot be read.`;

/** Bounds on what we read from a folder someone handed us. */
const MAX_FILES = 2_000_000;
const MAX_TOTAL_BYTES = 64 * 1024 ** 3;

async function readPackage(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  let total = 0;
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const info = await lstat(path);
      if (info.isSymbolicLink())
        throw new StenoError('invalid_input', `${path} is a symbolic link; packages hold plain files`);
      if (info.isDirectory()) await walk(path);
      else if (info.isFile()) {
        total += info.size;
        if (files.size >= MAX_FILES || total > MAX_TOTAL_BYTES)
          throw new StenoError('too_large', `${dir} is too large to be a package`);
        files.set(relative(dir, path).split('\\').join('/'), await readFile(path));
      }
    }
  };
  try {
    await walk(dir);
  } catch (error) {
    if (error instanceof StenoError) throw error;
    throw new StenoError('io', `cannot read the package at ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return files;
}

export async function verifyPackageCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(args, { key: { type: 'string' } }, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [dir, ...extra] = positionals;
  if (dir === undefined || extra.length > 0) throw new UsageError(`give exactly one package DIR\n\n${USAGE}`);
  const files = await readPackage(dir);
  const report = verifyPackage({ files }, values.key === undefined ? {} : { pinnedKey: values.key });
  if (values.json) {
    out.stdout(`${JSON.stringify(report)}\n`);
  } else if (report.ok) {
    out.stdout(
      `OK: ${report.records} record(s) proved against ${report.origin} at tree size ${report.treeSize}; ${report.withContent} with content, ${report.attachments} attachment(s)\n`,
    );
    if (values.key === undefined)
      out.stdout(`Signed by: ${report.verifierKey} (compare with the log's published key)\n`);
  } else {
    out.stdout(`FAILED: ${report.problems.length} problem(s)\n${report.problems.map((p) => `  ${p}`).join('\n')}\n`);
  }
  return report.ok ? 0 : 1;
}
