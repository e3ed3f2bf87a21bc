import { directoryCsv, type EntryKind } from '../../capture/directory/directory.js';
import { parseHandle } from '../../capture/directory/handles.js';
import { localOperator } from '../../capture/importers/source-file.js';
import { parseDateFilter } from '../../review/search.js';
import { parse, UsageError } from '../args.js';
import { readTextFile } from '../files.js';
import type { Output } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno directory import staff|clients FILE.csv [--json] [--data DIR]
       steno directory export staff|clients [--data DIR]
       steno directory resolve PLATFORM:HANDLE [--at DATE] [--json] [--data DIR]
  The directory of staff and clients and their IM handles. CSV headers (more columns may follow;
  multi-valued cells are |-separated; a handle is platform:handle, e.g. whatsapp:+85291234567):
    staff    employee_id,name,desk,supervisor_id,handles
    clients  client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed
  An import checks every row first (errors name the line) and stores nothing if one is bad; each new or
  changed entry becomes a ledger record (who, when, from which line); nothing is overwritten.
  resolve says who held a handle at a time (default now): a handle reassigned later keeps its history.`;

function kindOf(value: string | undefined): EntryKind {
  if (value === 'staff') return 'staff';
  if (value === 'clients' || value === 'client') return 'client';
  throw new UsageError(`give staff or clients\n\n${USAGE}`);
}

export async function directoryCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(args, { at: { type: 'string' } }, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [action, target, file, ...extra] = positionals;
  if (action === 'import') {
    const kind = kindOf(target);
    if (file === undefined || extra.length > 0) throw new UsageError(`give one FILE.csv\n\n${USAGE}`);
    const text = await readTextFile(file);
    await using steno = await openFromArgs(values, true);
    const result = await steno.directory.importCsv(kind, text, { file, by: localOperator() });
    await steno.ledger.checkpoint();
    if (values.json) out.stdout(`${JSON.stringify({ file, kind, ...result })}\n`);
    else
      out.stdout(
        `${result.changed} ${kind} entr${result.changed === 1 ? 'y' : 'ies'} recorded, ${result.unchanged} unchanged\n`,
      );
    return 0;
  }
  if (action === 'export') {
    const kind = kindOf(target);
    if (file !== undefined) throw new UsageError(`export writes to standard output\n\n${USAGE}`);
    await using steno = await openFromArgs(values);
    out.stdout(directoryCsv(await steno.directory.load(), kind));
    return 0;
  }
  if (action === 'resolve') {
    if (target === undefined || file !== undefined) throw new UsageError(`give one PLATFORM:HANDLE\n\n${USAGE}`);
    const handle = parseHandle(target);
    if (typeof handle === 'string') throw new UsageError(handle);
    const at = values.at === undefined ? Date.now() : parseDateFilter(values.at, '--at');
    await using steno = await openFromArgs(values);
    const party = (await steno.directory.load()).resolve(handle.platform, handle.handle, at);
    if (values.json)
      out.stdout(
        `${JSON.stringify({ handle: `${handle.platform}:${handle.handle}`, at: new Date(at).toISOString(), party })}\n`,
      );
    else
      out.stdout(
        party === null
          ? 'unknown: no client or staff member holds this handle\n'
          : `${party.kind} ${party.id} (${party.name})\n`,
      );
    return 0;
  }
  throw new UsageError(`give import, export or resolve\n\n${USAGE}`);
}
