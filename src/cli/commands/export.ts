import { parseQuery } from '../../index/query.js';
import { exportEvidence, partyKeep, type Selection } from '../../produce/evidence.js';
import { type MessageHit, parseDateFilter, partyHandles, partyOf } from '../../review/search.js';
import { parse, UsageError } from '../args.js';
import type { Output } from '../output.js';
import { openFromArgs, recordOperatorAccess } from './open.js';

const USAGE = `Usage: steno export --out DIR [--conversation ID] [--participant HANDLE] [--client ID] [--staff ID]
                    [--from DATE] [--to DATE] [--query TEXT] [--platform P] [--json] [--data DIR]
  Writes an evidence package (steno-evidence/1) for the selected messages; DIR must be new or empty.
  Selections combine (AND); with none, the package holds every message.`;

export async function exportCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      out: { type: 'string' },
      conversation: { type: 'string' },
      participant: { type: 'string' },
      client: { type: 'string' },
      staff: { type: 'string' },
      platform: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      query: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  if (values.out === undefined) throw new UsageError(`--out DIR is required\n\n${USAGE}`);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`);
  const selection: Selection = {};
  const label: Record<string, unknown> = {};
  if (values.conversation !== undefined) selection.conversationId = label.conversation = values.conversation;
  if (values.participant !== undefined) selection.participant = label.participant = values.participant;
  if (values.platform !== undefined) selection.platform = label.platform = values.platform;
  if (values.from !== undefined) {
    selection.fromMs = parseDateFilter(values.from, '--from');
    label.from = values.from;
  }
  if (values.to !== undefined) {
    selection.toMs = parseDateFilter(values.to, '--to', 'to');
    label.to = values.to;
  }
  if (values.query !== undefined) {
    selection.query = parseQuery(values.query);
    label.query = values.query;
  }
  await using steno = await openFromArgs(values, true);
  // By client or staff member: the handles they ever held, each message kept if they held it then.
  let keep: ((hits: MessageHit[]) => Promise<MessageHit[]>) | undefined;
  const party = partyOf({ clientId: values.client, staffId: values.staff });
  if (party !== null) {
    const directory = await steno.directory.load();
    selection.participants = partyHandles(directory, party);
    label[party.kind] = party.id;
    keep = partyKeep(directory, party, steno.store);
  }
  const result = await exportEvidence({
    ...(keep === undefined ? {} : { keep }),
    storage: steno.store,
    ledger: steno.ledger,
    blobs: steno.blobs,
    selection,
    selectionLabel: label,
    verifierKey: steno.verifierKey,
    outDir: values.out,
  });
  await recordOperatorAccess(steno, 'export', result.dir, {
    selection: label,
    records: result.records,
    treeSize: result.treeSize,
  });
  if (values.json) out.stdout(`${JSON.stringify(result)}\n`);
  else {
    out.stdout(
      `wrote ${result.records} record(s) and ${result.attachments} attachment(s) to ${result.dir} (checkpoint size ${result.treeSize})\n`,
    );
    if (result.missingAttachments.length > 0) {
      out.stderr(
        `${result.missingAttachments.length} referenced attachment(s) are not in the archive; listed in README.txt\n`,
      );
    }
  }
  return 0;
}
