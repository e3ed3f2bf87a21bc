/** Small settings fixed when a log is created (its origin), kept with the data they describe. */
export interface MetaStorage {
  getMeta(key: string): Promise<string | null>;
  /** Sets key unless it is set already; returns the value now stored. */
  setMetaIfAbsent(key: string, value: string): Promise<string>;
  /**
   * Sets key to value if it now holds `expected` (null: if it is not set); otherwise throws `conflict`.
   * How small states shared between processes (media fetching, channel health) move on safely.
   */
  setMetaIfEquals(key: string, expected: string | null, value: string): Promise<void>;
  /** Every key starting with prefix, with its value, in key order. */
  metaWithPrefix(prefix: string): Promise<{ key: string; value: string }[]>;
}

/** The meta key holding the last full verification (`steno verify`): when, and what it found. */
export const LAST_VERIFICATION = 'last_verification';
