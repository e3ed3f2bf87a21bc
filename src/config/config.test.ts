import { describe, expect, it } from 'vitest';
import { StenoError } from '../core/errors.js';
import { loadConfig } from './config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(StenoError);
    expect((error as StenoError).code).toBe('config');
    return (error as StenoError).problems.map((p) => p.where);
  }
  throw new Error('expected a configuration error');
};

describe('configuration from the environment', () => {
  it('defaults to SQLite in ./data on 127.0.0.1:8080', () => {
    const config = loadConfig({});
    expect(config.store.kind).toBe('sqlite');
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.originExplicit).toBe(false);
  });

  it('names each variable that is wrong', () => {
    expect(problemsOf({ STENO_PORT: 'eighty', STENO_STORE: 'mongodb', STENO_ORIGIN: 'has space+plus' })).toEqual([
      'STENO_STORE',
      'STENO_ORIGIN',
      'STENO_PORT',
    ]);
    expect(problemsOf({ STENO_STORE: 'postgres' })).toEqual(['STENO_DATABASE_URL']);
    expect(problemsOf({ STENO_STORE: 'postgres', STENO_DATABASE_URL: 'mysql://x' })).toEqual(['STENO_DATABASE_URL']);
    expect(problemsOf({ STENO_PG_SCHEMA: 'Robert"); DROP TABLE' })).toEqual(['STENO_PG_SCHEMA']);
    expect(problemsOf({ STENO_INGEST_MEMORY_BYTES: 'lots' })).toEqual(['STENO_INGEST_MEMORY_BYTES']);
    expect(problemsOf({ STENO_INGEST_MEMORY_BYTES: '-1' })).toEqual(['STENO_INGEST_MEMORY_BYTES']);
    expect(loadConfig({ STENO_INGEST_MEMORY_BYTES: '0' }).ingestMemoryBytes).toBe(0);
  });

  it("reads the console's settings: trusted proxies, Secure cookies, the first admin's password file", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ STENO_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ STENO_TRUST_PROXY: '10.0.0.5,192.168.0.0/16' }).trustProxy).toEqual([
      '10.0.0.5',
      '192.168.0.0/16',
    ]);
    expect(loadConfig({ STENO_SECURE_COOKIES: 'true' }).secureCookies).toBe(true);
    expect(loadConfig({ STENO_ADMIN_PASSWORD_FILE: '/etc/steno/pw' }).adminPasswordFile).toBe('/etc/steno/pw');
    expect(problemsOf({ STENO_TRUST_PROXY: 'the load balancer', STENO_SECURE_COOKIES: 'yes' })).toEqual([
      'STENO_SECURE_COOKIES',
      'STENO_TRUST_PROXY',
    ]);
  });

  it('takes --data over STENO_DATA', () => {
    expect(loadConfig({ STENO_DATA: '/tmp/a' }, { dataDir: '/tmp/b' }).dataDir).toBe('/tmp/b');
  });
});
