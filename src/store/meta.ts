/** Small settings fixed when a log is created (its origin), kept with the data they describe. */
export interface MetaStorage {
  getMeta(key: string): Promise<string | null>;
  /** Sets key unless it is set already; returns the value now stored. */
  setMetaIfAbsent(key: string, value: string): Promise<string>;
}
