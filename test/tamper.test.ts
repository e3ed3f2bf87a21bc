/**
 * Someone with write access to the database changes history; `steno verify` must catch each change and
 * name the record. Each case starts from a fresh archive on the backend STENO_TEST_DB selects.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../src/core/canonical-json.js';
import { createTestBackend, rawExec, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';
import { CHAT } from './support/messages.js';

const pg = TEST_DB === 'postgres';

describe(`steno verify catches tampering on ${TEST_DB}`, () => {
  let backend: TestBackend;
  const steno = (...args: string[]) => runSteno(args, backend.env);

  beforeEach(async () => {
    backend = await createTestBackend();
    const file = join(backend.dataDir, 'chat.jsonl');
    await writeFile(file, `${CHAT.map((m) => JSON.stringify(m)).join('\n')}\n`);
    expect((await steno('ingest', file)).code).toBe(0);
    const clean = await steno('verify');
    expect(clean.code).toBe(0);
  });
  afterEach(async () => {
    await backend?.cleanup();
  });

  it('changed message text', async () => {
    await rawExec(
      backend,
      pg
        ? `UPDATE record_contents SET content = convert_to(replace(convert_from(content, 'UTF8'), '100手', '900手'), 'UTF8') WHERE leaf_index = 2`
        : `UPDATE record_contents SET content = CAST(replace(CAST(content AS TEXT), '100手', '900手') AS BLOB) WHERE leaf_index = 2`,
    );
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/record 2 \([0-9a-f-]+\): content does not match its commitment/);
  });

  it('deleted row', async () => {
    await rawExec(backend, 'DELETE FROM ledger_leaves WHERE leaf_index = 3');
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('record 3: leaf row is missing (deleted)');
  });

  it('deleted content', async () => {
    await rawExec(backend, 'DELETE FROM record_contents WHERE leaf_index = 5');
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/record 5 \([0-9a-f-]+\): content is missing/);
  });

  it('deleted newest records', async () => {
    await rawExec(backend, 'DELETE FROM ledger_leaves WHERE leaf_index >= 6');
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `checkpoint at tree size ${CHAT.length}: commits to ${CHAT.length} records but the ledger holds 6`,
    );
  });

  it('a row planted far beyond the end is named, and does not make the audit walk the gap', async () => {
    const far = 2 ** 40;
    await rawExec(
      backend,
      `INSERT INTO ledger_leaves (leaf_index, record_id, record_type, leaf) VALUES (${far}, 'planted', 'message', ${pg ? `'\\x7b7d'::bytea` : `x'7b7d'`})`,
    );
    // Walking 2^26 empty chunks would outlast the test's timeout.
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `record ${CHAT.length}: leaf rows ${CHAT.length} to ${2 ** 14 - 1} are missing (deleted)`,
    );
    expect(result.stdout).toContain(`record ${2 ** 14}: leaf rows ${2 ** 14} to ${far - 1} are missing (deleted)`);
    expect(result.stdout).toContain(`record ${far} (planted): leaf bytes are not a valid leaf`);
  });

  it('refuses to append to or sign a ledger cut short', async () => {
    await rawExec(backend, 'DELETE FROM ledger_leaves WHERE leaf_index >= 6');
    const file = join(backend.dataDir, 'more.jsonl');
    await writeFile(file, `${JSON.stringify({ ...CHAT[0], platformMessageId: 'after-tamper' })}\n`);
    const result = await steno('ingest', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`a checkpoint was signed at ${CHAT.length}: records were deleted`);
  });

  it('rewritten leaf bytes (history rewritten)', async () => {
    // Leaf hashes are not stored: only the signed checkpoint and the stored subtree hashes remember
    // the original leaf.
    const forged = canonicalBytes({
      v: 1,
      type: 'message',
      id: 'forged',
      capturedAt: '2020-01-01T00:00:00.000Z',
      commitment: 'AAAA',
    });
    await rawExec(backend, `UPDATE ledger_leaves SET leaf = ${pg ? '$1' : '?'} WHERE leaf_index = 4`, [forged]);
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/record 4 \([0-9a-f-]+\): leaf names id forged/);
    expect(result.stdout).toContain('tree at record 4: subtree hash over records 4 to 5 is wrong');
    expect(result.stdout).toContain(
      `checkpoint at tree size ${CHAT.length}: root does not match the records as stored: history was rewritten`,
    );
  });

  it.skipIf(pg)('deleted search index entries (SQLite: the PostgreSQL indexes are not audited yet)', async () => {
    await rawExec(backend, 'DELETE FROM message_keys WHERE rowid = 2');
    await rawExec(backend, 'DELETE FROM message_fts WHERE rowid = 3');
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/record 2 \([0-9a-f-]+\): key index entry is missing/);
    expect(result.stdout).toMatch(/record 3 \([0-9a-f-]+\): full-text index entry is missing/);
  });

  it('content replaced by bytes that are not JSON', async () => {
    await rawExec(
      backend,
      pg
        ? `UPDATE record_contents SET content = '\\x00ff7b'::bytea WHERE leaf_index = 2`
        : `UPDATE record_contents SET content = x'00ff7b' WHERE leaf_index = 2`,
    );
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/record 2 \([0-9a-f-]+\): content does not match its commitment/);
    expect(result.stdout).toContain('FAILED: 1 problem(s)');
  });

  it('changed message time used by search', async () => {
    await rawExec(backend, 'UPDATE messages SET sent_at = sent_at + 1 WHERE leaf_index = 6');
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/record 6 \([0-9a-f-]+\): message row differs from the committed content in sentAt/);
    expect(result.stdout).toContain('FAILED: 1 problem(s)');
  });

  it('changed stored subtree hash (proofs would not verify)', async () => {
    // Level 1, index 1: the node over records 2 and 3 (node ids are level * 2^47 + index).
    const level1 = 2 ** 47;
    await rawExec(
      backend,
      pg
        ? `UPDATE ledger_nodes SET hash = '\\x${'ab'.repeat(32)}'::bytea WHERE node_id = ${level1 + 1}`
        : `UPDATE ledger_nodes SET hash = x'${'ab'.repeat(32)}' WHERE node_id = ${level1 + 1}`,
    );
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('tree at record 2: subtree hash over records 2 to 3 is wrong');
    expect(result.stdout).toContain('FAILED: 1 problem(s)');
  });

  it('changed message metadata used by search', async () => {
    await rawExec(backend, `UPDATE messages SET sender = 'someone-else' WHERE leaf_index = 1`);
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/record 1 \([0-9a-f-]+\): message row differs from the committed content in sender/);
  });
});
