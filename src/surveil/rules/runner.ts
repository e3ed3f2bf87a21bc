/**
 * The rules over the archive. A scan follows the ledger from where the last one stopped, under the
 * policy in force, and raises what the rule engine finds as alerts:
 *
 * - every new message is read for cues (off-channel moves, promises of returns, off-the-record
 *   requests, third-party transfer instructions), and a client's delete or recall of a message that
 *   carried an order is found;
 * - every new chat order is checked against the directory: an unknown sender or an unverified client
 *   gets a call-back;
 * - once the firm's activity is archived for a period, chat orders and firm orders in it are reconciled
 *   and each exception is an alert;
 * - clients' days of fills are compared with their own history, and firm orders with the reference
 *   turnover of their stock.
 *
 * What each step has read is one state value, compared and set after the alerts are recorded: a scan
 * that stops half-way raises its alerts again next time, which the dedup keys make one alert each.
 */
import type { ActivityArchive } from '../../capture/activity/archive.js';
import type { Directory } from '../../capture/directory/directory.js';
import type { MessageContent } from '../../capture/model.js';
import { CatchUpRunner } from '../../core/catch-up.js';
import type { AlertStorage } from '../alerts/model.js';
import type { AlertService } from '../alerts/service.js';
import {
  type ArchivedMessage,
  type CatchUpResult,
  LINK_WINDOW_MS,
  type StoredAck,
  type StoredOrder,
  sentByFirm,
} from '../orders/archive.js';
import type { MasterInForce } from '../orders/master.js';
import { buildFirmOrders, type FirmOrder } from '../reconcile/firm-orders.js';
import { CLOCK_SKEW_MS } from '../reconcile/reconcile.js';
import type { ReconcileService } from '../reconcile/service.js';
import { type AlertCandidate, type RuleClient, RuleEngine, type RuleMessage } from './engine.js';
import type { PolicyService } from './policies.js';
import type { Thresholds } from './policy.js';
import type { TurnoverReference } from './reference.js';
import {
  clientActivitySpikes,
  clientDaysFromFills,
  type LowTurnoverOptions,
  lowTurnoverOrders,
  type TurnoverOrder,
} from './trading.js';

/** Bumped when a scan reads differently: every step then starts again from the beginning. */
export const RULES_VERSION = 1;
const MESSAGES_PER_READ = 5000;
const ORDERS_PER_READ = 5000;
const DAY_MS = 86_400_000;
/** Candidates raised per call: bounded memory on a first scan of a large archive. */
const CANDIDATES_PER_RAISE = 5000;

interface RulesState {
  version: number;
  /** Messages read for cues, through this ledger index. */
  messages: number;
  /** Messages read for deletes and recalls of order messages (which need their orders read first). */
  deletions: number;
  /** Chat orders checked against the directory, through this message ledger index… */
  orders: number;
  /** …as read with this security master (a new one reads every message again). */
  master: number;
  /** Activity recorded through this ledger index has been read. */
  activity: number;
  /** The latest time of any archived activity event: how far the firm's side is known. */
  activityToMs: number | null;
  /** Reconciled up to this time: every instruction before it was judged with its window over. */
  reconciledToMs: number | null;
  /** Reference records (turnover) read, through this ledger index. */
  reference: number;
}

const START: RulesState = {
  version: RULES_VERSION,
  messages: -1,
  deletions: -1,
  orders: -1,
  master: -1,
  activity: -1,
  activityToMs: null,
  reconciledToMs: null,
  reference: -1,
};

export interface ScanReport {
  policyVersion: number;
  /** Messages read for cues and deletions. */
  messages: number;
  /** Chat orders checked against the directory. */
  orders: number;
  /** Activity events recorded since the last scan. */
  activity: number;
  /** The period reconciled, when there was one. */
  reconciled: { from: string; to: string } | null;
  /** Set when orders cannot be read yet (no security master). */
  waiting?: string;
  candidates: number;
  raised: number;
  /** Candidates whose alert was raised before. */
  known: number;
  /** Alerts raised, by type. */
  byType: Record<string, number>;
  /** Where the scan's time went, in ms: each step's reading and judging, and recording the alerts. */
  timings: { messages: number; orders: number; reconcile: number; trading: number; recording: number };
}

export interface RulesDeps {
  storage: AlertStorage & {
    messagesAfter(afterIndex: number, limit: number): Promise<ArchivedMessage[]>;
    conversationOrders(ids: readonly string[], fromMs: number): Promise<{ orders: StoredOrder[]; acks: StoredAck[] }>;
  };
  orders: { catchUp(): Promise<CatchUpResult> };
  masters: { load(): Promise<MasterInForce | null> };
  directory: { load(): Promise<Directory> };
  activity: Pick<ActivityArchive, 'catchUp' | 'forPeriod' | 'spanOfRecords'>;
  reconcile: Pick<ReconcileService, 'run'>;
  policies: Pick<PolicyService, 'inForce'>;
  alerts: Pick<AlertService, 'raise'>;
  turnover: Pick<TurnoverReference, 'load'>;
}

