/**
 * Question: how fast does `steno import whatsapp` read a 1,000,000-line export — parsing alone
 * (--dry-run) and end to end into the archive — and does its memory stay flat (peak RSS)? And how does
 * that compare with storing the very same messages through `steno ingest`, where there is nothing to parse?
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TimeZone } from '../src/capture/importers/time-zone.js';
import { WhatsAppExport } from '../src/capture/importers/whatsapp/export.js';
import { runSteno } from '../test/support/cli.js';
import { messageText, Rng } from './support/corpus.js';

/** An Android export: a message a line, one in ten running onto a second line, a system line now and then. */
export async function writeWhatsAppExport(path: string, lines: number): Promise<number> {
  const out = createWriteStream(path);
  const rng = new Rng(7);
  const start = Date.UTC(2024, 0, 1, 0, 0);
  const people = ['Chan Tai Man', 'RM Wong', '+852 9123 4567', 'Client Lee'];
  let written = 0;
  let messages = 0;
  while (written < lines) {
    const t = new Date(start + messages * 20_000);
    const stamp = `${String(t.getUTCDate()).padStart(2, '0')}/${String(t.getUTCMonth() + 1).padStart(2, '0')}/${t.getUTCFullYear()}, ${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
    let line: string;
    if (messages % 500 === 0) line = `${stamp} - ${people[1]} added ${people[3]}\n`;
    else {
      line = `${stamp} - ${people[messages % people.length]}: ${messageText(rng, messages)}\n`;
      if (messages % 10 === 3 && written + 1 < lines) {
        line += `and ${messageText(rng, messages + 1)}\n`;
        written++;
      }
    }
    written++;
    messages++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return messages;
}

/**
 * The same export's messages as `steno ingest` JSON lines, converted by the importer itself, under another
 * conversation title (so they are new to the archive): what storing them costs with nothing to parse.
 */
async function writeAsJsonLines(exportFile: string, path: string): Promise<void> {
  await using exp = await WhatsAppExport.open({
    file: exportFile,
    zone: new TimeZone('Asia/Hong_Kong'),
    conversationTitle: 'Bench Desk (as JSON lines)',
  });
  await exp.check();
  const out = createWriteStream(path);
  for await (const m of exp.messages()) {
    if (!out.write(`${JSON.stringify(m.message)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export interface WhatsAppImportFigures {
  messages: number;
  megabytes: number;
  dryRunPerSecond: number;
  dryRunPeakRssMiB: number;
  importPerSecond: number;
  importPeakRssMiB: number;
  /** The same messages stored by `steno ingest` from JSON lines. */
  sameAsJsonLinesPerSecond: number;
}

export async function importWhatsApp(options: {
  env: Record<string, string>;
  dir: string;
  lines: number;
}): Promise<WhatsAppImportFigures> {
  const file = join(options.dir, 'WhatsApp Chat with Bench Desk.txt');
  const messages = await writeWhatsAppExport(file, options.lines);
  const megabytes = (await stat(file)).size / 1024 ** 2;
  const run = async (extra: string[], json = true) => {
    const started = performance.now();
    const args = ['import', 'whatsapp', file, '--tz', 'Asia/Hong_Kong', ...(json ? ['--json'] : []), ...extra];
    const result = await runSteno(args, options.env);
    const seconds = (performance.now() - started) / 1000;
    if (result.code !== 0) throw new Error(`steno import failed: ${result.stderr}`);
    return { seconds, stdout: result.stdout };
  };
  // Without --json a dry run prints only its summary: the parse alone, no output per message.
  const dry = await run(['--dry-run'], false);
  const dryPeak = Number(/peak memory (\d+) MiB/.exec(dry.stdout)?.[1] ?? Number.NaN);
  const stored = await run([]);
  const summary = JSON.parse(stored.stdout) as { created: number; peakRssMiB: number };
  if (summary.created !== messages) throw new Error(`stored ${summary.created} of ${messages} messages`);

  const jsonl = join(options.dir, 'whatsapp-as-json-lines.jsonl');
  await writeAsJsonLines(file, jsonl);
  const ingestStarted = performance.now();
  const ingested = await runSteno(['ingest', jsonl, '--json'], options.env);
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  if (ingested.code !== 0) throw new Error(`steno ingest failed: ${ingested.stderr}`);
  return {
    messages,
    megabytes,
    dryRunPerSecond: messages / dry.seconds,
    dryRunPeakRssMiB: dryPeak,
    importPerSecond: messages / stored.seconds,
    importPeakRssMiB: summary.peakRssMiB,
    sameAsJsonLinesPerSecond: messages / ingestSeconds,
  };
}
