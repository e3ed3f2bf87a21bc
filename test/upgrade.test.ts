/**
 * An archive written by an earlier schema version is upgraded in place when Steno opens it: nothing
 * stored is lost, every record still verifies, and new messages are stored.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBackend, rawExec, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';
import { CHAT } from './support/messages.js';

const pg = TEST_DB === 'postgres';

describe(`an archive at schema version 1 on ${TEST_DB}`, () => {
  let backend: TestBackend | undefined;
  afterEach(async () => {
    await backend?.cleanup();
  });

  it('drops the stored leaf hashes and keeps every record provable', async () => {
    const b = await createTestBackend();
    backend = b;
    const steno = (...args: string[]) => runSteno(args, b.env);
    const file = join(b.dataDir, 'chat.jsonl');
    await writeFile(file, `${CHAT.map((m) => JSON.stringify(m)).join('\n')}\n`);
    expect((await steno('ingest', file)).code).toBe(0);

    // Put the archive back as version 1 left it: a leaf hash column beside each leaf.
    await rawExec(
      b,
      pg
        ? `ALTER TABLE ledger_leaves ADD COLUMN leaf_hash bytea NOT NULL DEFAULT '\\x00'`
        : `ALTER TABLE ledger_leaves ADD COLUMN leaf_hash BLOB NOT NULL DEFAULT x'00'`,
    );
    await rawExec(b, 'DROP INDEX ledger_leaves_by_type');
    await rawExec(b, 'DROP TABLE orders');
    await rawExec(b, 'DROP TABLE order_acks');
    await rawExec(b, 'DROP TABLE activity');
    await rawExec(b, 'DROP TABLE alerts');
    await rawExec(b, 'DROP TABLE console_users');
    await rawExec(b, 'DROP TABLE console_sessions');
    await rawExec(b, pg ? 'DELETE FROM schema_migrations WHERE version > 1' : 'PRAGMA user_version = 1');

    const verified = await steno('verify');
    expect(verified.stdout).toContain(`OK: ${CHAT.length} record(s)`);
    const columns = pg
      ? await rawQuery<{ name: string }>(
          b,
          `SELECT column_name AS name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = 'ledger_leaves'`,
        )
      : await rawQuery<{ name: string }>(b, `SELECT name FROM pragma_table_info('ledger_leaves')`);
    expect(columns.map((c) => c.name).sort()).toEqual(['leaf', 'leaf_index', 'record_id', 'record_type']);
    // v3: the index that finds imports and directory changes without reading every leaf.
    const indexes = pg
      ? await rawQuery<{ name: string }>(
          b,
          `SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()`,
        )
      : await rawQuery<{ name: string }>(b, `SELECT name FROM sqlite_master WHERE type = 'index'`);
    expect(indexes.map((i) => i.name)).toContain('ledger_leaves_by_type');
    // v4 to v6: the projections' tables, created again (and filled again when next needed).
    const tables = pg
      ? await rawQuery<{ name: string }>(
          b,
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
        )
      : await rawQuery<{ name: string }>(b, `SELECT name FROM sqlite_master WHERE type = 'table'`);
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['orders', 'order_acks', 'activity', 'alerts']));

    const more = join(b.dataDir, 'more.jsonl');
    await writeFile(more, `${JSON.stringify({ ...CHAT[0], platformMessageId: 'after-upgrade' })}\n`);
    expect((await steno('ingest', more)).code).toBe(0);
    expect((await steno('verify')).stdout).toContain(`OK: ${CHAT.length + 1} record(s)`);
  });
});
