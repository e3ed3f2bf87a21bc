/**
 * Message ids for sources that have none (a WhatsApp text export): a digest of the conversation,
 * sender, timestamp and text, and the message's position among identical ones, so that importing the
 * same export twice, or a later export that repeats older messages, yields the same ids.
 */
import { canonicalBytes } from '../../core/canonical-json.js';
import { sha256Hex } from '../../core/hash.js';

/** Identical messages are counted within this many recent distinct ones: memory stays flat. */
const REMEMBERED = 10_000;

export class DerivedKeys {
  private readonly seen = new Map<string, number>();

  constructor(private readonly prefix: string) {}

  next(parts: { conversationId: string; sender: string; wallTime: string; kind: string; text: string }): string {
    const base = sha256Hex(
      canonicalBytes([parts.conversationId, parts.sender, parts.wallTime, parts.kind, parts.text]),
    );
    const occurrence = (this.seen.get(base) ?? 0) + 1;
    this.seen.delete(base);
    this.seen.set(base, occurrence);
    if (this.seen.size > REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
    return `${this.prefix}${base.slice(0, 40)}${occurrence > 1 ? `-${occurrence}` : ''}`;
  }
}
