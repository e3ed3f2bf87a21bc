/**
 * Policies in the ledger. Each change of policy is a `policy` record (the whole policy, who set it, from
 * which file); the policy in force is the latest, and its version is that record's ledger index, which
 * every alert it raises names. The default policy is recorded the first time the rules run without one,
 * so that even a firm that never wrote a policy can show which settings raised each alert.
 */
import { canonicalBytes } from '../../core/canonical-json.js';
import { newRecordId } from '../../core/ids.js';
import type { RecordsByType } from '../../ledger/content.js';
import { type Ledger, type LedgerWriteTx, prepareRecord } from '../../ledger/log.js';
import { parseLeaf } from '../../ledger/records.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from './policy.js';

export const POLICY_RECORD = 'policy';

/** The content of a `policy` ledger record. */
export interface PolicyRecordContent {
  policy: Policy;
  by: string;
  /** The file it was set from; null for the default. */
  file: string | null;
}

export interface PolicyInForce {
  /** The ledger index of its record. */
  version: number;
  recordId: string;
  recordedAt: string;
  by: string;
  file: string | null;
  policy: Policy;
}

export class PolicyService<Tx extends LedgerWriteTx = LedgerWriteTx> {
  constructor(
    private readonly ledger: Ledger<Tx>,
    private readonly records: RecordsByType,
  ) {}

  /** Every policy recorded, oldest first. */
  async history(): Promise<PolicyInForce[]> {
    const out: PolicyInForce[] = [];
    for (const r of await this.records.recordsOfType(POLICY_RECORD)) {
      if (r.content === null) continue;
      const content = JSON.parse(r.content.toString('utf8')) as PolicyRecordContent;
      out.push({
        version: r.index,
        recordId: r.id,
        recordedAt: parseLeaf(r.leaf).capturedAt,
        by: content.by,
        file: content.file,
        // Read through the parser, so that a setting added since is filled from the defaults.
        policy: parsePolicy(content.policy, `policy ${r.index}`),
      });
    }
    return out;
  }

  /** The policy in force, or null when none was ever recorded. */
  async current(): Promise<PolicyInForce | null> {
    return (await this.history()).at(-1) ?? null;
  }

  /** The policy in force, recording the default first when there is none. */
  async inForce(): Promise<PolicyInForce> {
    return (await this.current()) ?? (await this.record(DEFAULT_POLICY, 'steno (default policy)', null));
  }

  /**
   * Sets the policy written as JSON (what it leaves out is the default). Setting the policy already in
   * force records nothing.
   */
  async set(
    value: unknown,
    options: { by: string; file: string },
  ): Promise<{ policy: PolicyInForce; changed: boolean }> {
    const policy = parsePolicy(value, options.file);
    const current = await this.current();
    if (current !== null && canonicalBytes(current.policy).equals(canonicalBytes(policy))) {
      return { policy: current, changed: false };
    }
    return { policy: await this.record(policy, options.by, options.file), changed: true };
  }

  private async record(policy: Policy, by: string, file: string | null): Promise<PolicyInForce> {
    const content: PolicyRecordContent = { policy, by, file };
    const id = newRecordId();
    const recordedAt = new Date().toISOString();
    const appended = await this.ledger.append(async (_tx, appender) =>
      appender.append(prepareRecord(POLICY_RECORD, id, canonicalBytes(content), recordedAt)),
    );
    return { version: appended.index, recordId: id, recordedAt, by, file, policy };
  }
}
