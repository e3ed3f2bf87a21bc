import { stat } from 'node:fs/promises';
import { TimeZone } from '../../capture/importers/time-zone.js';
import { WhatsAppConverter } from '../../capture/importers/whatsapp/import.js';
import { inferDateOrders, readWhatsAppText } from '../../capture/importers/whatsapp/read.js';
import { type PreparedMessage, prepareMessage } from '../../capture/ingest.js';
import { validateMessage } from '../../capture/model.js';
import { describeProblems, type Problem, StenoError } from '../../core/errors.js';
import { parse, UsageError } from '../args.js';
import type { Output } from '../output.js';
import { ingestCommand } from './ingest.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno import FORMAT FILE [--tz ZONE] [--account HANDLE] [--conversation-title T]
                    [--dry-run] [--json] [--data DIR]
  FORMAT is whatsapp (the .txt from "Export chat") or jsonl (the ingest format, as steno ingest).
  --tz ZONE      the IANA time zone the export's times were written in (required to store: the file
                 carries none), e.g. Asia/Hong_Kong
  --account      the firm's number or account the chat was exported from
  --conversation-title T  the chat's name (default: from the file name)
  --dry-run      store nothing; with --json, print each parsed message as a JSON line
  --skip-invalid (jsonl) store the good lines and report the bad ones
  The whole file is read and checked before anything is stored; importing it again stores nothing twice.`;

const CHUNK = 1000;
const SHOWN_PROBLEMS = 50;

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
  if (format !== 'whatsapp') throw new UsageError(`unknown format "${format}": give whatsapp or jsonl\n\n${USAGE}`);
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a regular file');
  } catch (error) {
    throw new StenoError('io', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const dryRun = values['dry-run'] === true;
  if (values.tz === undefined && !dryRun) {
    throw new UsageError(
      `give --tz: a WhatsApp export's times carry no zone, and the one they were written in is recorded\n\n${USAGE}`,
    );
  }
  const zone = new TimeZone(values.tz ?? 'UTC');
  const converter = new WhatsAppConverter({
    file,
    zone,
    ...(values.account === undefined ? {} : { account: values.account }),
    ...(values['conversation-title'] === undefined ? {} : { conversationTitle: values['conversation-title'] }),
  });
  const started = performance.now();

  // Pass 1: how the file writes dates, and whether it is UTF-8 WhatsApp text at all.
  const orders = await inferDateOrders(file, file);
  // Pass 2: parse and check every message; nothing is stored if one fails.
  const counts = { messages: 0, system: 0, deleted: 0, edited: 0, attachmentsNamed: 0 };
  const problems: Problem[] = [];
  for await (const m of readWhatsAppText(file, file, orders)) {
    counts.messages++;
    if (m.kind === 'system') counts.system++;
    if (m.kind === 'delete') counts.deleted++;
    if (m.edited) counts.edited++;
    counts.attachmentsNamed += m.attachments.length;
    if (dryRun && values.json) out.stdout(`${JSON.stringify(converter.preview(m))}\n`);
    const checked = validateMessage(converter.toIngest(m), `line ${m.line}`, { maxAttachmentBytes: 0 });
    if (!checked.ok) problems.push(...checked.problems);
  }
  if (problems.length > 0) {
    throw new StenoError(
      'invalid_input',
      `${problems.length} problem(s) in ${file}; nothing was stored:\n${describeProblems(problems.slice(0, SHOWN_PROBLEMS))}`,
      { problems },
    );
  }
  if (dryRun) {
    if (!values.json) out.stdout(`${describeCounts(counts)}; nothing stored (dry run)\n`);
    return 0;
  }

  // Pass 3: store, in chunks that each commit durably; a re-run stores only what is missing.
  await using steno = await openFromArgs(values, true);
  const again = new WhatsAppConverter(converter.options);
  let created = 0;
  let duplicates = 0;
  let chunk: PreparedMessage[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const results = await steno.ingest.ingestPrepared(chunk);
    chunk = [];
    for (const r of results) r.status === 'created' ? created++ : duplicates++;
  };
  const capturedAt = new Date().toISOString();
  for await (const m of readWhatsAppText(file, file, orders)) {
    const checked = validateMessage(again.toIngest(m), `line ${m.line}`, { maxAttachmentBytes: 0 });
    if (!checked.ok) throw new StenoError('io', `${file} changed while it was being imported`);
    chunk.push(prepareMessage(checked.message, capturedAt));
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  await steno.ledger.checkpoint();
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    file,
    format,
    timeZone: zone.name,
    conversationId: converter.conversationId,
    ...counts,
    created,
    duplicates,
    seconds,
  };
  if (values.json) out.stdout(`${JSON.stringify(summary)}\n`);
  else
    out.stdout(
      `${describeCounts(counts)}: ${created} stored, ${duplicates} already archived, in ${seconds.toFixed(1)} s\n`,
    );
  return 0;
}

function describeCounts(c: {
  messages: number;
  system: number;
  deleted: number;
  edited: number;
  attachmentsNamed: number;
}) {
  return `${c.messages} messages (${c.system} system, ${c.deleted} deleted, ${c.edited} edited, ${c.attachmentsNamed} attachments named)`;
}
