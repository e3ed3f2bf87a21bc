/**
 * Reference turnover in the ledger: `steno turnover import FILE.csv` records the file's rows as one
 * `reference` record, so that a low-turnover alert can show the figures it was judged on, as they were
 * imported. Importing the same file again records nothing; a later file's figure for a stock and day
 * replaces an earlier one's.
 */
import { canonicalBytes } from '../../core/canonical-json.js';
import { sha256Hex } from '../../core/hash.js';
import { newRecordId } from '../../core/ids.js';
import type { RecordsByType } from '../../ledger/content.js';
import { type Ledger, type LedgerWriteTx, prepareRecord } from '../../ledger/log.js';
import { parseTurnoverCsv, type TurnoverRow } from './trading.js';

export const REFERENCE_RECORD = 'reference';

/** The content of a `reference` ledger record. */
export interface TurnoverRecordContent {
  kind: 'turnover';
  file: string;
  sha256: string;
  by: string;
  rows: TurnoverRow[];
}

export interface TurnoverImportResult {
  file: string;
  rows: number;
  /** False when the same file was imported before. */
  recorded: boolean;
  /** The ledger index of the record holding the rows. */
  index: number;
}

export class TurnoverReference<Tx extends LedgerWriteTx = LedgerWriteTx> {
  private readonly byDay = new Map<string, TurnoverRow>();
  private rows: TurnoverRow[] | null = null;
  private through = -1;

  constructor(
    private readonly ledger: Ledger<Tx>,
    private readonly records: RecordsByType,
  ) {}

  async importCsv(text: string, options: { file: string; by: string }): Promise<TurnoverImportResult> {
    const rows = parseTurnoverCsv(text, options.file);
    const sha256 = sha256Hex(Buffer.from(text, 'utf8'));
    for (const r of await this.records.recordsOfType(REFERENCE_RECORD)) {
      if (r.content === null) continue;
      const content = JSON.parse(r.content.toString('utf8')) as TurnoverRecordContent;
      if (content.kind === 'turnover' && content.sha256 === sha256) {
        return { file: options.file, rows: content.rows.length, recorded: false, index: r.index };
      }
    }
    const content: TurnoverRecordContent = { kind: 'turnover', file: options.file, sha256, by: options.by, rows };
    const appended = await this.ledger.append(async (_tx, appender) =>
      appender.append(prepareRecord(REFERENCE_RECORD, newRecordId(), canonicalBytes(content))),
    );
    return { file: options.file, rows: rows.length, recorded: true, index: appended.index };
  }

  /**
   * Every stock's turnover by day, the latest import's figure where files overlap, and the ledger index
   * of the last reference record read. Records read once are kept: only newer ones are read again.
   */
  async load(): Promise<{ rows: TurnoverRow[]; through: number }> {
    const newer = await this.records.recordsOfType(REFERENCE_RECORD, this.through);
    for (const r of newer) {
      this.through = r.index;
      if (r.content === null) continue;
      const content = JSON.parse(r.content.toString('utf8')) as TurnoverRecordContent;
      if (content.kind !== 'turnover') continue;
      for (const row of content.rows) this.byDay.set(`${row.symbol} ${row.date}`, row);
      this.rows = null;
    }
    this.rows ??= [...this.byDay.values()];
    return { rows: this.rows, through: this.through };
  }
}
