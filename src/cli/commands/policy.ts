/** `steno policy show|set FILE.json|history`: the surveillance policy in force, and changing it. */
import { localOperator } from '../../capture/importers/source-file.js';
import { StenoError } from '../../core/errors.js';
import type { PolicyInForce } from '../../surveil/rules/policies.js';
import { parse, UsageError } from '../args.js';
import { readTextFile } from '../files.js';
import { type Output, printable } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno policy show|set FILE.json|history [--json] [--data DIR]
  show      the policy in force and its version (the ledger index every alert it raises names)
  set FILE  record a new policy, written as JSON; what it leaves out is the default:
              {"rules": {"off_channel": {"enabled": true, "severity": "high"},
                         "return_guarantee": {"enabled": false}}}
            rules: unregistered_sender, third_party_transfer, off_channel, return_guarantee, off_record,
            order_message_deleted, unusual_activity, low_turnover, reconciliation, channel_health;
            severities: low, medium, high, critical; thresholds (each optional):
              {"thresholds": {"unusual_activity": {"windowDays": 60, "minHistoryDays": 10,
                                                   "zThreshold": 5, "minValue": 1000000},
                              "low_turnover": {"lookbackDays": 20, "minShare": 0.1,
                                               "maxAverageTurnover": 20000000},
                              "reconciliation": {"windowMinutes": 30, "slaMinutes": 5,
                                                 "deskSlaMinutes": {"HK Equities": 3}},
                              "channel_health": {"silenceMinutes": 60, "minExpectedPerHour": 12,
                                                 "minHistoryDays": 5, "signatureFailuresPerHour": 10,
                                                 "gapSettleMinutes": 10}}}
  history   every policy recorded, oldest first`;

/** A policy file is a few KiB; anything far larger is not one. */
const MAX_POLICY_BYTES = 1024 * 1024;

export async function policyCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(args, { by: { type: 'string' } }, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [action, file, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}\n\n${USAGE}`);
  const print = (p: PolicyInForce, note = '') => {
    if (values.json) out.stdout(`${JSON.stringify(p)}\n`);
    else {
      out.stdout(`policy version ${p.version}, recorded ${p.recordedAt} by ${printable(p.by, 80)}${note}\n`);
      for (const [rule, s] of Object.entries(p.policy.rules)) {
        out.stdout(`  ${rule.padEnd(22)} ${s.enabled ? 'on ' : 'off'} ${s.severity}\n`);
      }
      for (const [rule, t] of Object.entries(p.policy.thresholds)) {
        out.stdout(`  thresholds ${rule}: ${printable(JSON.stringify(t), 400)}\n`);
      }
    }
  };
  if (action === 'show' && file === undefined) {
    await using steno = await openFromArgs(values, false);
    const current = await steno.policies.current();
    if (current === null) {
      out.stderr('no policy is recorded yet: the default is recorded when the rules first run\n');
      return 0;
    }
    print(current);
    return 0;
  }
  if (action === 'history' && file === undefined) {
    await using steno = await openFromArgs(values, false);
    for (const p of await steno.policies.history()) print(p);
    return 0;
  }
  if (action === 'set' && file !== undefined) {
    const text = await readTextFile(file);
    if (Buffer.byteLength(text) > MAX_POLICY_BYTES)
      throw new StenoError('too_large', `${file} is over 1 MiB: not a policy`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new StenoError('invalid_input', `${file}: is not JSON: ${(error as Error).message}`);
    }
    await using steno = await openFromArgs(values, true);
    const result = await steno.policies.set(value, { by: values.by ?? localOperator(), file });
    if (result.changed) await steno.ledger.checkpoint();
    print(result.policy, result.changed ? '' : ' (unchanged: this policy is already in force)');
    return 0;
  }
  throw new UsageError(`give: steno policy show, steno policy set FILE.json or steno policy history\n\n${USAGE}`);
}
