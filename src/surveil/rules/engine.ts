/**
 * The rules: what in an archived message, a chat order or a reconciliation exception a reviewer must
 * look at, under a policy version. Pure: the caller reads the archive and keeps the alerts; this says,
 * for each thing it is shown, which alerts it raises, with severity, evidence, the spans to highlight,
 * the task that must follow (a call-back, an out-of-band verification) and a key that makes raising
 * the same alert twice (a re-run, a second node) one alert.
 */
import type { Party } from '../../capture/directory/directory.js';
import type { StoredOrder } from '../orders/archive.js';
import type { ReconcileException } from '../reconcile/reconcile.js';
import { CUE_LEXICON_VERSION, type CueKind, findCues } from './cues.js';
import type { Policy, RuleId, Severity } from './policy.js';
import type { ActivitySpike, TurnoverAlert } from './trading.js';

export type TaskKind = 'call_back' | 'out_of_band_verification';

export interface AlertCandidate {
  /** The alert's type: the rule's, or a reconciliation exception's own (`unentered_order`, …). */
  type: string;
  rule: RuleId;
  severity: Severity;
  /** One alert per key, however often it is raised. */
  dedupKey: string;
  policyVersion: number;
  subject: {
    messageId: string | null;
    platformMessageId: string | null;
    conversationId: string | null;
    clientId: string | null;
    orderId: string | null;
  };
  /** UTF-16 offsets into the message text, to highlight, each with what it shows (a cue, an order field). */
  spans: { start: number; end: number; what: string }[];
  evidence: Record<string, unknown>;
  /** What must be done and recorded before the alert can be closed. */
  task: { kind: TaskKind; target: string | null; instruction: string } | null;
}

/** An archived message as the rules read it. */
export interface RuleMessage {
  messageId: string;
  platformMessageId: string | null;
  conversationId: string;
  sender: string;
  sentAtMs: number;
  kind: string;
  text: string | null;
  /** Who sent it, as the directory knew them when it was sent. */
  senderParty: Party | null;
  /** Sent by the firm: outbound, from the capturing account, or by staff. */
  fromFirm: boolean;
}

/** A client as the call-back rule needs it. */
export interface RuleClient {
  id: string;
  handles: string[];
  verifiedAt: string | null;
}

const CUE_RULES: Record<CueKind, RuleId> = {
  off_channel: 'off_channel',
  return_guarantee: 'return_guarantee',
  off_record: 'off_record',
  third_party_transfer: 'third_party_transfer',
};

export class RuleEngine {
  constructor(
    private readonly policy: Policy,
    /** The ledger index of the policy record in force. */
    private readonly policyVersion: number,
  ) {}

  private on(rule: RuleId): boolean {
    return this.policy.rules[rule].enabled;
  }

  private candidate(
    rule: RuleId,
    type: string,
    dedupKey: string,
    fields: Omit<AlertCandidate, 'type' | 'rule' | 'severity' | 'dedupKey' | 'policyVersion'>,
  ): AlertCandidate {
    return {
      type,
      rule,
      severity: this.policy.rules[rule].severity,
      dedupKey,
      policyVersion: this.policyVersion,
      ...fields,
    };
  }

  /** The text rules: off-channel cues, promises of returns, off-the-record requests, third-party transfers. */
  message(m: RuleMessage): AlertCandidate[] {
    if (m.text === null || m.text === '' || (m.kind !== 'message' && m.kind !== 'edit')) return [];
    const byKind = new Map<CueKind, ReturnType<typeof findCues>>();
    for (const cue of findCues(m.text)) {
      // A transfer instruction is the client's to give; the firm repeating one back is not another.
      if (cue.kind === 'third_party_transfer' && m.fromFirm) continue;
      if (!this.on(CUE_RULES[cue.kind])) continue;
      const list = byKind.get(cue.kind);
      if (list === undefined) byKind.set(cue.kind, [cue]);
      else list.push(cue);
    }
    const out: AlertCandidate[] = [];
    for (const [kind, cues] of byKind) {
      const rule = CUE_RULES[kind];
      out.push(
        this.candidate(rule, rule, `${rule}:${m.messageId}`, {
          subject: {
            messageId: m.messageId,
            platformMessageId: m.platformMessageId,
            conversationId: m.conversationId,
            clientId: m.senderParty?.kind === 'client' ? m.senderParty.id : null,
            orderId: null,
          },
          spans: cues.map((c) => ({ start: c.start, end: c.end, what: c.phrase })),
          evidence: {
            sender: m.sender,
            senderParty: m.senderParty,
            fromFirm: m.fromFirm,
            sentAt: new Date(m.sentAtMs).toISOString(),
            languages: [...new Set(cues.map((c) => c.language))],
            lexiconVersion: CUE_LEXICON_VERSION,
          },
          task:
            kind === 'third_party_transfer'
              ? {
                  kind: 'out_of_band_verification',
                  target: m.senderParty?.kind === 'client' ? m.senderParty.id : m.sender,
                  instruction:
                    'Verify the instruction with the client out of band (a call to the registered number) before it is carried out; it may not be approved without a recorded verification.',
                }
              : null,
        }),
      );
    }
    return out;
  }

