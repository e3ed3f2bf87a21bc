/**
 * Synthetic chat for benchmarks: ~300-byte messages, deterministic (seeded), with a vocabulary whose
 * frequencies make "market" common (about a quarter of messages) and "zebracorn" rare (1 in 10,000).
 */
const WORDS = (
  'please buy sell order shares lots limit price today tomorrow confirm thanks client account ' +
  'hsbc tencent hkex aia meituan xiaomi alibaba ping an china mobile bond fund switch transfer ' +
  'call back later check position update report morning afternoon close open bid ask spread'
).split(' ');
const CJK = ['幫我買', '沽出', '騰訊', '匯豐', '一百手', '五百股', '市價', '收市前', '確認', '唔該'];

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    // xorshift32: fast and good enough to shape synthetic text.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x100000000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export function messageText(rng: Rng, i: number): string {
  const parts: string[] = [];
  if (i % 10_000 === 7) parts.push('zebracorn');
  if (rng.next() < 0.25) parts.push('market');
  if (rng.next() < 0.2) parts.push(CJK[rng.int(CJK.length)]!);
  while (parts.join(' ').length < 150) parts.push(WORDS[rng.int(WORDS.length)]!);
  parts.push(String(100 + rng.int(9900)));
  return parts.join(' ');
}

export function benchMessage(rng: Rng, i: number, prefix: string): Record<string, unknown> {
  return {
    platform: 'whatsapp',
    conversationId: `conv-${i % 5000}`,
    platformMessageId: `${prefix}-${i}`,
    sender: `+8529${String(1_000_000 + (i % 9000)).padStart(7, '0')}`,
    recipients: ['+85290000001'],
    sentAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    kind: 'message',
    text: messageText(rng, i),
  };
}
