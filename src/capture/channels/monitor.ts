/**
 * Channel health: what each capture channel delivered, hour by hour, and what failed.
 */
import type { ChannelObserver } from '../connectors/connector.js';
import type { Platform } from '../model.js';

export class ChannelMonitor implements ChannelObserver {
  received(_channel: string, _platform: Platform, _events: number, _atMs: number): void {}
  signatureFailed(_channel: string, _platform: Platform, _atMs: number): void {}
  fetchFailed(_channel: string, _platform: Platform, _atMs: number): void {}
  sequence(_channel: string, _platform: Platform, _value: number, _atMs: number): void {}
}
