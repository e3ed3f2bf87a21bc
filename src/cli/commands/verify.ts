import { AUDIT_CHUNK, auditLedger } from '../../ledger/audit.js';
import { LAST_VERIFICATION, type MetaStorage } from '../../store/meta.js';
import { parse } from '../args.js';
import type { Output } from '../output.js';
import { startVerifyPool } from '../verify-pool.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno verify [--key VERIFIER_KEY] [--json] [--data DIR]
  Audits the whole ledger: recomputes every leaf from its content and salt, rebuilds the tree, and
  checks every checkpoint's signature and root and the consistency between consecutive checkpoints.
  Exit 0 when all holds, 1 naming each record or checkpoint that does not, 2 on usage or I/O errors.`;

export async function verifyCommand(args: string[], out: Output): Promise<number> {
  const { values } = parse(args, { key: { type: 'string' } }, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  await using steno = await openFromArgs(values);
  const verifierKey = values.key ?? steno.verifierKey;
  let lastDraw = 0;
  // Small ledgers are quicker to check than a pool of worker threads is to start.
  await using pool = (await steno.store.treeSize()) > 2 * AUDIT_CHUNK ? await startVerifyPool(steno.config) : undefined;
  const report = await auditLedger({
    storage: steno.store,
    ...(pool === undefined ? {} : { checker: pool }),
    verifierKey,
    origin: steno.origin,
    onProgress: (done, total) => {
      if (!out.isTty || values.json || performance.now() - lastDraw < 200) return;
      lastDraw = performance.now();
      out.stderr(`\rverified ${done}/${total}`);
    },
  });
  if (out.isTty && !values.json) out.stderr('\n');
  await recordVerification(steno.store, {
    at: new Date().toISOString(),
    ok: report.ok,
    records: report.records,
    checkpoints: report.checkpoints,
    problems: report.findings.length,
    seconds: report.seconds,
  });
  if (values.json) {
    out.stdout(`${JSON.stringify(report)}\n`);
  } else if (report.ok) {
    out.stdout(
      `OK: ${report.records} record(s) and ${report.checkpoints} checkpoint(s) verified in ${report.seconds.toFixed(1)} s (${Math.round(report.records / Math.max(report.seconds, 1e-9))} records/s)\n`,
    );
  } else {
    out.stdout(`FAILED: ${report.findings.length} problem(s)\n`);
    for (const f of report.findings) {
      const subject =
        f.subject === 'checkpoint'
          ? `checkpoint at tree size ${f.at}`
          : f.subject === 'tree'
            ? `tree at record ${f.at}`
            : `record ${f.at}${f.id !== undefined ? ` (${f.id})` : ''}`;
      out.stdout(`  ${subject}: ${f.problem}\n`);
    }
  }
  return report.ok ? 0 : 1;
}

/**
 * The dashboard shows when the ledger was last verified in full and what was found. Kept as a setting,
 * not a record: verifying must not change what it verifies. A verification racing another keeps theirs.
 */
async function recordVerification(meta: MetaStorage, result: Record<string, unknown>): Promise<void> {
  const current = await meta.getMeta(LAST_VERIFICATION);
  await meta.setMetaIfEquals(LAST_VERIFICATION, current, JSON.stringify(result)).catch(() => undefined);
}
