import { checkerFor } from '../../capture/checking/pool.js';
import type { ChatExport } from '../../capture/importers/importer.js';
import { checkExport, type ImportCounts, storeExport } from '../../capture/importers/run-import.js';
import { SlackExport } from '../../capture/importers/slack/export.js';
import { describeSourceFile, localOperator } from '../../capture/importers/source-file.js';
import { TelegramExport } from '../../capture/importers/telegram/export.js';
import { TimeZone } from '../../capture/importers/time-zone.js';
import { WhatsAppExport } from '../../capture/importers/whatsapp/export.js';
import { describeProblems } from '../../core/errors.js';
import { newRecordId } from '../../core/ids.js';
import { parse, UsageError } from '../args.js';
import { readOrdersAfterImport } from '../orders-after-import.js';
import type { Output } from '../output.js';
import { Progress } from '../progress.js';
import { ingestCommand } from './ingest.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno import FORMAT FILE [--tz ZONE] [--account HANDLE] [--conversation-title T]
                    [--dry-run] [--json] [--data DIR]
  FORMAT is whatsapp (the .txt from "Export chat", or the .zip with media), telegram (Telegram
  Desktop's result.json, media files beside it), slack (a workspace export zip) or jsonl (the ingest
  format, as steno ingest).
  --tz ZONE      the IANA time zone the export's times were written in, e.g. Asia/Hong_Kong (required
                 to store a WhatsApp export, whose times carry none; for Telegram, the zone sentAt is
                 written in, default UTC)
  --account      the firm's number or account the chat was exported from
  --conversation-title T  the chat's name (default: from the file name)
  --dry-run      store nothing; with --json, print each parsed message as a JSON line
  --skip-invalid (jsonl) store the good lines and report the bad ones
  The whole file is read and checked before anything is stored; importing it again stores nothing twice.
  The import itself (file, SHA-256, format, zone, counts, who ran it) is recorded in the ledger.`;

export async function importCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      tz: { type: 'string' },
      account: { type: 'string' },
      'conversation-title': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'skip-invalid': { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [format, file, ...extra] = positionals;
  if (format === undefined || file === undefined || extra.length > 0) {
    throw new UsageError(`give a FORMAT and one FILE\n\n${USAGE}`);
  }
  if (format === 'jsonl') {
    const rest = [...args];
    rest.splice(rest.indexOf(format), 1);
    return ingestCommand(rest, out);
  }
  if (format !== 'whatsapp' && format !== 'telegram' && format !== 'slack') {
    throw new UsageError(`unknown format "${format}": give whatsapp, telegram, slack or jsonl\n\n${USAGE}`);
  }
  const dryRun = values['dry-run'] === true;
  if (format === 'whatsapp' && values.tz === undefined && !dryRun) {
    throw new UsageError(
      `give --tz: a WhatsApp export's times carry no zone, and the one they were written in is recorded\n\n${USAGE}`,
    );
  }
  const zone = new TimeZone(values.tz ?? 'UTC');
  const source = await describeSourceFile(file);
  const importId = newRecordId();
  const started = performance.now();
  const account = values.account === undefined ? {} : { account: values.account };
  await using exp: ChatExport =
    format === 'telegram'
      ? new TelegramExport({ file, zone, importId, ...account })
      : format === 'slack'
        ? new SlackExport({ file, zone, importId, ...account })
        : await WhatsAppExport.open({
            file,
            zone,
            importId,
            ...account,
            ...(values['conversation-title'] === undefined ? {} : { conversationTitle: values['conversation-title'] }),
          });

  if (dryRun) {
    const counts = await checkExport(exp, {
      maxAttachmentBytes: Number.MAX_SAFE_INTEGER,
      ...(values.json ? { onMessage: (m) => out.stdout(`${JSON.stringify(m)}\n`) } : {}),
    });
    if (!values.json) {
      out.stdout(`${describeCounts(counts)}; nothing stored (dry run); peak memory ${peakRssMiB()} MiB\n`);
    }
    return 0;
  }
  await using steno = await openFromArgs(values, true);
  await exp.check();
  const checkOptions = { maxAttachmentBytes: steno.config.maxAttachmentBytes };
  await using checker = await checkerFor(source.size, checkOptions);
  const progress = new Progress(out, null);
  const blobs = { maxBytes: steno.config.maxAttachmentBytes, put: (sha: string, b: Buffer) => steno.blobs.put(sha, b) };
  const summary = await storeExport(
    exp,
    { ingest: steno.ingest, blobs, checker },
    {
      importId,
      source,
      by: localOperator(),
      details: { timeZone: zone.name, ...(values.account === undefined ? {} : { account: values.account }) },
      onProgress: (done) => progress.set(done),
    },
  );
  progress.done();
  await steno.ledger.checkpoint();
  const seconds = (performance.now() - started) / 1000;
  if (summary.skipped.length > 0) {
    out.stderr(`skipped ${summary.skipped.length} message(s):\n${describeProblems(summary.skipped.slice(0, 50))}\n`);
  }
  if (!values.json) {
    out.stdout(
      `${describeCounts(summary)}: ${summary.created} stored, ${summary.duplicates} already archived, ${summary.skipped.length} skipped, in ${seconds.toFixed(1)} s (import recorded at ledger index ${summary.importLedgerIndex})\n`,
    );
  }
  const orders = await readOrdersAfterImport(steno, out, values.json === true);
  if (values.json) {
    const { skipped, ...rest } = summary;
    out.stdout(
      `${JSON.stringify({ file, format, sha256: source.sha256, timeZone: zone.name, conversations: exp.conversations(), ...rest, skipped: skipped.length, seconds, peakRssMiB: peakRssMiB(), orders })}\n`,
    );
  }
  return 0;
}

/** The most memory the process has held, for the summary: an import's memory should stay flat. */
function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function describeCounts(c: ImportCounts) {
  return `${c.messages} messages (${c.system} system, ${c.deleted} deleted, ${c.edited} edited; ${c.attachmentsNamed} attachments named, ${c.attachmentFiles} with their files)`;
}
