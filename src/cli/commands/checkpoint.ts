import { parseCheckpoint } from '../../ledger/note/checkpoint.js';
import { parse } from '../args.js';
import type { Output } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno checkpoint [--key] [--json] [--data DIR]
  Prints the latest signed checkpoint note, or with --key the log's verifier key line.`;

export async function checkpointCommand(args: string[], out: Output): Promise<number> {
  const { values } = parse(args, { key: { type: 'boolean', default: false } }, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  await using steno = await openFromArgs(values);
  if (values.key) {
    out.stdout(values.json ? `${JSON.stringify({ verifierKey: steno.verifierKey })}\n` : `${steno.verifierKey}\n`);
    return 0;
  }
  const latest = (await steno.store.latestCheckpoint()) ?? (await steno.ledger.checkpoint());
  if (values.json) {
    const body = parseCheckpoint(latest.note.slice(0, latest.note.indexOf('\n\n') + 1));
    out.stdout(
      `${JSON.stringify({ origin: body.origin, treeSize: latest.size, root: latest.root.toString('base64'), createdAt: latest.createdAt, note: latest.note })}\n`,
    );
  } else {
    out.stdout(latest.note);
  }
  return 0;
}
