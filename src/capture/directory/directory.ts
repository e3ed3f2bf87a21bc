/**
 * The directory of staff and clients: who holds which IM handle, and since when. Every change is a
 * ledger record (type `directory`: one entry's new state, who made it, from which file and line);
 * nothing is overwritten. The directory in memory is those records replayed in ledger order, with a
 * timeline per handle, so that a handle given to someone else later does not change who sent the
 * messages before (SFC circular 2a: clients who send orders by IM are identified and registered).
 */
import { canonicalBytes } from '../../core/canonical-json.js';
import { csvField, parseCsv } from '../../core/csv.js';
import { describeProblems, type Problem, StenoError } from '../../core/errors.js';
import { newRecordId } from '../../core/ids.js';
import type { RecordsByType } from '../../ledger/content.js';
import { type Ledger, type LedgerWriteTx, prepareRecord } from '../../ledger/log.js';
import { parseLeaf } from '../../ledger/records.js';
import { handleKey, normaliseHandle, parseHandle } from './handles.js';

export type EntryKind = 'staff' | 'client';

export interface StaffEntry {
  kind: 'staff';
  id: string;
  name: string;
  desk: string;
  supervisorId: string | null;
  /** `platform:handle`, normalised. */
  handles: string[];
}

/** A client, with the evidence for its registered handles (how, when and by whom they were verified). */
export interface ClientEntry {
  kind: 'client';
  id: string;
  name: string;
  accounts: string[];
  handles: string[];
  verifiedAt: string | null;
  verifiedBy: string | null;
  verificationMethod: string | null;
  /** A reference to the client's written acknowledgement (an attachment's SHA-256 or document id). */
  acknowledgement: string | null;
  /** Whether the client's orders normally arrive by IM. */
  imInstructed: boolean;
}

export type DirectoryEntry = StaffEntry | ClientEntry;

/** The content of a `directory` ledger record. */
export interface DirectoryChange {
  entry: DirectoryEntry;
  by: string;
  source?: { file: string; line: number };
}

export interface Party {
  kind: EntryKind;
  id: string;
  name: string;
}

export const STAFF_HEADERS = ['employee_id', 'name', 'desk', 'supervisor_id', 'handles'] as const;
export const CLIENT_HEADERS = [
  'client_id',
  'name',
  'accounts',
  'handles',
  'verified_at',
  'verified_by',
  'verification_method',
  'acknowledgement',
  'im_instructed',
] as const;

const RECORD_TYPE = 'directory';
const ID = /^[^\s|,]{1,128}$/;

interface HandleEvent {
  fromMs: number;
  owner: { kind: EntryKind; id: string } | null;
}

export class Directory {
  private readonly entries = new Map<string, DirectoryEntry>();
  private readonly timelines = new Map<string, HandleEvent[]>();

  static entryKey(kind: EntryKind, id: string): string {
    return `${kind}:${id}`;
  }

  get(kind: EntryKind, id: string): DirectoryEntry | undefined {
    return this.entries.get(Directory.entryKey(kind, id));
  }

