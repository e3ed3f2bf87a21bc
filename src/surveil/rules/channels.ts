/**
 * The channel-health rule (SFC 2d): each capture channel's state, judged against its own learned
 * pattern, becomes alerts a reviewer works like any other: a channel silent in hours it is normally
 * busy, a spike of requests failing authentication, events missing from a platform's sequence. Runs on
 * a timer in the server (silence is the absence of ingest, so it cannot wait for ingest) and from
 * `steno channels check`.
 */
import type { ChannelState } from '../../capture/channels/health.js';
import type { ChannelMonitor } from '../../capture/channels/monitor.js';
import type { RaiseResult } from '../alerts/service.js';
import type { AlertCandidate } from './engine.js';
import type { PolicyInForce } from './policies.js';

const NO_SUBJECT = { messageId: null, platformMessageId: null, conversationId: null, clientId: null, orderId: null };

/** The alerts a channel's state raises under a policy. Pure. */
export function channelAlerts(state: ChannelState, policy: PolicyInForce, nowMs: number): AlertCandidate[] {
  const setting = policy.policy.rules.channel_health;
  if (!setting.enabled) return [];
  const common = { rule: 'channel_health' as const, severity: setting.severity, policyVersion: policy.version };
  const out: AlertCandidate[] = [];
  const evidence = {
    channel: state.channel,
    platform: state.platform,
    lastEventAt: state.lastEventAt,
    expectedThisHour: state.expectedThisHour,
    eventsLastDay: state.lastDay,
  };
  if (state.silentMinutes !== null) {
    out.push({
      ...common,
      type: 'channel_silent',
      // One alert per silence: the next event starts a new one.
      dedupKey: `channel_silent:${state.channel}:${state.lastEventAt}`,
      subject: NO_SUBJECT,
      spans: [],
      evidence: { ...evidence, silentMinutes: state.silentMinutes, reason: state.reason },
      task: {
        kind: 'call_back',
        target: null,
        instruction: `Check ${state.channel} with the platform and the desk; if it is down, follow the contingency plan (record orders by phone or in person) and record what was done.`,
      },
    });
  }
  const threshold = policy.policy.thresholds.channel_health.signatureFailuresPerHour;
  if (state.signatureFailuresLastTwoHours >= threshold) {
    const hour = new Date(Math.floor(nowMs / 3_600_000) * 3_600_000).toISOString();
    out.push({
      ...common,
      type: 'signature_failures',
      dedupKey: `signature_failures:${state.channel}:${hour}`,
      subject: NO_SUBJECT,
      spans: [],
      evidence: {
        ...evidence,
        signatureFailures: state.signatureFailuresLastTwoHours,
        lastSignatureFailureAt: state.lastSignatureFailureAt,
      },
      task: null,
    });
  }
  for (const gap of state.gaps) {
    out.push({
      ...common,
      type: 'capture_gap',
      dedupKey: `capture_gap:${state.channel}:${gap.from}-${gap.to}`,
      subject: NO_SUBJECT,
      spans: [],
      evidence: { ...evidence, missingFrom: gap.from, missingTo: gap.to, noticedAt: gap.noticedAt },
      task: null,
    });
  }
  return out;
}

export interface ChannelCheck {
  states: ChannelState[];
  raised: RaiseResult;
}

/** Saves this process's counts, judges every channel and raises what its state calls for. */
export async function checkChannels(deps: {
  monitor: ChannelMonitor;
  policies: { inForce(): Promise<PolicyInForce> };
  alerts: { raise(candidates: readonly AlertCandidate[], by: string): Promise<RaiseResult> };
  nowMs?: number;
}): Promise<ChannelCheck> {
  const nowMs = deps.nowMs ?? Date.now();
  await deps.monitor.save(nowMs);
  const policy = await deps.policies.inForce();
  const states = await deps.monitor.states(policy.policy.thresholds.channel_health, nowMs);
  const candidates = states.flatMap((s) => channelAlerts(s, policy, nowMs));
  const raised = await deps.alerts.raise(candidates, 'steno (channel health)');
  return { states, raised };
}
