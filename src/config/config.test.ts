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

  it('takes --data over STENO_DATA', () => {
    expect(loadConfig({ STENO_DATA: '/tmp/a' }, { dataDir: '/tmp/b' }).dataDir).toBe('/tmp/b');
  });
});
