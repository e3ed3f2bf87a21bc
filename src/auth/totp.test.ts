import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, matchTotp, newTotpSecret, totpCode, totpUri } from './totp.js';

// RFC 6238 Appendix B, SHA-1 rows: secret "12345678901234567890", eight digits there, the last six here.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP', () => {
  it('matches the RFC 6238 test vectors (six-digit form)', () => {
    for (const [seconds, eight] of RFC_VECTORS) {
      expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(eight.slice(2));
    }
  });

  it('base32 round-trips and reads the RFC 4648 vector', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Encode(base32Decode(secret))).toBe(secret);
    expect(() => base32Decode('not-base32!')).toThrow();
  });

  it('accepts one step of drift either way and nothing further', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotp(secret, totpCode(secret, now), now)).toBe(step);
    expect(matchTotp(secret, totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, now + 30_000), now)).toBe(step + 1);
    const far = totpCode(secret, now - 90_000);
    if (
      far !== totpCode(secret, now) &&
      far !== totpCode(secret, now - 30_000) &&
      far !== totpCode(secret, now + 30_000)
    )
      expect(matchTotp(secret, far, now)).toBeNull();
    expect(matchTotp(secret, '12345', now)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now)).toBeNull();
  });

  it('writes the otpauth URI authenticator apps read', () => {
    const uri = totpUri({ secret: 'MZXW6YTBOI', account: 'ada', issuer: 'Steno' });
    expect(uri).toBe('otpauth://totp/Steno%3Aada?secret=MZXW6YTBOI&issuer=Steno&algorithm=SHA1&digits=6&period=30');
  });
});