/** Accumulates candidates and raises them in bounded groups. */
class Raiser {
  readonly report: Pick<ScanReport, 'candidates' | 'raised' | 'known' | 'byType'> = {
    candidates: 0,
    raised: 0,
    known: 0,
    byType: {},
  };
  /** Time spent recording alerts, in ms. */
  recordingMs = 0;
  private pending: AlertCandidate[] = [];

  constructor(
    private readonly alerts: RulesDeps['alerts'],
    private readonly by: string,
  ) {}

  async add(candidates: readonly AlertCandidate[]): Promise<void> {
    for (const c of candidates) this.pending.push(c);
    if (this.pending.length >= CANDIDATES_PER_RAISE) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const started = performance.now();
    const result = await this.alerts.raise(batch, this.by);
    this.recordingMs += performance.now() - started;
    this.report.candidates += batch.length;
    this.report.raised += result.raised;
    this.report.known += result.known;
    for (const [type, n] of Object.entries(result.byType))
      this.report.byType[type] = (this.report.byType[type] ?? 0) + n;
  }
}

/** Times each step of a scan, less the time it spent recording alerts (counted on its own). */
class StepClock {
  private last = performance.now();
  private recorded = 0;

  constructor(private readonly raiser: Raiser) {}

  step(): number {
    const now = performance.now();
    const recording = this.raiser.recordingMs - this.recorded;
    const ms = now - this.last - recording;
    this.last = now;
    this.recorded = this.raiser.recordingMs;
    return Math.round(ms);
  }
}

export class RulesRunner {
  private readonly runner = new CatchUpRunner(() => this.run());
  private by = 'steno rules';
  private nowMs: number | null = null;

  constructor(private readonly deps: RulesDeps) {}

  /** Reads what the rules have not read yet and raises what they find. One scan runs at a time. */
  scan(options: { nowMs?: number } = {}): Promise<ScanReport> {
    this.nowMs = options.nowMs ?? null;
    return this.runner.catchUp();
  }

  private async run(): Promise<ScanReport> {
    const { storage } = this.deps;
    const nowMs = this.nowMs ?? Date.now();
    const expected = await storage.rulesState();
    const previous = parseState(expected);
    let state: RulesState = previous === null || previous.version !== RULES_VERSION ? { ...START } : previous;
    const policy = await this.deps.policies.inForce();
    const engine = new RuleEngine(policy.policy, policy.version);
    const raiser = new Raiser(this.deps.alerts, this.by);
    const end = (await storage.treeSize()) - 1;

    // Orders first: deletions and the sender check need the orders of every message up to `end`.
    const caughtUp = await this.deps.orders.catchUp();
    await this.deps.activity.catchUp();
    const ordersReadable = caughtUp.waiting === undefined;
    const master = ordersReadable ? ((await this.deps.masters.load())?.index ?? -1) : -1;
    if (ordersReadable && master !== state.master) {
      // Read with another master, the orders are new: check them all again (the keys keep alerts single).
      state = { ...state, orders: -1, deletions: -1, master };
    }
    const directory = await this.deps.directory.load();

    const clock = new StepClock(raiser);
    const messages = await this.messages(state, end, ordersReadable, engine, directory, raiser);
    const messagesMs = clock.step();
    state = { ...state, messages: Math.max(state.messages, end), deletions: ordersReadable ? end : state.deletions };

    let ordersChecked = 0;
    let newOrdersFromMs: number | null = null;
    if (ordersReadable) {
      let after = state.orders;
      for (;;) {
        const page = await storage.ordersBetween(after, end, ORDERS_PER_READ);
        if (page.length === 0) break;
        const full = page.length === ORDERS_PER_READ;
        const lastIndex = page.at(-1)!.messageIndex;
        // A full page may stop part-way through a message's orders: that message is read with the next.
        const whole =
          full && page[0]!.messageIndex !== lastIndex ? page.filter((o) => o.messageIndex !== lastIndex) : page;
        for (const o of whole) {
          await raiser.add(engine.order(o, senderClient(directory, o)));
          newOrdersFromMs = minOf(newOrdersFromMs, o.sentAtMs);
        }
        ordersChecked += whole.length;
        after = whole.at(-1)!.messageIndex;
        if (!full) break;
      }
      state = { ...state, orders: end };
    }

    const ordersMs = clock.step();
    // The activity recorded since the last scan, from the projection (caught up above).
    const activity = await this.deps.activity.spanOfRecords(state.activity, end);
    state = {
      ...state,
      activity: Math.max(state.activity, end),
      activityToMs: maxOf(state.activityToMs, activity.toMs),
    };

    let reconciled: ScanReport['reconciled'] = null;
    // Only what is new can change the outcome: with no new chat order or activity, nothing is reconciled.
    const somethingNew = activity.events > 0 || newOrdersFromMs !== null;
    if (ordersReadable && somethingNew && state.activityToMs !== null) {
      // The firm's side is known up to its latest event: reconcile what is new up to there.
      const toMs = Math.min(nowMs, state.activityToMs + 1);
      const fromMs = minOf(state.reconciledToMs, activity.fromMs, newOrdersFromMs);
      if (fromMs !== null && fromMs < toMs) {
        const t = policy.policy.thresholds.reconciliation;
        const windowMs = t.windowMinutes * 60_000;
        const report = await this.deps.reconcile.run({
          fromMs,
          toMs,
          nowMs: toMs,
          windowMs,
          slaMs: t.slaMinutes * 60_000,
          deskSlaMs: Object.fromEntries(Object.entries(t.deskSlaMinutes).map(([desk, m]) => [desk, m * 60_000])),
        });
        for (const e of report.exceptions) await raiser.add(engine.exception(e));
        reconciled = report.period;
        state = {
          ...state,
          reconciledToMs: Math.max(state.reconciledToMs ?? 0, toMs - windowMs - CLOCK_SKEW_MS),
        };
      }
    }

    const reconcileMs = clock.step();
    const turnover = await this.deps.turnover.load();
    await this.trading(engine, policy.policy.thresholds, directory, raiser, activity, turnover, state.reference);
    state = { ...state, reference: turnover.through };

    const tradingMs = clock.step();
    await raiser.flush();
    await storage.setRulesState(expected, JSON.stringify(state));
    return {
      policyVersion: policy.version,
      messages,
      orders: ordersChecked,
      activity: activity.events,
      reconciled,
      ...(caughtUp.waiting === undefined ? {} : { waiting: caughtUp.waiting }),
      ...raiser.report,
      timings: {
        messages: messagesMs,
        orders: ordersMs,
        reconcile: reconcileMs,
        trading: tradingMs,
        recording: Math.round(raiser.recordingMs),
      },
    };
  }

