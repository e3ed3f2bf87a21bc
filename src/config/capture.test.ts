import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptureConfig, NO_CAPTURE, parseCaptureConfig } from './capture.js';

const SECRET = 'a-whatsapp-app-secret-of-some-length';

describe('capture settings', () => {
  it('takes secrets inline, from the environment and from files, and fills defaults', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steno-capture-'));
    await writeFile(join(dir, 'token'), 'EAAG-access-token-from-a-file\n');
    process.env.STENO_TEST_WA_SECRET = SECRET;
    const config = parseCaptureConfig(
      {
        whatsapp: {
          appSecrets: [{ env: 'STENO_TEST_WA_SECRET' }, 'the-next-app-secret-0123456789'],
          verifyTokens: ['verify-token-1'],
          accessToken: { file: join(dir, 'token') },
        },
        slack: { signingSecrets: ['slack-signing-secret-0123'] },
      },
      'capture.json',
    );
    expect(config.whatsapp).toEqual({
      appSecrets: [SECRET, 'the-next-app-secret-0123456789'],
      verifyTokens: ['verify-token-1'],
      accessToken: 'EAAG-access-token-from-a-file',
      graphBaseUrl: 'https://graph.facebook.com/v21.0',
    });
    expect(config.slack).toEqual({ signingSecrets: ['slack-signing-secret-0123'], botToken: null });
    expect(config.telegram).toBeNull();
    expect(loadCaptureConfig(undefined)).toEqual(NO_CAPTURE);
  });

  it('names each problem by its place and never prints a secret', () => {
    let message = '';
    try {
      parseCaptureConfig(
        {
          whatsapp: { appSecrets: ['short', SECRET, SECRET], verifyTokens: [{ env: 'STENO_TEST_UNSET_VARIABLE' }] },
          telegram: { 'Desk One': { secretTokens: ['a token with spaces!'] } },
          teams: {},
        },
        'capture.json',
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/capture\.json: whatsapp\.appSecrets/);
    expect(message).toMatch(/STENO_TEST_UNSET_VARIABLE is not set/);
    expect(message).toMatch(/telegram/);
    expect(message).toMatch(/teams/);
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain('short');
  });

  it('refuses a file that is not JSON, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steno-capture-'));
    const file = join(dir, 'capture.json');
    await writeFile(file, '{"whatsapp": ');
    expect(() => loadCaptureConfig(file)).toThrow(/STENO_CAPTURE_FILE: cannot read .*capture\.json as JSON/);
  });
});
