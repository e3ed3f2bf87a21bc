/**
 * The firm's security master in the archive. `steno instruments import FILE.csv` checks the file and
 * appends it to the ledger as one `instruments` record (the instruments, the file's name and SHA-256,
 * who imported it); the latest such record is the master in force. Keeping it in the ledger says, for
 * every order read from chat, which master it was read with, on every node, without a shared folder.
 */
import { canonicalBytes } from '../../core/canonical-json.js';
import { sha256Hex } from '../../core/hash.js';
import { newRecordId } from '../../core/ids.js';
import type { RecordsByType } from '../../ledger/content.js';
import { type Ledger, type LedgerWriteTx, prepareRecord } from '../../ledger/log.js';
import { type Instrument, parseInstrumentsCsv, SecurityMaster } from './instruments.js';

export const INSTRUMENTS_RECORD = 'instruments';

/** The content of an `instruments` ledger record. */
export interface InstrumentsChange {
  file: string;
  sha256: string;
  by: string;
  instruments: Instrument[];
}

export interface MasterInForce {
  master: SecurityMaster;
  /** The ledger index of the record it came from. */
  index: number;
  file: string;
}

export class SecurityMasterService<Tx extends LedgerWriteTx = LedgerWriteTx> {
  private current: MasterInForce | null = null;
  private readThrough = -1;

  constructor(
    private readonly ledger: Ledger<Tx>,
    private readonly records: RecordsByType,
  ) {}

  /** Checks every row (errors name line and column) and records the master; nothing is stored if one is bad. */
  async importCsv(
    text: string,
    options: { file: string; by: string },
  ): Promise<{ instruments: number; index: number; unchanged: boolean }> {
    const instruments = parseInstrumentsCsv(text, options.file);
    const current = await this.load();
    if (current !== null && canonicalBytes(current.master.instruments).equals(canonicalBytes(instruments))) {
      return { instruments: instruments.length, index: current.index, unchanged: true };
    }
    const change: InstrumentsChange = {
      file: options.file,
      sha256: sha256Hex(Buffer.from(text, 'utf8')),
      by: options.by,
      instruments,
    };
    const record = prepareRecord(INSTRUMENTS_RECORD, newRecordId(), canonicalBytes(change));
    const index = await this.ledger.append(async (_tx, appender) => appender.append(record).index);
    return { instruments: instruments.length, index, unchanged: false };
  }

  /** The master in force: the latest `instruments` record (read again only when a newer one exists). */
  async load(): Promise<MasterInForce | null> {
    const newer = await this.records.recordsOfType(INSTRUMENTS_RECORD, this.readThrough);
    for (const record of newer) {
      this.readThrough = record.index;
      if (record.content === null) continue; // shredded at the end of its retention
      const change = JSON.parse(record.content.toString('utf8')) as InstrumentsChange;
      this.current = { master: new SecurityMaster(change.instruments), index: record.index, file: change.file };
    }
    return this.current;
  }
}
