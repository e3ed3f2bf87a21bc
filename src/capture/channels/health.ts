/**
 * Completeness of capture, per channel (SFC 2d): what a channel delivered hour by hour, its
 * authentication and media failures, and the sequence numbers it skipped. Pure: the monitor keeps the
 * stats; this merges what a process saw into them and judges a channel's state against its own
 * learned pattern (the same clock hour on earlier days of the same kind: weekdays with weekdays).
 */
import type { Platform } from '../model.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How long hourly counts are kept: enough history for four weeks of the same hour. */
export const HISTORY_DAYS = 35;
/** Missing sequence ranges kept per channel; beyond it the oldest are dropped (their alerts are raised). */
const MAX_MISSING_RANGES = 200;

/** [events, signature failures, fetch failures] in one clock hour (UTC). */
export type HourCounts = [number, number, number];

export interface ChannelStats {
  channel: string;
  platform: Platform;
  firstEventAt: string | null;
  lastEventAt: string | null;
  lastSignatureFailureAt: string | null;
  lastFetchFailureAt: string | null;
  /** By hour number since the epoch. */
  hours: Record<string, HourCounts>;
  sequence: {
    last: number | null;
    /** Ranges of sequence numbers not (yet) seen, with when the gap was noticed. */
    missing: { from: number; to: number; noticedAt: string }[];
  };
}

/** What one process saw of a channel since it last saved. */
export interface ChannelDelta {
  platform: Platform;
  hours: Map<number, HourCounts>;
  lastEventAtMs: number | null;
  firstEventAtMs: number | null;
  lastSignatureFailureAtMs: number | null;
  lastFetchFailureAtMs: number | null;
  /** Sequence numbers in the order they arrived. */
  sequences: { value: number; atMs: number }[];
}

export function emptyDelta(platform: Platform): ChannelDelta {
  return {
    platform,
    hours: new Map(),
    lastEventAtMs: null,
    firstEventAtMs: null,
    lastSignatureFailureAtMs: null,
    lastFetchFailureAtMs: null,
    sequences: [],
  };
}

export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);

const later = (a: string | null, bMs: number | null) =>
  bMs === null ? a : a === null || Date.parse(a) < bMs ? new Date(bMs).toISOString() : a;
const earlier = (a: string | null, bMs: number | null) =>
  bMs === null ? a : a === null || Date.parse(a) > bMs ? new Date(bMs).toISOString() : a;

export function mergeDelta(
  stats: ChannelStats | null,
  channel: string,
  delta: ChannelDelta,
  nowMs: number,
): ChannelStats {
  const out: ChannelStats = stats ?? {
    channel,
    platform: delta.platform,
    firstEventAt: null,
    lastEventAt: null,
    lastSignatureFailureAt: null,
    lastFetchFailureAt: null,
    hours: {},
    sequence: { last: null, missing: [] },
  };
  for (const [hour, counts] of delta.hours) {
    const current = out.hours[hour] ?? [0, 0, 0];
    out.hours[hour] = [current[0] + counts[0], current[1] + counts[1], current[2] + counts[2]];
  }
  const oldest = hourOf(nowMs) - HISTORY_DAYS * 24;
  for (const hour of Object.keys(out.hours)) if (Number(hour) < oldest) delete out.hours[hour];
  out.firstEventAt = earlier(out.firstEventAt, delta.firstEventAtMs);
  out.lastEventAt = later(out.lastEventAt, delta.lastEventAtMs);
  out.lastSignatureFailureAt = later(out.lastSignatureFailureAt, delta.lastSignatureFailureAtMs);
  out.lastFetchFailureAt = later(out.lastFetchFailureAt, delta.lastFetchFailureAtMs);
  for (const { value, atMs } of delta.sequences) applySequence(out.sequence, value, atMs);
  return out;
}

/** A number past the last opens a gap for those between; one inside a gap (a late arrival) closes it. */
function applySequence(seq: ChannelStats['sequence'], value: number, atMs: number): void {
  if (seq.last === null) {
    seq.last = value;
    return;
  }
  if (value > seq.last) {
    if (value > seq.last + 1) {
      seq.missing.push({ from: seq.last + 1, to: value - 1, noticedAt: new Date(atMs).toISOString() });
      if (seq.missing.length > MAX_MISSING_RANGES) seq.missing.splice(0, seq.missing.length - MAX_MISSING_RANGES);
    }
    seq.last = value;
    return;
  }
  const i = seq.missing.findIndex((r) => value >= r.from && value <= r.to);
  if (i < 0) return; // a redelivery of one already seen
  const range = seq.missing[i]!;
  const parts = [
    ...(value > range.from ? [{ ...range, to: value - 1 }] : []),
    ...(value < range.to ? [{ ...range, from: value + 1 }] : []),
  ];
  seq.missing.splice(i, 1, ...parts);
}

export interface HealthThresholds {
  /** Silent: no event for this long, in hours when the channel is normally busy. */
  silenceMinutes: number;
  /** Busy: at least this many events in the clock hour, on a typical day of its kind. */
  minExpectedPerHour: number;
  /** Days of history needed before silence is judged. */
  minHistoryDays: number;
  /** Failing: this many signature failures within the current or the last clock hour. */
  signatureFailuresPerHour: number;
  /** A sequence gap not filled within this many minutes (late deliveries arrive) is a gap. */
  gapSettleMinutes: number;
}

