import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { MessageContent, ValidatedMessage } from '../../capture/model.js';
import { describeProblems, isStenoError, type Problem, StenoError } from '../../core/errors.js';
import { parse, UsageError } from '../args.js';
import type { Output } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno ingest FILE.jsonl [--skip-invalid] [--json] [--data DIR]
  Imports messages, one JSON object per line (the ingest message format). The whole file is checked
  first: if any line is bad, nothing is stored and each bad line is reported, unless --skip-invalid,
  which stores the good lines and reports the bad ones. Re-running a file stores nothing twice.`;

/** One line may hold a message with inline attachments, but not without bound. */
const MAX_LINE_CHARS = 64 * 1024 * 1024;
const CHUNK = 5000;
/** Up to this much canonical content is kept from the checking pass instead of reading the file again. */
const PASS_TWO_MEMORY_BYTES = 512 * 1024 * 1024;
const SHOWN_PROBLEMS = 50;

interface Line {
  number: number;
  text: string;
}

async function* readLines(path: string): AsyncGenerator<Line> {
  const rl = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let number = 0;
  for await (const text of rl) {
    number++;
    if (text.trim() === '') continue;
    yield { number, text };
  }
}

function parseLine(line: Line): { value: unknown } | { problem: Problem } {
  const where = `line ${line.number}`;
  if (line.text.length > MAX_LINE_CHARS)
    return { problem: { where, message: `longer than ${MAX_LINE_CHARS} characters` } };
  try {
    return { value: JSON.parse(line.text) };
  } catch (error) {
    return { problem: { where, message: `not valid JSON: ${(error as Error).message}` } };
  }
}

export async function ingestCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(args, { 'skip-invalid': { type: 'boolean', default: false } }, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError(`give exactly one FILE.jsonl\n\n${USAGE}`);
  try {
    await stat(file);
  } catch (error) {
    throw new StenoError('io', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const skipInvalid = values['skip-invalid'] === true;
  await using steno = await openFromArgs(values, true);
  const started = performance.now();

  // Pass 1: check every line, store nothing. What passed is kept in canonical form, within a memory
  // budget, so that pass 2 need not read, parse and validate the file a second time.
  const problems: Problem[] = [];
  const badLines = new Set<number>();
  let total = 0;
  let kept: Omit<ValidatedMessage, 'content'>[] | null = [];
  let keptBytes = 0;
  for await (const line of readLines(file)) {
    total++;
    const parsed = parseLine(line);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      badLines.add(line.number);
      continue;
    }
    try {
      const [valid] = steno.ingest.validate([parsed.value], () => `line ${line.number}`);
      if (kept !== null && valid !== undefined) {
        keptBytes += valid.contentBytes.length + [...valid.inlineBlobs.values()].reduce((n, b) => n + b.length, 0);
        if (keptBytes > PASS_TWO_MEMORY_BYTES) kept = null;
        else kept.push({ contentBytes: valid.contentBytes, inlineBlobs: valid.inlineBlobs });
      }
    } catch (error) {
      if (!(error instanceof StenoError)) throw error;
      problems.push(...error.problems);
      badLines.add(line.number);
    }
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
  let created = 0;
  let duplicates = 0;
  let chunk: ValidatedMessage[] = [];
  // One chunk commits while the next is parsed and validated: two in flight keep both threads busy.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (chunk.length === 0) return;
    const sending = chunk;
    chunk = [];
    const previous = inFlight;
    const committing = steno.ingest.ingest(sending).then((results) => {
      for (const r of results) r.status === 'created' ? created++ : duplicates++;
      progress.advance(sending.length);
    });
    await previous;
    inFlight = committing;
    // A failure surfaces at the next flush or at the end, never unobserved.
    committing.catch(() => undefined);
  };
  try {
    for await (const line of readLines(file)) {
      if (badLines.has(line.number)) continue;
      const parsed = parseLine(line);
      if ('problem' in parsed)
        throw new StenoError('io', `${file} changed while it was being imported (line ${line.number})`);
      chunk.push(...steno.ingest.validate([parsed.value], () => `line ${line.number}`));
      if (chunk.length >= CHUNK) await flush();
    }
    await flush();
    await inFlight;
  } catch (error) {
    // Every line passed the check, so this is the disk, the database or the file itself.
    const stored = created + duplicates;
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
  const summary = { file, lines: total, created, duplicates, skipped: badLines.size, seconds };
  if (values.json) {
    out.stdout(`${JSON.stringify({ ...summary, problems: skipInvalid ? problems : [] })}\n`);
  } else {
    out.stdout(
      `${created} stored, ${duplicates} already archived, ${badLines.size} skipped, in ${seconds.toFixed(1)} s\n`,
    );
    if (badLines.size > 0) out.stderr(`skipped:\n${describeProblems(problems.slice(0, SHOWN_PROBLEMS))}\n`);
  }
  return 0;
}

class Progress {
  private done_ = 0;
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(
    private readonly out: Output,
    private readonly total: number,
  ) {}

  advance(n: number): void {
    this.done_ += n;
    const now = performance.now();
    if (!this.out.isTty || now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const fraction = this.total === 0 ? 1 : this.done_ / this.total;
    const width = 30;
    const filled = Math.round(fraction * width);
    const rate = Math.round(this.done_ / ((now - this.started) / 1000));
    this.out.stderr(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}% ${this.done_}/${this.total} ${rate}/s`,
    );
  }

  done(): void {
    if (this.out.isTty) this.out.stderr('\n');
  }
}
