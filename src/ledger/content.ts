/**
 * The content vault: the one interface through which record content and salts are read and written
 * (writes go through LedgerWriteTx.putContents). Encryption at rest with firm-held keys and
 * crypto-shredding wrap this interface; the ledger, importers and search stay as they are.
 */
export interface StoredContent {
  index: number;
  salt: Buffer;
  content: Buffer;
}

export interface ContentReader {
  readContents(indexes: readonly number[]): Promise<Map<number, StoredContent>>;
}

/** A record other than a message (an import, a directory change), with its content (null once shredded). */
export interface StoredRecord {
  index: number;
  id: string;
  leaf: Buffer;
  content: Buffer | null;
}

/** Records of one type, in ledger order; indexed by type, so without reading every leaf. */
export interface RecordsByType {
  /** Those after ledger index `afterIndex` (all, by default), the first `limit` of them if given. */
  recordsOfType(type: string, afterIndex?: number, limit?: number): Promise<StoredRecord[]>;
}