export const DEFAULT_HEALTH: HealthThresholds = {
  silenceMinutes: 60,
  minExpectedPerHour: 12,
  minHistoryDays: 5,
  signatureFailuresPerHour: 10,
  gapSettleMinutes: 10,
};

export type ChannelStatus = 'ok' | 'learning' | 'silent' | 'failing' | 'gaps';

export interface ChannelState {
  channel: string;
  platform: Platform;
  status: ChannelStatus;
  /** Why, in a sentence a compliance officer can act on. */
  reason: string;
  firstEventAt: string | null;
  lastEventAt: string | null;
  eventsThisHour: number;
  eventsLastHour: number;
  /** What the channel normally sees in this clock hour (median of earlier days of the same kind); null while learning. */
  expectedThisHour: number | null;
  /** Minutes without events, when that is silence in a busy hour; else null. */
  silentMinutes: number | null;
  signatureFailuresLastTwoHours: number;
  fetchFailuresLastDay: number;
  lastSignatureFailureAt: string | null;
  lastFetchFailureAt: string | null;
  /** Sequence ranges still missing after the settle time. */
  gaps: { from: number; to: number; noticedAt: string }[];
  /** Events in each of the last 24 clock hours, oldest first. */
  lastDay: number[];
}

const isWeekend = (hour: number) => {
  const day = new Date(hour * HOUR_MS).getUTCDay();
  return day === 0 || day === 6;
};

/** The median count of this clock hour on earlier days of the same kind since the channel began. */
export function expectedFor(stats: ChannelStats, hour: number, minHistoryDays: number): number | null {
  const first = stats.firstEventAt === null ? null : hourOf(Date.parse(stats.firstEventAt));
  if (first === null) return null;
  const samples: number[] = [];
  for (let day = 1; day <= 28; day++) {
    const h = hour - day * 24;
    if (h < first) break;
    if (isWeekend(h) !== isWeekend(hour)) continue;
    samples.push(stats.hours[h]?.[0] ?? 0);
  }
  if (samples.length < minHistoryDays) return null;
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  return samples.length % 2 === 1 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
}

export function judgeChannel(stats: ChannelStats, nowMs: number, t: HealthThresholds): ChannelState {
  const hour = hourOf(nowMs);
  const count = (h: number, i: 0 | 1 | 2) => stats.hours[h]?.[i] ?? 0;
  const expectedThisHour = expectedFor(stats, hour, t.minHistoryDays);
  const expectedLastHour = expectedFor(stats, hour - 1, t.minHistoryDays);
  const signatureFailures = count(hour, 1) + count(hour - 1, 1);
  let fetchFailuresLastDay = 0;
  for (let h = hour - 23; h <= hour; h++) fetchFailuresLastDay += count(h, 2);
  const gaps = stats.sequence.missing.filter((r) => nowMs - Date.parse(r.noticedAt) >= t.gapSettleMinutes * 60_000);
  const lastEventMs = stats.lastEventAt === null ? null : Date.parse(stats.lastEventAt);
  const quietMinutes = lastEventMs === null ? null : Math.floor((nowMs - lastEventMs) / 60_000);
  const busy =
    expectedThisHour !== null &&
    expectedLastHour !== null &&
    Math.min(expectedThisHour, expectedLastHour) >= t.minExpectedPerHour;

  const silentMinutes = busy && quietMinutes !== null && quietMinutes >= t.silenceMinutes ? quietMinutes : null;
  let status: ChannelStatus = 'ok';
  let reason = 'events arrive as usual';
  if (signatureFailures >= t.signatureFailuresPerHour) {
    status = 'failing';
    reason = `${signatureFailures} requests failed authentication in the last two hours: a secret may have been rotated on one side only, or someone is probing the endpoint`;
  } else if (silentMinutes !== null) {
    status = 'silent';
    reason = `no events for ${silentMinutes} minutes in an hour that normally sees about ${expectedThisHour}: the channel may be down; follow the contingency plan`;
  } else if (gaps.length > 0) {
    const missing = gaps.reduce((n, r) => n + r.to - r.from + 1, 0);
    status = 'gaps';
    reason = `${missing} event(s) in the platform's sequence never arrived`;
  } else if (expectedThisHour === null) {
    status = 'learning';
    reason = `learning the channel's normal pattern (${t.minHistoryDays} days of history needed)`;
  }
  return {
    channel: stats.channel,
    platform: stats.platform,
    status,
    reason,
    firstEventAt: stats.firstEventAt,
    lastEventAt: stats.lastEventAt,
    eventsThisHour: count(hour, 0),
    eventsLastHour: count(hour - 1, 0),
    expectedThisHour,
    silentMinutes,
    signatureFailuresLastTwoHours: signatureFailures,
    fetchFailuresLastDay,
    lastSignatureFailureAt: stats.lastSignatureFailureAt,
    lastFetchFailureAt: stats.lastFetchFailureAt,
    gaps,
    lastDay: Array.from({ length: 24 }, (_, i) => count(hour - 23 + i, 0)),
  };
}

export { DAY_MS, HOUR_MS };