  list(kind: EntryKind): DirectoryEntry[] {
    return [...this.entries.values()].filter((e) => e.kind === kind).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Applies one change, made at `atMs` (the record's capture time). */
  apply(entry: DirectoryEntry, atMs: number): void {
    const key = Directory.entryKey(entry.kind, entry.id);
    const before = new Set(this.entries.get(key)?.handles ?? []);
    const after = new Set(entry.handles);
    const owner = { kind: entry.kind, id: entry.id };
    for (const h of before) {
      if (after.has(h)) continue;
      const last = this.timelines.get(h)?.at(-1);
      if (last?.owner?.kind === entry.kind && last.owner.id === entry.id)
        this.timelines.get(h)!.push({ fromMs: atMs, owner: null });
    }
    for (const h of after) {
      if (before.has(h)) continue;
      const timeline = this.timelines.get(h) ?? [];
      timeline.push({ fromMs: atMs, owner });
      this.timelines.set(h, timeline);
    }
    this.entries.set(key, entry);
  }

  /**
   * Who held a handle when a message was sent: the holder at that time, or, for a message older than
   * the handle's first registration, its first holder (the registration records a client the firm
   * already dealt with). Null when no one in the directory ever held it.
   */
  resolve(platform: string, handle: string, atMs: number): Party | null {
    const timeline = this.timelines.get(`${platform}:${normaliseHandle(platform, handle)}`);
    if (timeline === undefined || timeline.length === 0) return null;
    let event = timeline[0]!;
    for (const e of timeline) {
      if (e.fromMs > atMs) break;
      event = e;
    }
    if (event.owner === null) return null;
    const entry = this.get(event.owner.kind, event.owner.id);
    return entry === undefined ? null : { kind: entry.kind, id: entry.id, name: entry.name };
  }

  /**
   * When a party held each of its handles: from (the first holder of a handle also holds it before its
   * registration, as resolve() reads it) until the handle was released or given to someone else.
   */
  holdings(kind: EntryKind, id: string): { handle: string; fromMs: number; untilMs: number }[] {
    const out: { handle: string; fromMs: number; untilMs: number }[] = [];
    for (const [handle, timeline] of this.timelines) {
      timeline.forEach((e, i) => {
        if (e.owner?.kind !== kind || e.owner.id !== id) return;
        out.push({
          handle,
          fromMs: i === 0 ? Number.NEGATIVE_INFINITY : e.fromMs,
          untilMs: timeline[i + 1]?.fromMs ?? Number.POSITIVE_INFINITY,
        });
      });
    }
    return out;
  }

  /** Every handle a party ever held, for selecting its messages (each hit is then checked by time). */
  handlesEverHeld(kind: EntryKind, id: string): string[] {
    const out: string[] = [];
    for (const [handle, timeline] of this.timelines) {
      if (timeline.some((e) => e.owner?.kind === kind && e.owner.id === id)) out.push(handle);
    }
    return out.sort();
  }
}

export class DirectoryService<Tx extends LedgerWriteTx = LedgerWriteTx> {
  private readonly ledger: Ledger<Tx>;
  private readonly records: RecordsByType;
  /** Replayed from the ledger's directory records up to `applied`. */
  private readonly directory = new Directory();
  private applied = -1;
  private loading: Promise<Directory> = Promise.resolve(this.directory);

  constructor(options: { ledger: Ledger<Tx>; records: RecordsByType }) {
    this.ledger = options.ledger;
    this.records = options.records;
  }

  /** The ledger index of the last directory change loaded (-1 for none). */
  get appliedThrough(): number {
    return this.applied;
  }

  /**
   * The directory as the ledger holds it now. Kept between calls and brought up to date with only the
   * records appended since (by this process or another), in ledger order: search calls this each time.
   */
  load(): Promise<Directory> {
    // One catch-up at a time: changes must be applied once each, in order.
    this.loading = this.loading.catch(() => undefined).then(() => this.catchUp());
    return this.loading;
  }

  private async catchUp(): Promise<Directory> {
    for (const record of await this.records.recordsOfType(RECORD_TYPE, this.applied)) {
      this.applied = record.index;
      if (record.content === null) continue; // shredded at the end of its retention
      const change = JSON.parse(record.content.toString('utf8')) as DirectoryChange;
      this.directory.apply(change.entry, Date.parse(parseLeaf(record.leaf).capturedAt));
    }
    return this.directory;
  }

  /**
   * Imports a CSV of staff or clients. Every row is checked first: any problem rejects the file, each
   * problem named by line, and nothing is stored. Then each new or changed entry is one ledger record,
   * all in one transaction; unchanged rows store nothing.
   */
  async importCsv(
    kind: EntryKind,
    text: string,
    options: { file: string; by: string },
  ): Promise<{ changed: number; unchanged: number }> {
    const directory = await this.load();
    const entries = parseDirectoryCsv(kind, text, options.file, directory);
    const changes: DirectoryChange[] = [];
    let unchanged = 0;
    for (const { entry, line } of entries) {
      const current = directory.get(entry.kind, entry.id);
      if (current !== undefined && canonicalBytes(current).equals(canonicalBytes(entry))) {
        unchanged++;
        continue;
      }
      changes.push({ entry, by: options.by, source: { file: options.file, line } });
    }
    if (changes.length > 0) {
      const capturedAt = new Date().toISOString();
      const records = changes.map((c) => prepareRecord(RECORD_TYPE, newRecordId(), canonicalBytes(c), capturedAt));
      await this.ledger.append(async (_tx, appender) => {
        for (const r of records) appender.append(r);
      });
    }
    return { changed: changes.length, unchanged };
  }
}

const split = (cell: string) =>
  cell
    .split('|')
    .map((v) => v.trim())
    .filter((v) => v !== '');

/** A value exported as `'=…` (so a spreadsheet shows it rather than runs it) reads back as `=…`. */
function unguarded(value: string): string {
  return /^'[=+\-@]/.test(value) ? value.slice(1) : value;
}

/** Checks every row of a directory CSV; throws listing each problem by line. */
export function parseDirectoryCsv(
  kind: EntryKind,
  text: string,
  file: string,
  directory: Directory,
): { entry: DirectoryEntry; line: number }[] {
  const records = parseCsv(text, file);
  const headers: readonly string[] = kind === 'staff' ? STAFF_HEADERS : CLIENT_HEADERS;
  const header = records[0];
  if (header === undefined || headers.some((h, i) => header.fields[i]?.trim().toLowerCase() !== h)) {
    throw new StenoError(
      'invalid_input',
      `${file}: line 1 must be the header ${headers.join(',')} (more columns may follow)`,
    );
  }
  const problems: Problem[] = [];
  const out: { entry: DirectoryEntry; line: number }[] = [];
  const ids = new Map<string, number>();
  const handleLines = new Map<string, number>();
  const staffIds = new Set([...directory.list('staff').map((s) => s.id)]);
  if (kind === 'staff') for (const r of records.slice(1)) staffIds.add((r.fields[0] ?? '').trim());
  for (const record of records.slice(1)) {
    const where = `line ${record.line}`;
    const problem = (field: string, message: string) => problems.push({ where: `${where}.${field}`, message });
    const cell = (name: string) => unguarded((record.fields[headers.indexOf(name)] ?? '').trim());
    const id = cell(headers[0]!);
    if (!ID.test(id)) problem(headers[0]!, 'must be 1 to 128 characters without spaces, | or ,');
    else if (ids.has(id)) problem(headers[0]!, `repeats the id on line ${ids.get(id)}`);
    else ids.set(id, record.line);
    const name = cell('name');
    if (name === '' || name.length > 512) problem('name', 'must be 1 to 512 characters');
    const handles: string[] = [];
    for (const text of split(cell('handles'))) {
      const parsed = parseHandle(text);
      if (typeof parsed === 'string') {
        problem('handles', parsed);
        continue;
      }
      const key = handleKey(parsed);
      const other = handleLines.get(key);
      if (other !== undefined) problem('handles', `${key} is also on line ${other}`);
      else handleLines.set(key, record.line);
      if (!handles.includes(key)) handles.push(key);
    }
    if (kind === 'staff') {
      const supervisor = cell('supervisor_id');
      if (supervisor !== '' && !staffIds.has(supervisor)) problem('supervisor_id', `no staff member ${supervisor}`);
      if (supervisor === id && id !== '') problem('supervisor_id', 'cannot be the staff member themself');
      out.push({
        line: record.line,
        entry: {
          kind: 'staff',
          id,
          name,
          desk: cell('desk'),
          supervisorId: supervisor === '' ? null : supervisor,
          handles,
        },
      });
      continue;
    }
    const verifiedAt = cell('verified_at');
    if (
      verifiedAt !== '' &&
      (!/^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:\d\d)?)?$/.test(verifiedAt) || Number.isNaN(Date.parse(verifiedAt)))
    ) {
      problem('verified_at', 'must be an ISO 8601 date, e.g. 2026-03-01 or 2026-03-01T10:00:00+08:00');
    }
    const verifiedBy = cell('verified_by');
    if (verifiedBy !== '' && !staffIds.has(verifiedBy)) problem('verified_by', `no staff member ${verifiedBy}`);
    const imCell = cell('im_instructed').toLowerCase();
    const imInstructed = ['true', 'yes', 'y', '1'].includes(imCell);
    if (!imInstructed && !['', 'false', 'no', 'n', '0'].includes(imCell))
      problem('im_instructed', 'must be true or false');
    const orNull = (v: string) => (v === '' ? null : v);
    out.push({
      line: record.line,
      entry: {
        kind: 'client',
        id,
        name,
        accounts: split(cell('accounts')),
        handles,
        verifiedAt: orNull(verifiedAt),
        verifiedBy: orNull(verifiedBy),
        verificationMethod: orNull(cell('verification_method')),
        acknowledgement: orNull(cell('acknowledgement')),
        imInstructed,
      },
    });
  }
  if (problems.length > 0) {
    throw new StenoError(
      'invalid_input',
      `${problems.length} problem(s) in ${file}; nothing was stored:\n${describeProblems(problems.slice(0, 50))}`,
      { problems },
    );
  }
  return out;
}

/** The directory's current entries of a kind as CSV, in the contract's headers. */
export function directoryCsv(directory: Directory, kind: EntryKind): string {
  const headers = kind === 'staff' ? STAFF_HEADERS : CLIENT_HEADERS;
  const rows = directory
    .list(kind)
    .map((e) =>
      e.kind === 'staff'
        ? [e.id, e.name, e.desk, e.supervisorId ?? '', e.handles.join('|')]
        : [
            e.id,
            e.name,
            e.accounts.join('|'),
            e.handles.join('|'),
            e.verifiedAt ?? '',
            e.verifiedBy ?? '',
            e.verificationMethod ?? '',
            e.acknowledgement ?? '',
            e.imInstructed ? 'true' : 'false',
          ],
    );
  return `${[headers.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\r\n')}\r\n`;
}
