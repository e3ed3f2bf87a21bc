/**
 * Surveillance policy: which rules run, at what severity, with what thresholds. A policy is versioned:
 * every alert names the version that raised it, so a reviewer (or a regulator) can tell whether an alert
 * that no longer fires was closed or stopped being asked for. `parsePolicy` checks one written as JSON,
 * naming each problem by its path, and fills what it leaves out from the defaults.
 */
import { type Problem, StenoError } from '../../core/errors.js';

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
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface RuleSetting {
  enabled: boolean;
  severity: Severity;
}

export interface Policy {
  rules: Record<RuleId, RuleSetting>;
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
  },
};

/** A policy written as JSON: `{"rules": {"off_channel": {"enabled": false}, …}}`; what is left out is the default. */
export function parsePolicy(value: unknown, where = 'policy'): Policy {
  const problems: Problem[] = [];
  const policy: Policy = structuredClone(DEFAULT_POLICY);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StenoError('invalid_input', `${where}: must be a JSON object with "rules"`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'rules') problems.push({ where: `${where}.${key}`, message: 'is not a policy setting' });
  }
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
