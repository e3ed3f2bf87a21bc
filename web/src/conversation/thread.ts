/**
 * A conversation's records as bubbles: edits, deletes and recalls are records of their own in the
 * ledger, pointing at the original by its platform message id; the console shows them on the original.
 */
import type { ConversationMessage } from '../api/types';

export interface BubbleModel {
  message: ConversationMessage;
  /** Later versions of the text, oldest first. */
  edits: ConversationMessage[];
  /** The delete or recall, when the sender took the message back. */
  removal: ConversationMessage | null;
}

const REVISIONS = new Set(['edit', 'delete', 'recall']);

export function bubblesOf(messages: readonly ConversationMessage[]): BubbleModel[] {
  const originals = new Map<string, BubbleModel>();
  const bubbles: BubbleModel[] = [];
  const revisions: ConversationMessage[] = [];
  for (const message of messages) {
    if (REVISIONS.has(message.kind)) {
      revisions.push(message);
      continue;
    }
    const bubble: BubbleModel = { message, edits: [], removal: null };
    bubbles.push(bubble);
    const id = message.content?.platformMessageId;
    if (id !== undefined) originals.set(id, bubble);
  }
  // Revisions attach in a second pass: an older export imported later puts an original after its edit.
  const orphans: BubbleModel[] = [];
  for (const revision of revisions) {
    const refersTo = revision.content?.refersTo;
    const original = refersTo === undefined ? undefined : originals.get(refersTo);
    if (original === undefined) orphans.push({ message: revision, edits: [], removal: null });
    else if (revision.kind === 'edit') original.edits.push(revision);
    else original.removal ??= revision;
  }
  if (orphans.length === 0) return bubbles;
  // A revision whose original is not loaded (an earlier page, or never archived) shows on its own.
  return [...bubbles, ...orphans].sort((a, b) => a.message.leafIndex - b.message.leafIndex);
}

/** Sent by the firm: outbound, from the capturing account, or by staff in the directory. */
export function fromFirm(message: ConversationMessage): boolean {
  const content = message.content;
  return (
    content?.direction === 'outbound' ||
    message.resolved.sender?.kind === 'staff' ||
    (content?.account !== undefined && content.account === message.sender)
  );
}
