import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLACK_MAX_SKEW_SECONDS, slackSignature, verifySlackSignature } from './signature.js';

const vector = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../../test/fixtures/slack/signature-vector.json'), 'utf8'),
) as { signingSecret: string; timestamp: string; body: string; signature: string };

const SECRET = 'slack-signing-secret-0123456789ab';
const OTHER = 'slack-signing-secret-rotated-4567';
const BODY = Buffer.from('{"type":"event_callback","team_id":"T0FIRM0001"}');
const NOW_S = 1778560200;
const at = (seconds: number) => ({ nowMs: seconds * 1000 });

describe('Slack request signatures', () => {
  it("matches Slack's documented example", () => {
    expect(slackSignature(vector.signingSecret, vector.timestamp, Buffer.from(vector.body))).toBe(vector.signature);
    const hex = verifySlackSignature({
      secrets: [vector.signingSecret],
      timestamp: vector.timestamp,
      signature: vector.signature,
      body: Buffer.from(vector.body),
      ...at(Number(vector.timestamp) + 10),
    });
    expect(`v0=${hex}`).toBe(vector.signature);
  });

  it('accepts either secret while one is rotated, and hex in either case', () => {
    const timestamp = String(NOW_S);
    for (const secret of [SECRET, OTHER]) {
      const signature = slackSignature(secret, timestamp, BODY);
      expect(verifySlackSignature({ secrets: [SECRET, OTHER], timestamp, signature, body: BODY, ...at(NOW_S) })).toBe(
        signature.slice(3),
      );
    }
    const upper = `v0=${slackSignature(SECRET, timestamp, BODY).slice(3).toUpperCase()}`;
    expect(() =>
      verifySlackSignature({ secrets: [SECRET], timestamp, signature: upper, body: BODY, ...at(NOW_S) }),
    ).not.toThrow();
  });

  it('refuses a wrong secret, another body, another timestamp and malformed headers, saying which', () => {
    const timestamp = String(NOW_S);
    const good = slackSignature(SECRET, timestamp, BODY);
    const cases: [Parameters<typeof verifySlackSignature>[0], string][] = [
      [{ secrets: [OTHER], timestamp, signature: good, body: BODY, ...at(NOW_S) }, 'does not match'],
      [
        { secrets: [SECRET], timestamp, signature: good, body: Buffer.from(`${BODY} `), ...at(NOW_S) },
        'does not match',
      ],
      [
        { secrets: [SECRET], timestamp: String(NOW_S + 1), signature: good, body: BODY, ...at(NOW_S) },
        'does not match',
      ],
      [{ secrets: [SECRET], timestamp: undefined, signature: good, body: BODY, ...at(NOW_S) }, 'sign the request'],
      [{ secrets: [SECRET], timestamp, signature: undefined, body: BODY, ...at(NOW_S) }, 'sign the request'],
      [{ secrets: [SECRET], timestamp: '17785602OO', signature: good, body: BODY, ...at(NOW_S) }, 'Unix seconds'],
      [{ secrets: [SECRET], timestamp, signature: `v1=${good.slice(3)}`, body: BODY, ...at(NOW_S) }, 'v0=<64 hex'],
      [{ secrets: [SECRET], timestamp, signature: good.slice(0, -2), body: BODY, ...at(NOW_S) }, 'v0=<64 hex'],
    ];
    for (const [input, message] of cases) {
      expect(() => verifySlackSignature(input), message).toThrow(message);
    }
  });

  it('accepts a timestamp up to five minutes away either way, and refuses one further', () => {
    const check = (skew: number) => {
      const timestamp = String(NOW_S + skew);
      const signature = slackSignature(SECRET, timestamp, BODY);
      return () => verifySlackSignature({ secrets: [SECRET], timestamp, signature, body: BODY, ...at(NOW_S) });
    };
    expect(check(-SLACK_MAX_SKEW_SECONDS)).not.toThrow();
    expect(check(SLACK_MAX_SKEW_SECONDS)).not.toThrow();
    expect(check(-SLACK_MAX_SKEW_SECONDS - 1)).toThrow('more than 300 s from now');
    expect(check(SLACK_MAX_SKEW_SECONDS + 1)).toThrow('more than 300 s from now');
  });

  it('never names a secret in what it throws', () => {
    const timestamp = String(NOW_S);
    try {
      verifySlackSignature({
        secrets: [SECRET, OTHER],
        timestamp,
        signature: slackSignature('not-the-secret-at-all-0123', timestamp, BODY),
        body: BODY,
        ...at(NOW_S),
      });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(SECRET);
      expect((error as Error).message).not.toContain(OTHER);
      expect((error as { code?: string }).code).toBe('unauthorized');
    }
  });
});
