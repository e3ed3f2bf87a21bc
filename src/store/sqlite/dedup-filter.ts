/**
 * An in-memory Bloom filter over every stored dedup key, so that new messages (nearly all of them)
 * are known to be new without a lookup. Dedup keys are SHA-256 digests, so the filter's bit positions are
 * read straight from the key bytes. A "maybe" is confirmed against the database; a "no" is certain.
 */
const HASHES = 7;
const BITS_PER_KEY = 12; // about 0.3% false positives at capacity

export class DedupFilter {
  private bits: Uint32Array;
  private capacity: number;
  private count = 0;
  /** Every message with a leaf index below this is in the filter. */
  coveredSize = 0;

  constructor(capacity = 1 << 20) {
    this.capacity = capacity;
    this.bits = new Uint32Array(Math.ceil((capacity * BITS_PER_KEY) / 32));
  }

  get full(): boolean {
    return this.count > this.capacity;
  }

  /** A filter for at least `count` keys with room to grow. */
  static forCount(count: number): DedupFilter {
    return new DedupFilter(Math.max(1 << 20, 2 ** Math.ceil(Math.log2(count * 2 + 1))));
  }

  /** The i-th bit position: the key's i-th big-endian 32-bit word, modulo the filter's size. */
  private bitOf(key: Uint8Array, i: number): number {
    const o = i * 4;
    const word = ((key[o]! << 24) | (key[o + 1]! << 16) | (key[o + 2]! << 8) | key[o + 3]!) >>> 0;
    return word % (this.bits.length * 32);
  }

  // Plain loops: this runs for every key read at start and every message ingested.
  add(key: Uint8Array): void {
    this.count++;
    for (let i = 0; i < HASHES; i++) {
      const bit = this.bitOf(key, i);
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mightContain(key: Uint8Array): boolean {
    for (let i = 0; i < HASHES; i++) {
      const bit = this.bitOf(key, i);
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
