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
