/**
 * Question: how fast does `steno ingest FILE.jsonl` import a file (validation pass included), compared
 * with the HTTP API in the same run?
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { runSteno } from '../test/support/cli.js';
import { benchMessage, Rng } from './support/corpus.js';

export async function writeJsonl(path: string, messages: number, prefix: string): Promise<void> {
  const out = createWriteStream(path);
  const rng = new Rng(99);
  for (let i = 0; i < messages; i++) {
    if (!out.write(`${JSON.stringify(benchMessage(rng, i, prefix))}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function ingestCli(options: {
  env: Record<string, string>;
  dir: string;
  messages: number;
}): Promise<{ perSecond: number; seconds: number }> {
  const file = join(options.dir, 'bench.jsonl');
  await writeJsonl(file, options.messages, 'cli');
  const started = performance.now();
  const result = await runSteno(['ingest', file, '--json'], options.env);
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`steno ingest failed: ${result.stderr}`);
  return { perSecond: options.messages / seconds, seconds };
}
