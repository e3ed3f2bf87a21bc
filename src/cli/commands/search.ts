import { parseDateFilter } from '../../review/search.js';
import { parse, UsageError } from '../args.js';
import { type Output, printable } from '../output.js';
import { openFromArgs, recordOperatorAccess } from './open.js';

const USAGE = `Usage: steno search QUERY [--platform P] [--conversation ID] [--participant HANDLE]
                    [--client ID] [--staff ID] [--from DATE] [--to DATE] [--limit N] [--json] [--data DIR]
  --client, --staff: messages a client or staff member took part in, by the handles the directory
  says they held at the time.
  Results name each sender as the directory knows them; [unregistered-sender] marks a handle no
  client or staff member holds, writing to staff.
  QUERY: words (all must match), "exact phrase", a OR b, -exclude, prefix*; Chinese works as typed.
  Newest first.`;

export async function searchCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      platform: { type: 'string' },
      conversation: { type: 'string' },
      participant: { type: 'string' },
      client: { type: 'string' },
      staff: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`give a QUERY\n\n${USAGE}`);
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new UsageError('--limit must be a number');
  await using steno = await openFromArgs(values);
  const results = await steno.search.search({
    query: positionals.join(' '),
    platform: values.platform,
    conversationId: values.conversation,
    participant: values.participant,
    clientId: values.client,
    staffId: values.staff,
    fromMs: values.from === undefined ? undefined : parseDateFilter(values.from, '--from'),
    toMs: values.to === undefined ? undefined : parseDateFilter(values.to, '--to', 'to'),
    limit,
  });
  // Whoever reads the archive, from the console or a shell, leaves the same trail.
  await recordOperatorAccess(steno, 'search', null, {
    q: positionals.join(' '),
    ...filtersOf(values),
    results: results.length,
  });
  if (values.json) {
    out.stdout(`${JSON.stringify(results)}\n`);
    return 0;
  }
  for (const r of results) {
    const text = r.content?.text ?? `(${r.kind})`;
    const who = r.resolved?.sender ? ` [${r.resolved.sender.kind} ${printable(r.resolved.sender.id, 40)}]` : '';
    const flags = r.resolved?.flags.map((f) => ` [${f}]`).join('') ?? '';
    out.stdout(
      `#${r.leafIndex} ${r.sentAt} ${r.platform} ${printable(r.conversationId, 40)} ${printable(r.sender, 40)}${who}${flags}: ${printable(text)}\n`,
    );
  }
  out.stderr(`${results.length} result(s)\n`);
  return 0;
}

/** The filters given, as the access record keeps them. */
function filtersOf(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['platform', 'conversation', 'participant', 'client', 'staff', 'from', 'to', 'limit']) {
    if (values[key] !== undefined) out[key] = values[key];
  }
  return out;
}
