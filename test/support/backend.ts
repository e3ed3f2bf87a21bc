/**
 * One conformance suite, two backends: STENO_TEST_DB=sqlite (default) or postgres. Each test file gets
 * its own data folder, and on PostgreSQL its own schema, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Config, loadConfig } from '../../src/config/config.js';

export const TEST_DB = (process.env.STENO_TEST_DB ?? 'sqlite') as 'sqlite' | 'postgres';
if (TEST_DB !== 'sqlite' && TEST_DB !== 'postgres')
  throw new Error(`STENO_TEST_DB must be sqlite or postgres, not ${TEST_DB}`);
export const PG_URL = process.env.STENO_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestBackend {
  dataDir: string;
  /** Environment for a child `steno` process using this backend. */
  env: Record<string, string>;
  config(): Config;
  cleanup(): Promise<void>;
}

export async function createTestBackend(): Promise<TestBackend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'steno-test-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const env: Record<string, string> = { STENO_DATA: dataDir, STENO_ORIGIN: 'test.steno.local/log' };
  if (TEST_DB === 'postgres') {
    env.STENO_STORE = 'postgres';
    env.STENO_DATABASE_URL = PG_URL;
    env.STENO_PG_SCHEMA = schema;
  }
  return {
    dataDir,
    env,
    config: () => loadConfig(env),
    cleanup: async () => {
      await rm(dataDir, { recursive: true, force: true });
      if (TEST_DB === 'postgres') {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await client.end();
        }
      }
    },
  };
}

/** Runs a statement against the backend's database directly, as an attacker with database access would. */
export async function rawExec(backend: TestBackend, sql: string, params: unknown[] = []): Promise<void> {
  if (TEST_DB === 'postgres') {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${backend.env.STENO_PG_SCHEMA}`);
      await client.query(sql, params);
    } finally {
      await client.end();
    }
    return;
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(backend.dataDir, 'steno.db'));
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

/** Reads from the backend's database directly (tests only). */
export async function rawQuery<T>(backend: TestBackend, sql: string): Promise<T[]> {
  if (TEST_DB === 'postgres') {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${backend.env.STENO_PG_SCHEMA}`);
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(backend.dataDir, 'steno.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