  /** The text rules on messages not read yet, and deletions once their orders can be known. */
  private async messages(
    state: RulesState,
    end: number,
    ordersReadable: boolean,
    engine: RuleEngine,
    directory: Directory,
    raiser: Raiser,
  ): Promise<number> {
    const deletionsFrom = ordersReadable ? state.deletions : end;
    let after = Math.min(state.messages, deletionsFrom);
    let read = 0;
    while (after < end) {
      const batch = (await this.deps.storage.messagesAfter(after, MESSAGES_PER_READ)).filter((m) => m.index <= end);
      if (batch.length === 0) break;
      for (const m of batch) {
        if (m.content === null) continue; // shredded
        const content = JSON.parse(m.content.toString('utf8')) as MessageContent;
        const message = ruleMessage(m, content, directory);
        if (m.index > state.messages) await raiser.add(engine.message(message));
        if (m.index > deletionsFrom && (content.kind === 'delete' || content.kind === 'recall')) {
          await raiser.add(engine.deletion(message, await this.ordersOf(content)));
        }
      }
      read += batch.length;
      after = batch.at(-1)!.index;
    }
    return read;
  }

  /** The orders of the message a delete or recall acts on. */
  private async ordersOf(content: MessageContent): Promise<StoredOrder[]> {
    if (content.refersTo === undefined || content.refersTo === null) return [];
    const sentAtMs = Date.parse(content.sentAt);
    const { orders } = await this.deps.storage.conversationOrders([content.conversationId], sentAtMs - LINK_WINDOW_MS);
    return orders.filter((o) => o.platformMessageId === content.refersTo && o.platform === content.platform);
  }

