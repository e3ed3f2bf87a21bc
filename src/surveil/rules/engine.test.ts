import { describe, expect, it } from 'vitest';
import { StenoError } from '../../core/errors.js';
import type { StoredOrder } from '../orders/archive.js';
import type { ReconcileException } from '../reconcile/reconcile.js';
import { RuleEngine, type RuleMessage } from './engine.js';
import { DEFAULT_POLICY, parsePolicy } from './policy.js';

const engine = new RuleEngine(DEFAULT_POLICY, 42);
const CLIENT = { kind: 'client' as const, id: 'C1', name: 'Chan' };
const STAFF = { kind: 'staff' as const, id: 'E1', name: 'Wong' };

const msg = (text: string, fields: Partial<RuleMessage> = {}): RuleMessage => ({
  messageId: 'M1',
  platformMessageId: 'p1',
  conversationId: 'conv',
  sender: '+85291234567',
  sentAtMs: Date.parse('2026-05-04T01:00:00Z'),
  kind: 'message',
  text,
  senderParty: CLIENT,
  fromFirm: false,
  ...fields,
});

const order = (fields: Partial<StoredOrder> = {}): StoredOrder => ({
  id: '7.0',
  messageIndex: 7,
  messageId: 'M7',
  ordinal: 0,
  platform: 'whatsapp',
  conversationId: 'conv',
  platformMessageId: 'p7',
  sentAtMs: 0,
  messageKind: 'message',
  revises: null,
  revisedByOrderId: null,
  sender: '+85291234567',
  counterparts: [],
  clientId: 'C1',
  staffId: 'E1',
  action: 'new',
  side: 'buy',
  symbol: '0700.HK',
  quantity: 10_000,
  orderType: 'limit',
  limitPrice: 352,
  timeInForce: null,
  confidence: 1,
  detail: { spans: { side: [0, 3], symbol: [8, 11] }, warnings: [], language: 'en' },
  changesOrderId: null,
  ackMessageIndex: null,
  ...fields,
});

