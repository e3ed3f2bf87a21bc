/**
 * `steno verify` on a ledger large enough for its worker threads (over two audit chunks): records are
 * checked in parallel chunks and folded into the tree in order, so a change anywhere, including at a
 * chunk boundary, must still be found and named.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_CHUNK } from '../src/ledger/audit.js';
import { createTestBackend, rawExec, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';
import { message } from './support/messages.js';

const RECORDS = 2 * AUDIT_CHUNK + 7_000;
const pg = TEST_DB === 'postgres';

describe(`steno verify with worker threads on ${TEST_DB}`, () => {
  let backend: TestBackend;
  const steno = (...args: string[]) => runSteno(args, backend.env);

  beforeAll(async () => {
    backend = await createTestBackend();
    const file = join(backend.dataDir, 'many.jsonl');
    const lines = Array.from({ length: RECORDS }, (_, i) =>
      JSON.stringify(message({ conversationId: `c${i % 50}`, platformMessageId: `many-${i}`, text: `order ${i}` })),
    );
    await writeFile(file, `${lines.join('\n')}\n`);
    expect((await steno('ingest', file)).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('passes on an untouched ledger', async () => {
    const result = await steno('verify', '--json');
    const report = JSON.parse(result.stdout) as { ok: boolean; records: number };
    expect(report).toMatchObject({ ok: true, records: RECORDS });
    expect(result.code).toBe(0);
  });

  it('names a changed record in a later chunk and a row deleted at a chunk boundary', async () => {
    const changed = AUDIT_CHUNK + 123;
    await rawExec(
      backend,
      pg
        ? `UPDATE record_contents SET content = convert_to(replace(convert_from(content, 'UTF8'), 'order', 'ORDER'), 'UTF8') WHERE leaf_index = ${changed}`
        : `UPDATE record_contents SET content = CAST(replace(CAST(content AS TEXT), 'order', 'ORDER') AS BLOB) WHERE leaf_index = ${changed}`,
    );
    await rawExec(backend, `DELETE FROM ledger_leaves WHERE leaf_index = ${2 * AUDIT_CHUNK}`);
    const result = await steno('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`record ${changed} \\([0-9a-f-]+\\): content does not match its commitment`),
    );
    expect(result.stdout).toContain(`record ${2 * AUDIT_CHUNK}: leaf row is missing (deleted)`);
  });
});
