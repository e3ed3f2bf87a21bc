/**
 * Channel health on a real store (STENO_TEST_DB): counts from two capture processes add up in the
 * shared value, a channel that falls silent in its busy hours raises one `channel_silent` alert, a
 * spike of authentication failures and a sequence gap raise theirs, a disabled rule raises nothing, and
 * `steno channels` shows it all from another process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelMonitor } from '../src/capture/channels/monitor.js';
import { openSteno, type Steno } from '../src/context.js';
import { checkChannels } from '../src/surveil/rules/channels.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';

const HOUR = 3_600_000;
// Thursday 2026-05-14 10:30 UTC.
const NOW = Date.parse('2026-05-14T10:30:00Z');

describe(`channel health on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno(backend.config(), { createKey: true });
  });
  afterAll(async () => {
    await steno?.close();
    await backend?.cleanup();
  });

  const check = (nowMs: number) =>
    checkChannels({ monitor: steno.channels, policies: steno.policies, alerts: steno.alerts, nowMs });

  it('adds up what two capture processes counted', async () => {
    const other = new ChannelMonitor(steno.store);
    // Ten weekdays of 30 events in each of 09:00 and 10:00, split between the two processes.
    for (let day = 14; day >= 1; day--) {
      const midnight = Date.parse('2026-05-14T00:00:00Z') - day * 24 * HOUR;
      const weekday = new Date(midnight).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      for (const hour of [9, 10]) {
        steno.channels.received('whatsapp:555', 'whatsapp', 20, midnight + hour * HOUR + 60_000);
        other.received('whatsapp:555', 'whatsapp', 10, midnight + hour * HOUR + 120_000);
      }
    }
    // The last events: 09:15 today.
    steno.channels.received('whatsapp:555', 'whatsapp', 5, NOW - 75 * 60_000);
    await Promise.all([steno.channels.save(NOW), other.save(NOW)]);
    const [state] = await steno.channels.states(
      (await steno.policies.inForce()).policy.thresholds.channel_health,
      NOW - 75 * 60_000,
    );
    expect(state).toMatchObject({ channel: 'whatsapp:555', eventsThisHour: 5, expectedThisHour: 30 });
  });

  it('raises one channel_silent alert when a busy channel goes quiet, however often it is checked', async () => {
    const first = await check(NOW);
    expect(first.states[0]).toMatchObject({ status: 'silent', silentMinutes: 75 });
    expect(first.raised.byType).toEqual({ channel_silent: 1 });
    const again = await check(NOW + 60_000);
    expect(again.raised.raised).toBe(0);
    const [alert] = await steno.alerts.list({ type: 'channel_silent' });
    expect(alert).toMatchObject({ rule: 'channel_health', severity: 'high', state: 'open' });
    expect(alert!.task?.kind).toBe('call_back');
    expect(alert!.evidence).toMatchObject({ channel: 'whatsapp:555', silentMinutes: 75, expectedThisHour: 30 });
  });

  it('raises signature_failures on a spike and capture_gap for a sequence that skipped', async () => {
    for (let i = 0; i < 12; i++) steno.channels.signatureFailed('slack:unknown', 'slack', NOW - i * 60_000);
    for (const value of [7, 8, 11, 12]) steno.channels.sequence('telegram:desk', 'telegram', value, NOW - 20 * 60_000);
    steno.channels.received('telegram:desk', 'telegram', 4, NOW - 20 * 60_000);
    const result = await check(NOW);
    expect(result.raised.byType).toEqual({ signature_failures: 1, capture_gap: 1 });
    const [gap] = await steno.alerts.list({ type: 'capture_gap' });
    expect(gap!.evidence).toMatchObject({ channel: 'telegram:desk', missingFrom: 9, missingTo: 10 });
    const states = new Map(result.states.map((s) => [s.channel, s.status]));
    expect(states.get('slack:unknown')).toBe('failing');
    expect(states.get('telegram:desk')).toBe('gaps');
  });

  it('raises nothing when the policy turns the rule off', async () => {
    await steno.policies.set({ rules: { channel_health: { enabled: false } } }, { by: 'test', file: 'test' });
    for (let i = 0; i < 12; i++) steno.channels.signatureFailed('slack:unknown', 'slack', NOW + 2 * HOUR);
    expect((await check(NOW + 2 * HOUR)).raised.raised).toBe(0);
  });

  it('shows each channel from the command line, and refuses what it does not know', async () => {
    const shown = await runSteno(['channels', '--json'], backend.env);
    expect(shown.code, shown.stderr).toBe(0);
    const { channels } = JSON.parse(shown.stdout) as { channels: { channel: string }[] };
    expect(channels.map((c) => c.channel).sort()).toEqual(['slack:unknown', 'telegram:desk', 'whatsapp:555']);
    const text = await runSteno(['channels'], backend.env);
    expect(text.stdout).toMatch(/whatsapp:555\s+\w+\s+last event 2026-05-14T09:15:00.000Z/);
    const bad = await runSteno(['channels', 'restart'], backend.env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unexpected argument restart/);
  });
});