describe('rule engine', () => {
  it('raises one alert per rule per message, naming the policy version, with every span to highlight', () => {
    const [alert, ...rest] = engine.message(msg('call my cell, or better add me on WeChat: 加我微信'));
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      type: 'off_channel',
      rule: 'off_channel',
      severity: 'medium',
      dedupKey: 'off_channel:M1',
      policyVersion: 42,
      subject: { messageId: 'M1', clientId: 'C1' },
      task: null,
    });
    expect(alert!.spans.length).toBeGreaterThanOrEqual(2);
    for (const span of alert!.spans) expect(span.end).toBeGreaterThan(span.start);
  });

  it('asks for an out-of-band verification of a third-party transfer from a client, not of the firm repeating one', () => {
    const [transfer] = engine.message(msg("please transfer HKD 500k to my brother's account"));
    expect(transfer).toMatchObject({ type: 'third_party_transfer', severity: 'high' });
    expect(transfer!.task).toMatchObject({ kind: 'out_of_band_verification', target: 'C1' });
    expect(
      engine.message(msg("Noted, transfer HKD 500k to your brother's account", { fromFirm: true, senderParty: STAFF })),
    ).toEqual([]);
  });

  it('stays quiet on ordinary trading chat, negations, questions and deletions it has no order for', () => {
    for (const text of [
      'buy 10k 700 @352',
      'call me when it fills',
      'no guarantee on this one',
      'is the return guaranteed?',
      'delete the limit, make it market',
      'transfer 100k from my savings to my securities account',
    ]) {
      expect(engine.message(msg(text)), text).toEqual([]);
    }
    expect(engine.message(msg('call my cell', { kind: 'system' }))).toEqual([]);
    expect(engine.deletion(msg('', { kind: 'delete' }), [])).toEqual([]);
  });

  it('follows the policy: a rule turned off raises nothing, a severity changed is the alert severity', () => {
    const quiet = new RuleEngine(parsePolicy({ rules: { off_channel: { enabled: false } } }), 43);
    expect(quiet.message(msg('call my cell'))).toEqual([]);
    const loud = new RuleEngine(parsePolicy({ rules: { off_record: { severity: 'critical' } } }), 44);
    expect(loud.message(msg('delete this message please'))).toMatchObject([
      { severity: 'critical', policyVersion: 44 },
    ]);
  });

  it('asks for a call-back when an order comes from an unknown sender or an unverified handle', () => {
    expect(engine.order(order(), { id: 'C1', handles: ['whatsapp:+85291234567'], verifiedAt: '2026-03-01' })).toEqual(
      [],
    );
    const [unverified] = engine.order(order(), { id: 'C1', handles: ['whatsapp:+85291234567'], verifiedAt: null });
    expect(unverified).toMatchObject({
      type: 'unregistered_sender',
      evidence: { reason: 'handle_not_verified' },
      task: { kind: 'call_back', target: 'whatsapp:+85291234567' },
      spans: [
        { start: 0, end: 3, what: 'side' },
        { start: 8, end: 11, what: 'symbol' },
      ],
    });
    const [unknown] = engine.order(order({ clientId: null }), null);
    expect(unknown).toMatchObject({ evidence: { reason: 'sender_not_in_directory' }, task: { target: null } });
  });

  it('raises a deleted or recalled order message, and a reconciliation exception as its own type', () => {
    const [deleted] = engine.deletion(msg('', { kind: 'recall', messageId: 'M9' }), [order()]);
    expect(deleted).toMatchObject({
      type: 'order_message_deleted',
      dedupKey: 'order_message_deleted:M9',
      evidence: { kind: 'recall', deletedMessageId: 'M7' },
    });
    expect(engine.deletion(msg('', { kind: 'delete', fromFirm: true }), [order()])).toEqual([]);
    const exception: ReconcileException = {
      type: 'late_entry',
      messageId: 'M7',
      platformMessageId: 'p7',
      orderId: 'O7',
      details: { chatOrder: { conversationId: 'conv', clientId: 'C1' }, delayMs: 900_000 },
    };
    expect(engine.exception(exception)).toMatchObject([
      { type: 'late_entry', rule: 'reconciliation', dedupKey: 'late_entry:M7:O7', subject: { clientId: 'C1' } },
    ]);
  });

  it('refuses a policy it cannot read, naming each problem by its path', () => {
    expect(() =>
      parsePolicy({ rules: { off_chanel: {}, off_record: { severity: 'urgent', enabled: 'yes' } }, x: 1 }),
    ).toThrow(StenoError);
    try {
      parsePolicy({ rules: { off_chanel: {}, off_record: { severity: 'urgent', enabled: 'yes' } }, x: 1 });
    } catch (error) {
      const text = (error as Error).message;
      expect(text).toContain('policy.x: is not a policy setting');
      expect(text).toContain('policy.rules.off_chanel: is not a rule');
      expect(text).toContain('policy.rules.off_record.severity: must be one of low, medium, high, critical');
      expect(text).toContain('policy.rules.off_record.enabled: must be true or false');
    }
    expect(() => parsePolicy([])).toThrow('must be a JSON object');
  });

  it('reads thresholds, filling what is left out from the defaults, and refuses bad ones by path', () => {
    const policy = parsePolicy({
      thresholds: {
        unusual_activity: { zThreshold: 6, minHistoryDays: 20 },
        reconciliation: { slaMinutes: 2, deskSlaMinutes: { 'HK Equities': 1.5 } },
      },
    });
    expect(policy.thresholds.unusual_activity).toEqual({
      ...DEFAULT_POLICY.thresholds.unusual_activity,
      zThreshold: 6,
      minHistoryDays: 20,
    });
    expect(policy.thresholds.reconciliation).toEqual({
      windowMinutes: 30,
      slaMinutes: 2,
      deskSlaMinutes: { 'HK Equities': 1.5 },
    });
    expect(policy.thresholds.low_turnover).toEqual(DEFAULT_POLICY.thresholds.low_turnover);
    let text = '';
    try {
      parsePolicy({
        thresholds: {
          unusual_activity: { windowDays: 1.5, zThreshold: 'high', minValue: -1, median: 3 },
          off_channel: {},
          reconciliation: { windowMinutes: 20_000, deskSlaMinutes: { A: null } },
          low_turnover: [],
        },
      });
    } catch (error) {
      text = (error as Error).message;
    }
    expect(text).toContain('policy.thresholds.unusual_activity.windowDays: must be a whole number');
    expect(text).toContain('policy.thresholds.unusual_activity.zThreshold: must be a number');
    expect(text).toContain('policy.thresholds.unusual_activity.minValue: must be between 0 and');
    expect(text).toContain('policy.thresholds.unusual_activity.median: is not a threshold of unusual_activity');
    expect(text).toContain('policy.thresholds.off_channel: has no thresholds');
    expect(text).toContain('policy.thresholds.reconciliation.windowMinutes: must be between 1 and 10080');
    expect(text).toContain('policy.thresholds.reconciliation.deskSlaMinutes.A: must be a number');
    expect(text).toContain('policy.thresholds.low_turnover: must be an object');
    // The defaults themselves are untouched by parsing.
    expect(DEFAULT_POLICY.thresholds.unusual_activity.zThreshold).toBe(5);
  });
});
