import { describe, expect, it } from 'vitest';
import { type ChannelStats, DEFAULT_HEALTH, emptyDelta, HOUR_MS, hourOf, judgeChannel, mergeDelta } from './health.js';

// Wednesday 2026-05-13 10:30 UTC, a busy trading hour.
const NOW = Date.parse('2026-05-13T10:30:00Z');

/** A channel that has seen `perHour` events in every hour from 09:00 to 11:00 UTC on each of `days` days. */
function history(days: number, perHour: number, lastEventAt: number): ChannelStats {
  const delta = emptyDelta('whatsapp');
  for (let d = days; d >= 1; d--) {
    for (const h of [9, 10]) {
      const at = Date.parse('2026-05-13T00:00:00Z') - d * 24 * HOUR_MS + h * HOUR_MS;
      delta.hours.set(hourOf(at), [perHour, 0, 0]);
    }
  }
  delta.firstEventAtMs = Date.parse('2026-05-13T00:00:00Z') - days * 24 * HOUR_MS;
  delta.lastEventAtMs = lastEventAt;
  return mergeDelta(null, 'whatsapp:1', delta, NOW);
}

describe('channel health', () => {
  it('adds what several processes saw, keeping the earliest first and the latest last event', () => {
    const a = emptyDelta('telegram');
    a.hours.set(hourOf(NOW), [3, 1, 0]);
    a.firstEventAtMs = NOW - 1000;
    a.lastEventAtMs = NOW - 1000;
    const b = emptyDelta('telegram');
    b.hours.set(hourOf(NOW), [4, 0, 2]);
    b.firstEventAtMs = NOW - 5000;
    b.lastEventAtMs = NOW;
    const merged = mergeDelta(mergeDelta(null, 'telegram:desk', a, NOW), 'telegram:desk', b, NOW);
    expect(merged.hours[hourOf(NOW)]).toEqual([7, 1, 2]);
    expect(merged.firstEventAt).toBe(new Date(NOW - 5000).toISOString());
    expect(merged.lastEventAt).toBe(new Date(NOW).toISOString());
  });

  it('forgets hours older than the history it keeps', () => {
    const d = emptyDelta('slack');
    d.hours.set(hourOf(NOW) - 36 * 24, [5, 0, 0]);
    d.hours.set(hourOf(NOW), [1, 0, 0]);
    expect(Object.keys(mergeDelta(null, 'slack:T1', d, NOW).hours)).toEqual([String(hourOf(NOW))]);
  });

  it('notices sequence numbers that never arrived, and closes a gap when a late one does', () => {
    const d = emptyDelta('telegram');
    for (const value of [100, 101, 105, 103, 101, 106]) d.sequences.push({ value, atMs: NOW });
    const stats = mergeDelta(null, 'telegram:desk', d, NOW);
    expect(stats.sequence.last).toBe(106);
    expect(stats.sequence.missing.map((r) => [r.from, r.to])).toEqual([
      [102, 102],
      [104, 104],
    ]);
    // Not yet a gap: late deliveries may still come within the settle time.
    expect(judgeChannel(stats, NOW, DEFAULT_HEALTH).gaps).toEqual([]);
    const later = judgeChannel(stats, NOW + 11 * 60_000, DEFAULT_HEALTH);
    expect(later.gaps.map((g) => [g.from, g.to])).toEqual([
      [102, 102],
      [104, 104],
    ]);
    expect(later.status).toBe('gaps');
  });

  it('is learning until it has days enough of the same kind to know its normal hour', () => {
    const state = judgeChannel(history(3, 40, NOW - 2 * HOUR_MS), NOW, DEFAULT_HEALTH);
    expect(state.status).toBe('learning');
    expect(state.expectedThisHour).toBeNull();
    expect(state.silentMinutes).toBeNull();
  });

  it('is silent when a normally busy hour has had no event for the silence window', () => {
    const state = judgeChannel(history(10, 40, NOW - 75 * 60_000), NOW, DEFAULT_HEALTH);
    expect(state.expectedThisHour).toBe(40);
    expect(state.silentMinutes).toBe(75);
    expect(state.status).toBe('silent');
    expect(state.reason).toMatch(/no events for 75 minutes/);
  });

  it('is not silent after a quiet spell shorter than the window, nor in hours that are normally quiet', () => {
    expect(judgeChannel(history(10, 40, NOW - 30 * 60_000), NOW, DEFAULT_HEALTH).status).toBe('ok');
    const night = Date.parse('2026-05-13T03:30:00Z');
    expect(judgeChannel(history(10, 40, night - 5 * HOUR_MS), night, DEFAULT_HEALTH).silentMinutes).toBeNull();
    // A channel that normally sees a handful an hour is not called silent after an hour without one.
    expect(judgeChannel(history(10, 3, NOW - 90 * 60_000), NOW, DEFAULT_HEALTH).status).toBe('ok');
  });

  it('judges weekdays against weekdays: a quiet Saturday is not a silent channel', () => {
    const saturday = Date.parse('2026-05-16T10:30:00Z');
    const stats = history(10, 40, saturday - 3 * HOUR_MS);
    // The history's weekend days saw as much as its weekdays here, so take only weekday history.
    for (const hour of Object.keys(stats.hours)) {
      const day = new Date(Number(hour) * HOUR_MS).getUTCDay();
      if (day === 0 || day === 6) delete stats.hours[hour];
    }
    expect(judgeChannel(stats, saturday, DEFAULT_HEALTH).silentMinutes).toBeNull();
  });

  it('is failing when authentication failures reach the threshold', () => {
    const stats = history(10, 40, NOW - 60_000);
    stats.hours[hourOf(NOW)] = [40, 6, 0];
    stats.hours[hourOf(NOW) - 1] = [40, 4, 0];
    const state = judgeChannel(stats, NOW, DEFAULT_HEALTH);
    expect(state.signatureFailuresLastTwoHours).toBe(10);
    expect(state.status).toBe('failing');
    stats.hours[hourOf(NOW) - 1] = [40, 3, 0];
    expect(judgeChannel(stats, NOW, DEFAULT_HEALTH).status).toBe('ok');
  });
});
