import { stat } from 'node:fs/promises';
import type { CheckedBatch } from '../../capture/checking/lines.js';
import { checkerFor, checkInOrder, type LineChecker } from '../../capture/checking/pool.js';
import { ChunkedIngest } from '../../capture/ingest.js';
import { describeProblems, isStenoError, type Problem, StenoError } from '../../core/errors.js';
import { parse, UsageError } from '../args.js';
import { readLines } from '../jsonl.js';
import { readOrdersAfterImport } from '../orders-after-import.js';
import type { Output } from '../output.js';
import { Progress } from '../progress.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno ingest FILE.jsonl [--skip-invalid] [--json] [--data DIR]
  Imports messages, one JSON object per line (the ingest message format). The whole file is checked
  first: if any line is bad, nothing is stored and each bad line is reported, unless --skip-invalid,
  which stores the good lines and reports the bad ones. Re-running a file stores nothing twice.`;

const SHOWN_PROBLEMS = 50;

/** The file's lines checked in order (see checkInOrder). */
async function* checkedBatches(file: string, checker: LineChecker): AsyncGenerator<CheckedBatch> {
  for await (const { batch } of checkInOrder(readLines(file), checker)) yield batch;
}

export async function ingestCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(args, { 'skip-invalid': { type: 'boolean', default: false } }, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError(`give exactly one FILE.jsonl\n\n${USAGE}`);
  let fileBytes: number;
  try {
    fileBytes = (await stat(file)).size;
  } catch (error) {
    throw new StenoError('io', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const skipInvalid = values['skip-invalid'] === true;
  await using steno = await openFromArgs(values, true);
  const started = performance.now();
  const checkOptions = { maxAttachmentBytes: steno.config.maxAttachmentBytes };
  await using checker = await checkerFor(fileBytes, checkOptions);

  // Pass 1: check and prepare every line, store nothing. What passed is kept, prepared, within a memory
  // budget, so that pass 2 need not read and check the file a second time.
  const problems: Problem[] = [];
  const badLines = new Set<number>();
  let total = 0;
  let kept: CheckedBatch[] | null = [];
  let keptBytes = 0;
  for await (const batch of checkedBatches(file, checker)) {
    total += batch.validNumbers.length + batch.bad.length;
    for (const n of batch.bad) badLines.add(n);
    problems.push(...batch.problems);
    if (kept === null) continue;
    kept.push(batch);
    keptBytes += batch.bytes;
    // Beyond the budget (STENO_INGEST_MEMORY_BYTES; 1 GiB holds about 800,000 typical messages), the
    // storing pass reads and checks the file again instead.
    if (keptBytes > steno.config.ingestMemoryBytes) kept = null;
  }
  if (problems.length > 0 && !skipInvalid) {
    const shown = problems.slice(0, SHOWN_PROBLEMS);
    const more = problems.length > shown.length ? `\n… and ${problems.length - shown.length} more` : '';
    throw new StenoError(
      'invalid_input',
      `${badLines.size} bad line(s) in ${file}; nothing was stored (fix them, or pass --skip-invalid):\n${describeProblems(shown)}${more}`,
      { problems },
    );
  }

  // Pass 2: store, in chunks that each commit durably; a re-run after a crash stores only what is missing.
  const progress = new Progress(out, total - badLines.size);
  const store = new ChunkedIngest(steno.ingest, (n) => progress.advance(n));
  const changed = () => new StenoError('io', `${file} changed while it was being imported`);
  try {
    if (kept !== null) {
      // Each batch is let go once sent, so memory falls as the import goes.
      for (let batch = kept.shift(); batch !== undefined; batch = kept.shift()) {
        for (let i = 0; i < batch.validNumbers.length; i++) await store.add(batch.message(i));
      }
      kept = null;
    } else {
      for await (const batch of checkedBatches(file, checker)) {
        if (batch.bad.some((n) => !badLines.has(n))) throw changed();
        for (const [i, number] of batch.validNumbers.entries()) {
          if (badLines.has(number)) throw changed();
          await store.add(batch.message(i));
        }
      }
    }
    await store.finish();
  } catch (error) {
    // Every line passed the check, so this is the disk, the database or the file itself.
    const stored = store.stored;
    throw new StenoError(
      isStenoError(error) && error.code !== 'invalid_input' ? error.code : 'io',
      `the import stopped after ${stored} of ${total - badLines.size} messages were stored: ${(error as Error).message}\n` +
        'Run the same command again: messages already stored are recognised and not stored twice.',
      { cause: error },
    );
  }
  progress.done();
  await steno.ledger.checkpoint();

  const seconds = (performance.now() - started) / 1000;
  const { created, duplicates } = store;
  const summary = { file, lines: total, created, duplicates, skipped: badLines.size, seconds };
  if (!values.json) {
    out.stdout(
      `${created} stored, ${duplicates} already archived, ${badLines.size} skipped, in ${seconds.toFixed(1)} s\n`,
    );
    if (badLines.size > 0) out.stderr(`skipped:\n${describeProblems(problems.slice(0, SHOWN_PROBLEMS))}\n`);
  }
  const orders = await readOrdersAfterImport(steno, out, values.json === true);
  if (values.json) out.stdout(`${JSON.stringify({ ...summary, orders, problems: skipInvalid ? problems : [] })}\n`);
  return 0;
}