  /**
   * An order from a sender the directory does not know, or from a client whose handles were never
   * verified (SFC 2a): an alert, and a call-back to the client's registered number.
   */
  order(o: StoredOrder, client: RuleClient | null): AlertCandidate[] {
    if (!this.on('unregistered_sender')) return [];
    if (client !== null && client.verifiedAt !== null) return [];
    const unknown = client === null;
    return [
      this.candidate('unregistered_sender', 'unregistered_sender', `unregistered_sender:${o.messageId}`, {
        subject: {
          messageId: o.messageId,
          platformMessageId: o.platformMessageId,
          conversationId: o.conversationId,
          clientId: client?.id ?? null,
          orderId: null,
        },
        spans: Object.entries(o.detail.spans).map(([field, [start, end]]) => ({ start, end, what: field })),
        evidence: {
          reason: unknown ? 'sender_not_in_directory' : 'handle_not_verified',
          sender: o.sender,
          platform: o.platform,
          order: { id: o.id, action: o.action, side: o.side, symbol: o.symbol, quantity: o.quantity },
        },
        task: {
          kind: 'call_back',
          target: unknown ? null : (client.handles[0] ?? null),
          instruction: unknown
            ? `Identify who sent this order from ${o.sender} and call the client back at the number the firm registered for them before acting on it.`
            : `Call ${client.id} back at their registered number to confirm the order, and record the outcome.`,
        },
      }),
    ];
  }

  /** A client deleting or recalling a message that carried an order (SFC footnote 7). */
  deletion(m: RuleMessage, ordersOfDeleted: readonly StoredOrder[]): AlertCandidate[] {
    if (!this.on('order_message_deleted') || m.fromFirm || ordersOfDeleted.length === 0) return [];
    if (m.kind !== 'delete' && m.kind !== 'recall') return [];
    const first = ordersOfDeleted[0]!;
    return [
      this.candidate('order_message_deleted', 'order_message_deleted', `order_message_deleted:${m.messageId}`, {
        subject: {
          messageId: m.messageId,
          platformMessageId: m.platformMessageId,
          conversationId: m.conversationId,
          clientId: first.clientId,
          orderId: null,
        },
        spans: [],
        evidence: {
          kind: m.kind,
          deletedMessageId: first.messageId,
          orders: ordersOfDeleted.map((o) => ({
            id: o.id,
            action: o.action,
            side: o.side,
            symbol: o.symbol,
            quantity: o.quantity,
            limitPrice: o.limitPrice,
          })),
        },
        task: null,
      }),
    ];
  }

  /** A client's day of trading far above their own history (SFC 3c). */
  spike(s: ActivitySpike): AlertCandidate[] {
    if (!this.on('unusual_activity')) return [];
    return [
      this.candidate('unusual_activity', 'unusual_activity', `unusual_activity:${s.clientId}:${s.date}:${s.measure}`, {
        subject: {
          messageId: null,
          platformMessageId: null,
          conversationId: null,
          clientId: s.clientId,
          orderId: null,
        },
        spans: [],
        evidence: { ...s },
        task: null,
      }),
    ];
  }

  /** An order that is a large share of a thinly traded stock's average daily turnover (SFC 3c). */
  lowTurnover(t: TurnoverAlert): AlertCandidate[] {
    if (!this.on('low_turnover')) return [];
    return [
      this.candidate('low_turnover', 'low_turnover', `low_turnover:${t.orderId}`, {
        subject: {
          messageId: null,
          platformMessageId: null,
          conversationId: null,
          clientId: t.clientId,
          orderId: t.orderId,
        },
        spans: [],
        evidence: { ...t },
        task: null,
      }),
    ];
  }

  /** A reconciliation exception, as an alert of its own type. */
  exception(e: ReconcileException): AlertCandidate[] {
    if (!this.on('reconciliation')) return [];
    const chat = e.details.chatOrder as { conversationId?: string; clientId?: string | null } | undefined;
    return [
      this.candidate('reconciliation', e.type, `${e.type}:${e.messageId ?? ''}:${e.orderId ?? ''}`, {
        subject: {
          messageId: e.messageId,
          platformMessageId: e.platformMessageId,
          conversationId: chat?.conversationId ?? null,
          // An order with no chat behind it names its account's client in the exception itself.
          clientId: chat?.clientId ?? (e.details.clientId as string | null | undefined) ?? null,
          orderId: e.orderId,
        },
        spans: [],
        evidence: e.details,
        task: null,
      }),
    ];
  }
}
