/**
 * Reconciliation over the archive: loads the chat orders and the firm's activity around a period (both
 * projections caught up with the ledger first), the directory and the security master, and reconciles.
 */
import type { StoredActivity } from '../../capture/activity/archive.js';
import type { Directory } from '../../capture/directory/directory.js';
import { StenoError } from '../../core/errors.js';
import type { CatchUpResult, StoredOrder } from '../orders/archive.js';
import type { MasterInForce } from '../orders/master.js';
import { buildFirmOrders } from './firm-orders.js';
import {
  DEFAULT_SLA_MS,
  DEFAULT_WINDOW_MS,
  type ReconcileOptions,
  type ReconcileResult,
  reconcile,
} from './reconcile.js';

/** Bounds on the settings, so that a typo (minutes given as ms, a year-long window) is refused. */
const MAX_WINDOW_MS = 7 * 86_400_000;

export interface ReconcileRequest {
  fromMs?: number;
  toMs?: number;
  windowMs?: number;
  slaMs?: number;
  deskSlaMs?: Record<string, number>;
  nowMs?: number;
}

export interface ReconcileReport extends ReconcileResult {
  period: { from: string; to: string };
  windowMs: number;
  slaMs: number;
  deskSlaMs: Record<string, number>;
  /** The chat-to-entry delay over every matched order, in ms. */
  delays: { count: number; p50: number | null; p90: number | null; p99: number | null; max: number | null };
  chatOrders: number;
  firmOrders: number;
}

export class ReconcileService {
  constructor(
    private readonly deps: {
      orders: {
        catchUp(): Promise<CatchUpResult>;
        sentBetween(fromMs: number, toMs: number): Promise<StoredOrder[]>;
      };
      activity: { forPeriod(fromMs: number, toMs: number): Promise<StoredActivity[]> };
      directory: { load(): Promise<Directory> };
      masters: { load(): Promise<MasterInForce | null> };
    },
  ) {}

  async run(request: ReconcileRequest = {}): Promise<ReconcileReport> {
    const nowMs = request.nowMs ?? Date.now();
    const windowMs = request.windowMs ?? DEFAULT_WINDOW_MS;
    const slaMs = request.slaMs ?? DEFAULT_SLA_MS;
    const deskSlaMs = request.deskSlaMs ?? {};
    const fromMs = request.fromMs ?? 0;
    const toMs = request.toMs ?? nowMs;
    checkDuration('window', windowMs);
    checkDuration('sla', slaMs);
    for (const [desk, ms] of Object.entries(deskSlaMs)) checkDuration(`desk-sla ${desk}`, ms);
    if (toMs <= fromMs) {
      throw new StenoError('invalid_input', `--to must be after --from (${iso(fromMs)} .. ${iso(toMs)})`);
    }
    const caughtUp = await this.deps.orders.catchUp();
    if (caughtUp.waiting !== undefined) throw new StenoError('conflict', caughtUp.waiting);
    const master = (await this.deps.masters.load())?.master;
    // Orders sent a window before the period can pair with firm orders entered in it; changes sent up to
    // a window after it still change orders given in it.
    const chatOrders = await this.deps.orders.sentBetween(fromMs - windowMs, toMs + windowMs);
    const activity = await this.deps.activity.forPeriod(fromMs - windowMs, toMs + 2 * windowMs);
    const firmOrders = buildFirmOrders(activity);
    const directory = await this.deps.directory.load();
    const symbols = new Map<string, string>();
    const symbolOf = (written: string): string => {
      let symbol = symbols.get(written);
      if (symbol === undefined) {
        symbol = master?.resolve(written)?.symbol ?? written.trim().toUpperCase();
        symbols.set(written, symbol);
      }
      return symbol;
    };
    const options: ReconcileOptions = { fromMs, toMs, windowMs, slaMs, deskSlaMs, nowMs };
    const result = reconcile({ chatOrders, firmOrders, directory, symbolOf, options });
    return {
      ...result,
      period: { from: iso(fromMs), to: iso(toMs) },
      windowMs,
      slaMs,
      deskSlaMs,
      delays: distribution(result.matches.map((m) => m.delayMs)),
      chatOrders: chatOrders.filter((o) => o.sentAtMs >= fromMs && o.sentAtMs < toMs).length,
      firmOrders: firmOrders.filter((f) => f.enteredAtMs >= fromMs && f.enteredAtMs < toMs).length,
    };
  }
}

function checkDuration(what: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_WINDOW_MS) {
    throw new StenoError('invalid_input', `${what}: ${ms} ms is not a duration between 0 and 7 days`);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The delay distribution of a set of matches: count, p50, p90, p99, max. */
export function distribution(values: number[]): ReconcileReport['delays'] {
  if (values.length === 0) return { count: 0, p50: null, p90: null, p99: null, max: null };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1]! };
}
