/**
 * Account activity in the archive. `steno activity import` reads a FIX log or an orders or executions
 * CSV, and appends each event it has not seen before as one `activity` ledger record (the event as read,
 * the message or row as written, the file and line), then the import itself as an `import` record.
 * Re-importing a file, or a log that overlaps one imported before, appends nothing for what is known.
 *
 * The activity projection follows the ledger the way the order projection does: one row per activity
 * record, with the firm order it belongs to worked out (a replacement's or an execution report's chain of
 * ClOrdIDs leads back to the order as first entered), which is what reconciliation reads.
 */
import { canonicalBytes } from '../../core/canonical-json.js';
import { CatchUpRunner, parseRecordProgress, type RecordProgress } from '../../core/catch-up.js';
import { StenoError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { newRecordId } from '../../core/ids.js';
import type { RecordsByType } from '../../ledger/content.js';
import { type Ledger, type LedgerWriteTx, type PreparedRecord, prepareRecord } from '../../ledger/log.js';
import { parseLeaf } from '../../ledger/records.js';
import type { ActivityRowValues } from '../../store/activity.js';
import { type CsvActivity, parseExecutionsCsv, parseOrdersCsv } from './csv.js';
import { parseFixLog } from './fix.js';
import type { ActivityEvent, ActivityFormat, ActivityProblem } from './model.js';

export const ACTIVITY_RECORD = 'activity';
/** Bumped when the projection's rows change meaning: it is then rebuilt from the ledger. */
export const ACTIVITY_PROJECTION_VERSION = 1;
/** Records appended per ledger transaction: large enough to amortise a commit, small enough to hold. */
const RECORDS_PER_APPEND = 2000;
const RECORDS_PER_READ = 5000;
/** Problems kept in the import record and the summary; the count says how many there were in all. */
const PROBLEMS_KEPT = 100;

/** The content of an `activity` ledger record. */
export interface ActivityRecordContent {
  /** The id of the `import` record of the file it came from. */
  import: string;
  format: ActivityFormat;
  file: string;
  line: number;
  event: ActivityEvent;
  /** The FIX message (delimited by SOH) or the CSV row, as written. */
  raw: string;
}

/** An activity record as the projection holds it. */
export interface StoredActivity {
  key: string;
  leafIndex: number;
  recordId: string;
  /** When the record was captured (its leaf's capturedAt): a CSV's later state was known by then. */
  recordedAt: string;
  format: ActivityFormat;
  file: string;
  line: number;
  /** The firm order, as first entered, that the event belongs to. */
  rootOrderId: string;
  event: ActivityEvent;
}

export interface ActivityWrite {
  expectedState: string | null;
  state: string;
  /** Delete every row first (a rebuild). */
  reset: boolean;
  rows: ActivityRowValues[];
}

/** What the activity archive needs of storage. */
export interface ActivityStorage extends RecordsByType {
  treeSize(): Promise<number>;
  /** The projection's progress as last written (null before the first write). */
  activityState(): Promise<string | null>;
  /** Which of these event keys the projection holds. */
  knownActivityKeys(keys: readonly string[]): Promise<Set<string>>;
  /** The root order of each of these order ids (ClOrdIDs) the projection knows. */
  rootOrderIds(orderIds: readonly string[]): Promise<Map<string, string>>;
  /** Throws a `conflict` StenoError when the state is no longer `expectedState`. */
  writeActivity(write: ActivityWrite): Promise<void>;
  /** Every event of the firm orders with an event timed in [fromMs, toMs), in ledger order. */
  activityForPeriod(fromMs: number, toMs: number): Promise<StoredActivity[]>;
  /** How many events the records in (afterIndex, throughIndex] hold, and the times they span. */
  activitySpan(afterIndex: number, throughIndex: number): Promise<ActivitySpan>;
}

export interface ActivitySpan {
  events: number;
  fromMs: number | null;
  toMs: number | null;
}

export interface ActivityImportResult {
  file: string;
  format: ActivityFormat;
  /** Messages (FIX) or rows (CSV) read. */
  read: number;
  /** Activity events among them (FIX session messages, heartbeats and the like are not activity). */
  events: number;
  recorded: number;
  /** Events already in the archive (from this file before, or an overlapping one). */
  known: number;
  /** Messages reported and skipped: bad BodyLength, CheckSum, or a required field missing. */
  skipped: ActivityProblem[];
  skippedCount: number;
  /** The `import` record's id, when anything was recorded. */
  importId: string | null;
}

interface ReadEntry {
  line: number;
  event: ActivityEvent;
  raw: string;
}

/** The identity of an event: a FIX message by its bytes (either delimiter), a CSV row by what it says. */
export function activityKey(format: ActivityFormat, event: ActivityEvent, raw: string): string {
  const identity = format === 'fix' ? raw : canonicalBytes(event).toString('utf8');
  return sha256Hex(Buffer.from(`${format}\n${identity}`, 'utf8'));
}

function readFile(format: ActivityFormat, data: Buffer, file: string) {
  if (format === 'fix') {
    const parsed = parseFixLog(data);
    if (parsed.messages.length === 0 && parsed.problems.length === 0) {
      throw new StenoError('invalid_input', `${file}: no FIX message (8=FIX.4.x|9=…) was found`);
    }
    const entries: ReadEntry[] = [];
    for (const m of parsed.messages) if (m.event !== null) entries.push({ line: m.line, event: m.event, raw: m.raw });
    return { read: parsed.messages.length, entries, problems: parsed.problems };
  }
  const text = decodeUtf8(data, file);
  const rows: CsvActivity<ActivityEvent>[] =
    format === 'orders-csv' ? parseOrdersCsv(text, file) : parseExecutionsCsv(text, file);
  return { read: rows.length, entries: rows as ReadEntry[], problems: [] as ActivityProblem[] };
}

function decodeUtf8(data: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new StenoError('invalid_input', `${file}: is not UTF-8 text`);
  }
}