  /**
   * Unusual trading: the days with new activity against each client's own history, and the firm orders
   * of those days (or, when new reference turnover arrived, of the days it covers) against turnover.
   */
  private async trading(
    engine: RuleEngine,
    thresholds: Thresholds,
    directory: Directory,
    raiser: Raiser,
    activity: { fromMs: number | null; toMs: number | null },
    turnover: Awaited<ReturnType<TurnoverReference['load']>>,
    referenceThrough: number,
  ): Promise<void> {
    const accountClient = new Map<string, string>();
    for (const c of directory.list('client')) {
      if (c.kind === 'client') for (const account of c.accounts) accountClient.set(account, c.id);
    }
    const clientOf = (account: string) => accountClient.get(account) ?? null;

    if (activity.fromMs !== null && activity.toMs !== null) {
      const firstDay = Math.floor(activity.fromMs / DAY_MS) * DAY_MS;
      const lastDay = Math.floor(activity.toMs / DAY_MS) * DAY_MS + DAY_MS;
      const history = buildFirmOrders(
        await this.deps.activity.forPeriod(firstDay - (thresholds.unusual_activity.windowDays + 1) * DAY_MS, lastDay),
      );
      const newDays = new Set<string>();
      for (let d = firstDay; d < lastDay; d += DAY_MS) newDays.add(new Date(d).toISOString().slice(0, 10));
      const spikes = clientActivitySpikes({
        days: clientDaysFromFills(history, clientOf),
        ...thresholds.unusual_activity,
      });
      for (const s of spikes) if (newDays.has(s.date)) await raiser.add(engine.spike(s));
      if (turnover.rows.length > 0) {
        const ofNewDays = history.filter((o) => o.enteredAtMs >= firstDay && o.enteredAtMs < lastDay);
        await this.turnoverAlerts(engine, thresholds.low_turnover, raiser, ofNewDays, turnover.rows, clientOf);
      }
    }
    if (turnover.through > referenceThrough && turnover.rows.length > 0) {
      // New reference figures: judge the firm orders of the days they bear on.
      let first = turnover.rows[0]!.date;
      let last = first;
      for (const r of turnover.rows) {
        if (r.date < first) first = r.date;
        if (r.date > last) last = r.date;
      }
      const fromMs = Date.parse(`${first}T00:00:00Z`);
      const toMs = Date.parse(`${last}T00:00:00Z`) + (thresholds.low_turnover.lookbackDays * 2 + 1) * DAY_MS;
      const orders = buildFirmOrders(await this.deps.activity.forPeriod(fromMs, toMs));
      await this.turnoverAlerts(engine, thresholds.low_turnover, raiser, orders, turnover.rows, clientOf);
    }
  }

  private async turnoverAlerts(
    engine: RuleEngine,
    options: LowTurnoverOptions,
    raiser: Raiser,
    orders: readonly FirmOrder[],
    rows: Awaited<ReturnType<TurnoverReference['load']>>['rows'],
    clientOf: (account: string) => string | null,
  ): Promise<void> {
    const judged: TurnoverOrder[] = [];
    for (const o of orders) {
      const value = orderValue(o);
      if (value === null) continue;
      judged.push({
        orderId: o.orderId,
        clientId: o.account === null ? null : clientOf(o.account),
        symbol: o.symbol,
        dateMs: o.enteredAtMs,
        value,
      });
    }
    for (const t of lowTurnoverOrders({ orders: judged, turnover: rows, ...options })) {
      await raiser.add(engine.lowTurnover(t));
    }
  }
}

/** What an order traded, or would at its limit: its fills' value, else its entered quantity at its limit. */
function orderValue(o: FirmOrder): number | null {
  if (o.fills.length > 0) return o.fills.reduce((sum, f) => sum + f.quantity * f.price, 0);
  const q = o.entered?.quantity ?? null;
  const p = o.entered?.limitPrice ?? null;
  return q !== null && p !== null ? q * p : null;
}

function ruleMessage(m: ArchivedMessage, content: MessageContent, directory: Directory): RuleMessage {
  const sentAtMs = Date.parse(content.sentAt);
  const senderParty = directory.resolve(content.platform, content.sender, sentAtMs);
  return {
    messageId: m.recordId,
    platformMessageId: content.platformMessageId ?? null,
    conversationId: content.conversationId,
    sender: content.sender,
    sentAtMs,
    kind: content.kind,
    text: typeof content.text === 'string' ? content.text : null,
    senderParty,
    fromFirm: sentByFirm(content, senderParty),
  };
}

/** The client who sent an order, by the sender's own handle (a client among the recipients is not the sender). */
function senderClient(directory: Directory, o: StoredOrder): RuleClient | null {
  const party = directory.resolve(o.platform, o.sender, o.sentAtMs);
  if (party?.kind !== 'client') return null;
  const entry = directory.get('client', party.id);
  if (entry?.kind !== 'client') return null;
  return { id: entry.id, handles: entry.handles, verifiedAt: entry.verifiedAt };
}

const minOf = (...values: (number | null)[]): number | null =>
  values.reduce<number | null>((m, v) => (v === null ? m : m === null ? v : Math.min(m, v)), null);
const maxOf = (...values: (number | null)[]): number | null =>
  values.reduce<number | null>((m, v) => (v === null ? m : m === null ? v : Math.max(m, v)), null);

function parseState(value: string | null): RulesState | null {
  if (value === null) return null;
  try {
    const state = JSON.parse(value) as RulesState;
    return typeof state.version === 'number' && typeof state.messages === 'number' ? state : null;
  } catch {
    return null;
  }
}
