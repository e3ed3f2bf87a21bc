/**
 * Message ids for sources that have none (a WhatsApp text export): a digest of the conversation,
 * sender, timestamp and text, and the message's position among identical ones, so that importing the
 * same export twice, or a later export that repeats older messages, yields the same ids.
 */
import { hash } from 'node:crypto';

/** Identical messages are counted within this many recent distinct ones: memory stays flat. */
const REMEMBERED = 10_000;

export class DerivedKeys {
  /** Counts of recent keys in two generations: a key is remembered for REMEMBERED to 2×REMEMBERED keys. */
  private current = new Map<string, number>();
  private previous = new Map<string, number>();

  constructor(private readonly prefix: string) {}

  next(parts: { conversationId: string; sender: string; wallTime: string; kind: string; text: string }): string {
    // JSON of an array of strings is one exact text per value: enough to tell keys apart, and cheap.
    const base = hash(
      'sha256',
      JSON.stringify([parts.conversationId, parts.sender, parts.wallTime, parts.kind, parts.text]),
      'hex',
    );
    const occurrence = (this.current.get(base) ?? this.previous.get(base) ?? 0) + 1;
    this.current.set(base, occurrence);
    if (this.current.size >= REMEMBERED) {
      this.previous = this.current;
      this.current = new Map();
    }
    return `${this.prefix}${base.slice(0, 40)}${occurrence > 1 ? `-${occurrence}` : ''}`;
  }
}