export class ActivityArchive<Tx extends LedgerWriteTx = LedgerWriteTx> {
  private readonly runner = new CatchUpRunner(() => this.run());

  constructor(
    private readonly ledger: Ledger<Tx>,
    private readonly storage: ActivityStorage,
  ) {}

  /**
   * Reads the file (a bad FIX message is reported and skipped; a bad CSV row refuses the file), then
   * records the events the archive does not hold yet, in file order, and the import.
   */
  async importFile(options: {
    format: ActivityFormat;
    data: Buffer;
    file: string;
    by: string;
  }): Promise<ActivityImportResult> {
    const { format, file } = options;
    const { read, entries, problems } = readFile(format, options.data, file);
    await this.catchUp();
    const byKey = new Map<string, ReadEntry>();
    for (const entry of entries) {
      const key = activityKey(format, entry.event, entry.raw);
      if (!byKey.has(key)) byKey.set(key, entry);
    }
    const known = await this.storage.knownActivityKeys([...byKey.keys()]);
    const fresh = [...byKey].filter(([key]) => !known.has(key)).map(([, entry]) => entry);
    const result: ActivityImportResult = {
      file,
      format,
      read,
      events: entries.length,
      recorded: fresh.length,
      known: entries.length - fresh.length,
      skipped: problems.slice(0, PROBLEMS_KEPT),
      skippedCount: problems.length,
      importId: null,
    };
    if (fresh.length === 0) return result;

    const importId = newRecordId();
    const capturedAt = new Date().toISOString();
    // Appended a transaction at a time, the next prepared while one commits; the import record comes
    // last, so it is only there once every event it counts is.
    let inFlight: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < fresh.length; i += RECORDS_PER_APPEND) {
      const records: PreparedRecord[] = fresh.slice(i, i + RECORDS_PER_APPEND).map((entry) => {
        const content: ActivityRecordContent = {
          import: importId,
          format,
          file,
          line: entry.line,
          event: entry.event,
          raw: entry.raw,
        };
        return prepareRecord(ACTIVITY_RECORD, newRecordId(), canonicalBytes(content), capturedAt);
      });
      await inFlight;
      inFlight = this.ledger.append(async (_tx, appender) => {
        for (const r of records) appender.append(r);
      });
    }
    await inFlight;
    const record = prepareRecord(
      'import',
      importId,
      canonicalBytes({
        kind: 'activity',
        format,
        file,
        sha256: sha256Hex(options.data),
        by: options.by,
        read,
        events: entries.length,
        recorded: fresh.length,
        known: result.known,
        skippedCount: problems.length,
        skipped: result.skipped,
      }),
      capturedAt,
    );
    await this.ledger.append(async (_tx, appender) => appender.append(record));
    result.importId = importId;
    await this.catchUp();
    return result;
  }

  /** Brings the projection up to every activity record in the ledger; returns how many it added. */
  catchUp(): Promise<number> {
    return this.runner.catchUp();
  }

  /** Every event of the firm orders with activity in [fromMs, toMs), after catching up. */
  async forPeriod(fromMs: number, toMs: number): Promise<StoredActivity[]> {
    await this.catchUp();
    return this.storage.activityForPeriod(fromMs, toMs);
  }

  /** The events recorded in (afterIndex, throughIndex] and the times they span, after catching up. */
  async spanOfRecords(afterIndex: number, throughIndex: number): Promise<ActivitySpan> {
    await this.catchUp();
    return this.storage.activitySpan(afterIndex, throughIndex);
  }

  private async run(): Promise<number> {
    let expected = await this.storage.activityState();
    const previous = parseRecordProgress(expected);
    const reset = previous === null || previous.version !== ACTIVITY_PROJECTION_VERSION;
    let state: RecordProgress = reset ? { version: ACTIVITY_PROJECTION_VERSION, through: -1 } : previous;
    let first = reset;
    const end = (await this.storage.treeSize()) - 1;
    let added = 0;
    while (state.through < end) {
      const records = (await this.storage.recordsOfType(ACTIVITY_RECORD, state.through, RECORDS_PER_READ)).filter(
        (r) => r.index <= end,
      );
      if (records.length === 0) break;
      const stored: StoredActivity[] = [];
      for (const r of records) {
        if (r.content === null) continue; // shredded at the end of its retention
        const content = JSON.parse(r.content.toString('utf8')) as ActivityRecordContent;
        stored.push({
          key: activityKey(content.format, content.event, content.raw),
          leafIndex: r.index,
          recordId: r.id,
          recordedAt: parseLeaf(r.leaf).capturedAt,
          format: content.format,
          file: content.file,
          line: content.line,
          rootOrderId: '',
          event: content.event,
        });
      }
      await this.resolveRoots(stored);
      const next: RecordProgress = { version: ACTIVITY_PROJECTION_VERSION, through: records.at(-1)!.index };
      const write: ActivityWrite = {
        expectedState: expected,
        state: JSON.stringify(next),
        reset: first,
        rows: stored.map(rowValues),
      };
      await this.storage.writeActivity(write);
      expected = write.state;
      state = next;
      first = false;
      added += stored.length;
    }
    if (first) {
      // Nothing to read, but a new or changed projection still records its version.
      const write = { expectedState: expected, state: JSON.stringify(state), reset: true, rows: [] };
      await this.storage.writeActivity(write);
    }
    return added;
  }

  /**
   * The firm order each event belongs to: an order is its own root; a replacement or cancellation
   * request belongs to the root of the order it names (OrigClOrdID); an execution report to the root of
   * its ClOrdID, else of its OrigClOrdID. An id not seen (yet) is taken as a root of its own.
   */
  private async resolveRoots(batch: StoredActivity[]): Promise<void> {
    const wanted = new Set<string>();
    for (const a of batch) {
      wanted.add(a.event.orderId);
      if (a.event.kind !== 'order' && a.event.origOrderId !== null) wanted.add(a.event.origOrderId);
    }
    const roots = await this.storage.rootOrderIds([...wanted]);
    for (const a of batch) {
      const e = a.event;
      let root: string;
      if (e.kind === 'order') root = roots.get(e.orderId) ?? e.orderId;
      else if (e.kind === 'execution') {
        root =
          roots.get(e.orderId) ??
          (e.origOrderId === null ? undefined : roots.get(e.origOrderId)) ??
          e.origOrderId ??
          e.orderId;
      } else root = roots.get(e.origOrderId) ?? e.origOrderId;
      a.rootOrderId = root;
      if (!roots.has(e.orderId)) roots.set(e.orderId, root);
    }
  }
}

function rowValues(a: StoredActivity): ActivityRowValues {
  const atMs = a.event.at === null ? null : Date.parse(a.event.at);
  return [a.key, a.leafIndex, a.event.kind, a.event.orderId, a.rootOrderId, a.event.account, atMs, JSON.stringify(a)];
}
