/**
 * The channel monitor: connectors tell it what arrived and what failed; it keeps the counts in memory
 * and saves them every few seconds into one shared value per channel (compare-and-set, so several
 * capture nodes add up rather than overwrite), from which any process judges each channel's health.
 */
import { StenoError } from '../../core/errors.js';
import type { MetaStorage } from '../../store/meta.js';
import type { ChannelObserver } from '../connectors/connector.js';
import type { Platform } from '../model.js';
import {
  type ChannelDelta,
  type ChannelState,
  type ChannelStats,
  emptyDelta,
  type HealthThresholds,
  hourOf,
  judgeChannel,
  mergeDelta,
} from './health.js';

export const CHANNEL_KEY_PREFIX = 'channel:';
const MAX_SAVE_ATTEMPTS = 20;

export class ChannelMonitor implements ChannelObserver {
  private pending = new Map<string, ChannelDelta>();
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly storage: MetaStorage) {}

  private delta(channel: string, platform: Platform): ChannelDelta {
    let d = this.pending.get(channel);
    if (d === undefined) {
      d = emptyDelta(platform);
      this.pending.set(channel, d);
    }
    return d;
  }

  private count(d: ChannelDelta, atMs: number, slot: 0 | 1 | 2, n: number): void {
    const hour = hourOf(atMs);
    const counts = d.hours.get(hour) ?? [0, 0, 0];
    counts[slot] += n;
    d.hours.set(hour, counts);
  }

  received(channel: string, platform: Platform, events: number, atMs: number): void {
    const d = this.delta(channel, platform);
    this.count(d, atMs, 0, events);
    d.lastEventAtMs = Math.max(d.lastEventAtMs ?? atMs, atMs);
    d.firstEventAtMs = Math.min(d.firstEventAtMs ?? atMs, atMs);
  }

  signatureFailed(channel: string, platform: Platform, atMs: number): void {
    const d = this.delta(channel, platform);
    this.count(d, atMs, 1, 1);
    d.lastSignatureFailureAtMs = Math.max(d.lastSignatureFailureAtMs ?? atMs, atMs);
  }

  fetchFailed(channel: string, platform: Platform, atMs: number): void {
    const d = this.delta(channel, platform);
    this.count(d, atMs, 2, 1);
    d.lastFetchFailureAtMs = Math.max(d.lastFetchFailureAtMs ?? atMs, atMs);
  }

  sequence(channel: string, platform: Platform, value: number, atMs: number): void {
    this.delta(channel, platform).sequences.push({ value, atMs });
  }

  /** Saves what this process saw since the last save. Saves run one at a time. */
  save(nowMs = Date.now()): Promise<void> {
    this.saving = this.saving.catch(() => undefined).then(() => this.saveNow(nowMs));
    return this.saving;
  }

  private async saveNow(nowMs: number): Promise<void> {
    const pending = this.pending;
    this.pending = new Map();
    for (const [channel, delta] of pending) {
      const key = CHANNEL_KEY_PREFIX + channel;
      for (let attempt = 1; ; attempt++) {
        const current = await this.storage.getMeta(key);
        const merged = mergeDelta(current === null ? null : parseStats(current), channel, delta, nowMs);
        try {
          await this.storage.setMetaIfEquals(key, current, JSON.stringify(merged));
          break;
        } catch (error) {
          if (!(error instanceof StenoError && error.code === 'conflict') || attempt >= MAX_SAVE_ATTEMPTS) {
            // Keep the counts for the next save rather than lose them.
            this.pending.set(channel, delta);
            throw error;
          }
        }
      }
    }
  }

  /** Every channel's saved stats. */
  async stats(): Promise<ChannelStats[]> {
    return (await this.storage.metaWithPrefix(CHANNEL_KEY_PREFIX)).map((row) => parseStats(row.value));
  }

  /** Every channel's state now, judged against its own pattern. */
  async states(thresholds: HealthThresholds, nowMs = Date.now()): Promise<ChannelState[]> {
    return (await this.stats()).map((s) => judgeChannel(s, nowMs, thresholds));
  }
}

function parseStats(value: string): ChannelStats {
  try {
    return JSON.parse(value) as ChannelStats;
  } catch {
    throw new StenoError('integrity', `a channel's saved health cannot be read: ${value.slice(0, 60)}`);
  }
}
