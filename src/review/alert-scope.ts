/**
 * Alerts behind an information barrier: which alerts a desk-scoped caller may see. Shared by the alert
 * routes and the console's dashboard.
 */
import type { Steno } from '../context.js';
import type { StoredAlert } from '../surveil/alerts/model.js';

const PAGE = 1000;

/** Every alert, newest first, read a page at a time; with desks, only those their callers may see. */
export async function alertsOf(steno: Steno, desks: readonly string[] | null): Promise<StoredAlert[]> {
  const all: StoredAlert[] = [];
  for (let before: number | undefined; ; ) {
    const page = await steno.alerts.list({ limit: PAGE, ...(before === undefined ? {} : { beforeIndex: before }) });
    all.push(...page);
    if (page.length < PAGE) break;
    before = page.at(-1)!.leafIndex;
  }
  if (desks === null) return all;
  const visible = await steno.desks.conversations(desks);
  const out: StoredAlert[] = [];
  for (const a of all) if (await alertVisibleTo(steno, desks, visible, a)) out.push(a);
  return out;
}

/**
 * An alert on a conversation is its desks'; one on no conversation (an order entered with no chat
 * instruction) is about a client, and belongs to the desks that client talks with; one about no client
 * (channel health) is everyone's.
 */
export async function alertVisibleTo(
  steno: Steno,
  desks: readonly string[],
  visible: ReadonlySet<string>,
  alert: StoredAlert,
): Promise<boolean> {
  const { conversationId, clientId } = alert.subject;
  if (conversationId != null) return visible.has(conversationId) || steno.desks.allows(desks, conversationId);
  if (clientId != null) return steno.desks.clientVisible(desks, clientId);
  return true;
}
