/**
 * Question: how many records per second does `steno verify` (the full audit) check?
 */
import { runSteno } from '../test/support/cli.js';

/**
 * Two figures: the audit's own rate (what `steno verify` reports: records over the time spent auditing)
 * and the whole command's, which adds a fixed start-up cost (Node, modules, worker threads).
 */
export async function verifyRate(options: {
  env: Record<string, string>;
}): Promise<{ perSecond: number; seconds: number; auditPerSecond: number; auditSeconds: number; records: number }> {
  const started = performance.now();
  const result = await runSteno(['verify', '--json'], options.env);
  const seconds = (performance.now() - started) / 1000;
  const report = JSON.parse(result.stdout) as { ok: boolean; records: number; seconds: number; findings: unknown[] };
  if (!report.ok) throw new Error(`verify found problems: ${JSON.stringify(report.findings.slice(0, 5))}`);
  return {
    perSecond: report.records / seconds,
    seconds,
    auditPerSecond: report.records / report.seconds,
    auditSeconds: report.seconds,
    records: report.records,
  };
}
