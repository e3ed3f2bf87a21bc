import { describe, expect, it } from 'vitest';
import type { AlertCandidate } from '../rules/engine.js';
import { applyAlertRecord, raisedAlert } from './model.js';

const candidate: AlertCandidate = {
  type: 'third_party_transfer',
  rule: 'third_party_transfer',
  severity: 'high',
  dedupKey: 'third_party_transfer:m1',
  policyVersion: 7,
  subject: { messageId: 'm1', platformMessageId: 'p1', conversationId: 'c1', clientId: 'C1', orderId: null },
  spans: [{ start: 0, end: 8, what: 'transfer' }],
  evidence: { sender: '+85291234567' },
  task: { kind: 'out_of_band_verification', target: 'C1', instruction: 'Verify it' },
};
const place = (leafIndex: number) => ({ leafIndex, recordId: `r${leafIndex}`, at: `2026-05-04T0${leafIndex}:00:00Z` });

describe('folding alert records', () => {
  it('starts open with the candidate and its task, then applies each record as written', () => {
    const raised = raisedAlert(place(1), 'steno rules', candidate);
    expect(raised).toMatchObject({ id: 'r1', state: 'open', assignee: null, task: { outcome: null }, approval: null });
    const assigned = applyAlertRecord(raised, place(2), {
      action: 'assigned',
      by: 'sup',
      alertId: 'r1',
      assignee: 'rev',
    });
    const again = applyAlertRecord(assigned, place(3), {
      action: 'raised',
      by: 'other node',
      alert: { ...candidate, policyVersion: 8 },
    });
    const verified = applyAlertRecord(again, place(4), {
      action: 'task_outcome',
      by: 'rev',
      alertId: 'r1',
      outcome: 'confirmed',
      note: null,
    });
    const approved = applyAlertRecord(verified, place(5), { action: 'approved', by: 'ops', alertId: 'r1', note: 'ok' });
    const closed = applyAlertRecord(approved, place(6), {
      action: 'state_changed',
      by: 'rev',
      alertId: 'r1',
      from: 'open',
      to: 'closed',
      reason: 'done',
    });
    expect(closed).toMatchObject({
      state: 'closed',
      closeReason: 'done',
      assignee: 'rev',
      policyVersion: 7,
      updatedIndex: 6,
      task: { outcome: { outcome: 'confirmed', by: 'rev', leafIndex: 4 } },
      approval: { by: 'ops', note: 'ok', leafIndex: 5 },
    });
    expect(closed.history.map((h) => [h.action, h.by, h.leafIndex])).toEqual([
      ['raised', 'steno rules', 1],
      ['assigned', 'sup', 2],
      ['raised_again', 'other node', 3],
      ['task_outcome', 'rev', 4],
      ['approved', 'ops', 5],
      ['state_changed', 'rev', 6],
    ]);
    // Each step is a new value: what was folded before is unchanged.
    expect(raised.history).toHaveLength(1);
    expect(assigned.task?.outcome).toBeNull();
  });
});
