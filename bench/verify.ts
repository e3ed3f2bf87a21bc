/**
 * Question: how many records per second does `steno verify` (the full audit) check?
 */
import { runSteno } from '../test/support/cli.js';

export async function verifyRate(options: {
  env: Record<string, string>;
}): Promise<{ perSecond: number; seconds: number; records: number }> {
  const started = performance.now();
  const result = await runSteno(['verify', '--json'], options.env);
  const seconds = (performance.now() - started) / 1000;
  const report = JSON.parse(result.stdout) as { ok: boolean; records: number; findings: unknown[] };
  if (!report.ok) throw new Error(`verify found problems: ${JSON.stringify(report.findings.slice(0, 5))}`);
  return { perSecond: report.records / seconds, seconds, records: report.records };
}
