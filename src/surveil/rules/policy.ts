/**
 * Surveillance policy: which rules run, at what severity, with what thresholds. A policy is versioned:
 * every alert names the version that raised it, so a reviewer (or a regulator) can tell whether an alert
 * that no longer fires was closed or stopped being asked for. `parsePolicy` checks one written as JSON,
 * naming each problem by its path, and fills what it leaves out from the defaults.
 */

import { DEFAULT_HEALTH, type HealthThresholds } from '../../capture/channels/health.js';
import { type Problem, StenoError } from '../../core/errors.js';
import { DEFAULT_SLA_MS, DEFAULT_WINDOW_MS } from '../reconcile/reconcile.js';
import { DEFAULT_LOW_TURNOVER, DEFAULT_SPIKE, type LowTurnoverOptions, type SpikeOptions } from './trading.js';

export const RULE_IDS = [
  /** SFC 2a: an order from a sender the directory does not know, or from a handle not yet verified. */
  'unregistered_sender',
  /** SFC 2c: instructions to transfer funds or pay a third party. */
  'third_party_transfer',
  /** SFC 4b: moving to a channel the firm cannot record. */
  'off_channel',
  'return_guarantee',
  'off_record',
  /** SFC footnote 7: a client deleting or recalling a message that carried an order. */
  'order_message_deleted',
  /** SFC 3c: a client's trading far above their own history. */
  'unusual_activity',
  /** SFC 3c: orders that are a large share of a thinly traded stock's turnover. */
  'low_turnover',
  /** SFC 3b and 4a: each reconciliation exception, as an alert of its own type. */
  'reconciliation',
  /** SFC 2d: a capture channel gone silent, failing authentication, or missing events. */
  'channel_health',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface RuleSetting {
  enabled: boolean;
  severity: Severity;
}

/** How reconciliation judges timing, in minutes as a compliance officer writes them. */
export interface ReconciliationThresholds {
  /** How long after the message a firm order may be entered and still pair with it. */
  windowMinutes: number;
  /** Entry later than this is late… */
  slaMinutes: number;
  /** …unless the desk has its own. */
  deskSlaMinutes: Record<string, number>;
}

export interface Thresholds {
  unusual_activity: SpikeOptions;
  low_turnover: LowTurnoverOptions;
  reconciliation: ReconciliationThresholds;
  channel_health: HealthThresholds;
}

export interface Policy {
  rules: Record<RuleId, RuleSetting>;
  thresholds: Thresholds;
}

export const DEFAULT_POLICY: Policy = {
  rules: {
    unregistered_sender: { enabled: true, severity: 'high' },
    third_party_transfer: { enabled: true, severity: 'high' },
    off_channel: { enabled: true, severity: 'medium' },
    return_guarantee: { enabled: true, severity: 'medium' },
    off_record: { enabled: true, severity: 'medium' },
    order_message_deleted: { enabled: true, severity: 'high' },
    unusual_activity: { enabled: true, severity: 'medium' },
    low_turnover: { enabled: true, severity: 'medium' },
    reconciliation: { enabled: true, severity: 'medium' },
    channel_health: { enabled: true, severity: 'high' },
  },
  thresholds: {
    unusual_activity: { ...DEFAULT_SPIKE },
    low_turnover: { ...DEFAULT_LOW_TURNOVER },
    reconciliation: {
      windowMinutes: DEFAULT_WINDOW_MS / 60_000,
      slaMinutes: DEFAULT_SLA_MS / 60_000,
      deskSlaMinutes: {},
    },
    channel_health: { ...DEFAULT_HEALTH },
  },
};

/** Each threshold: whole or not, and its bounds (a typo such as minutes given as seconds is refused). */
const LIMITS: Record<string, { integer: boolean; min: number; max: number }> = {
  'unusual_activity.windowDays': { integer: true, min: 1, max: 750 },
  'unusual_activity.minHistoryDays': { integer: true, min: 1, max: 500 },
  'unusual_activity.zThreshold': { integer: false, min: 0.5, max: 100 },
  'unusual_activity.minValue': { integer: false, min: 0, max: 1e15 },
  'low_turnover.lookbackDays': { integer: true, min: 1, max: 500 },
  'low_turnover.minShare': { integer: false, min: 0, max: 100 },
  'low_turnover.maxAverageTurnover': { integer: false, min: 0, max: 1e15 },
  'reconciliation.windowMinutes': { integer: false, min: 1, max: 7 * 24 * 60 },
  'reconciliation.slaMinutes': { integer: false, min: 0, max: 7 * 24 * 60 },
  'reconciliation.deskSlaMinutes.*': { integer: false, min: 0, max: 7 * 24 * 60 },
  'channel_health.silenceMinutes': { integer: true, min: 5, max: 7 * 24 * 60 },
  'channel_health.minExpectedPerHour': { integer: false, min: 0, max: 1e9 },
  'channel_health.minHistoryDays': { integer: true, min: 1, max: 28 },
  'channel_health.signatureFailuresPerHour': { integer: true, min: 1, max: 1e9 },
  'channel_health.gapSettleMinutes': { integer: true, min: 0, max: 24 * 60 },
};

function checkNumber(value: unknown, key: string, at: string, problems: Problem[]): number | null {
  const limit = LIMITS[key]!;
  if (typeof value !== 'number' || !Number.isFinite(value) || (limit.integer && !Number.isInteger(value))) {
    problems.push({ where: at, message: `must be a ${limit.integer ? 'whole number' : 'number'}` });
    return null;
  }
  if (value < limit.min || value > limit.max) {
    problems.push({ where: at, message: `must be between ${limit.min} and ${limit.max}` });
    return null;
  }
  return value;
}

function parseThresholds(value: unknown, where: string, into: Thresholds, problems: Problem[]): void {
  if (!isObject(value)) {
    problems.push({ where, message: 'must be an object of rule thresholds' });
    return;
  }
  for (const [rule, settings] of Object.entries(value)) {
    const at = `${where}.${rule}`;
    if (!Object.hasOwn(into, rule)) {
      problems.push({
        where: at,
        message: `has no thresholds; those with thresholds are ${Object.keys(into).join(', ')}`,
      });
      continue;
    }
    if (!isObject(settings)) {
      problems.push({ where: at, message: 'must be an object' });
      continue;
    }
    const target = into[rule as keyof Thresholds] as unknown as Record<string, unknown>;
    for (const [field, v] of Object.entries(settings)) {
      const key = `${rule}.${field}`;
      if (key === 'reconciliation.deskSlaMinutes') {
        if (!isObject(v)) {
          problems.push({ where: `${at}.${field}`, message: 'must be an object of desk: minutes' });
          continue;
        }
        const desks: Record<string, number> = {};
        for (const [desk, minutes] of Object.entries(v)) {
          const n = checkNumber(minutes, `${key}.*`, `${at}.${field}.${desk}`, problems);
          if (n !== null) desks[desk] = n;
        }
        target[field] = desks;
      } else if (Object.hasOwn(LIMITS, key)) {
        const n = checkNumber(v, key, `${at}.${field}`, problems);
        if (n !== null) target[field] = n;
      } else {
        problems.push({
          where: `${at}.${field}`,
          message: `is not a threshold of ${rule} (${Object.keys(target).join(', ')})`,
        });
      }
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A policy written as JSON: `{"rules": {"off_channel": {"enabled": false}, …}, "thresholds":
 * {"unusual_activity": {"zThreshold": 6}, …}}`; what is left out is the default.
 */
export function parsePolicy(value: unknown, where = 'policy'): Policy {
  const problems: Problem[] = [];
  const policy: Policy = structuredClone(DEFAULT_POLICY);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StenoError('invalid_input', `${where}: must be a JSON object with "rules"`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'rules' && key !== 'thresholds') {
      problems.push({ where: `${where}.${key}`, message: 'is not a policy setting (rules, thresholds)' });
    }
  }
  const thresholds = (value as { thresholds?: unknown }).thresholds;
  if (thresholds !== undefined) parseThresholds(thresholds, `${where}.thresholds`, policy.thresholds, problems);
  const rules = (value as { rules?: unknown }).rules ?? {};
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    problems.push({ where: `${where}.rules`, message: 'must be an object of rule settings' });
  } else {
    for (const [id, setting] of Object.entries(rules)) {
      const at = `${where}.rules.${id}`;
      if (!(RULE_IDS as readonly string[]).includes(id)) {
        problems.push({ where: at, message: `is not a rule; the rules are ${RULE_IDS.join(', ')}` });
        continue;
      }
      if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) {
        problems.push({ where: at, message: 'must be an object such as {"enabled": true, "severity": "high"}' });
        continue;
      }
      const target = policy.rules[id as RuleId];
      for (const [field, v] of Object.entries(setting)) {
        if (field === 'enabled' && typeof v === 'boolean') target.enabled = v;
        else if (field === 'severity' && (SEVERITIES as readonly unknown[]).includes(v))
          target.severity = v as Severity;
        else if (field === 'enabled') problems.push({ where: `${at}.enabled`, message: 'must be true or false' });
        else if (field === 'severity') {
          problems.push({ where: `${at}.severity`, message: `must be one of ${SEVERITIES.join(', ')}` });
        } else problems.push({ where: `${at}.${field}`, message: 'is not a rule setting (enabled, severity)' });
      }
    }
  }
  if (problems.length > 0) {
    throw new StenoError(
      'invalid_input',
      `${problems.length} problem(s) in the policy:\n${problems.map((p) => `${p.where}: ${p.message}`).join('\n')}`,
      { problems },
    );
  }
  return policy;
}
