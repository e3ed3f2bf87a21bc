/**
 * The writer commits the batches waiting for it in one transaction. One failing batch must fail alone:
 * the batches before it commit, the batches after it (prepared on it) are refused as stale, and nothing
 * of the failing batch is left behind.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from './connection.js';
import { packBatch, SqliteWriter, STALE_TREE } from './writer.js';
import { WriterClient } from './writer-client.js';

/** A batch of `count` bare records from `first`, prepared against tree size `expectedSize`. */
function batch(expectedSize: number, first: number, count: number, { idPrefix = 'r', contentSize = 2 } = {}) {
  const indexes = Array.from({ length: count }, (_, i) => first + i);
  return packBatch(expectedSize, {
    leaves: indexes.map((index) => ({
      index,
      id: `${idPrefix}-${index}`,
      type: 'message' as const,
      bytes: Buffer.from(`leaf ${index}`),
    })),
    nodes: [],
    contents: indexes.map((index) => ({
      index,
      salt: Buffer.alloc(32, index),
      content: Buffer.alloc(contentSize, 0x20),
    })),
    messages: [],
  });
}

describe('SQLite writer', () => {
  let dir: string;
  let writer: SqliteWriter;
  const leafIds = () => {
    const db = openDb(join(dir, 'steno.db'), { readonly: true });
    try {
      return db.prepare('SELECT record_id FROM ledger_leaves ORDER BY leaf_index').pluck().all() as string[];
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steno-writer-'));
    writer = new SqliteWriter(join(dir, 'steno.db'));
  });
  afterEach(async () => {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits chained batches together', () => {
    expect(writer.writeAndCommitAll([batch(0, 0, 2), batch(2, 2, 3), batch(5, 5, 1)])).toEqual([null, null, null]);
    expect(leafIds()).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-4', 'r-5']);
  });

  it('fails a bad batch alone, refuses those after it as stale, and keeps those before it', () => {
    expect(writer.writeAndCommitAll([batch(0, 0, 2)])).toEqual([null]);
    // The middle batch reuses a record id already stored: its insert fails part-way through.
    const outcomes = writer.writeAndCommitAll([batch(2, 2, 2), batch(4, 4, 2, { idPrefix: 'x' }), batch(6, 6, 1)]);
    expect(outcomes[0]).toBeNull();
    expect(outcomes[1]).toBeNull();
    expect(outcomes[2]).toBeNull();
    const bad = batch(7, 7, 3);
    bad.leafId[2] = 'r-0';
    const later = batch(10, 10, 1);
    const [before, failed, after] = writer.writeAndCommitAll([batch(7, 7, 0), bad, later]);
    expect(before).toBeNull();
    expect(failed?.message).toMatch(/UNIQUE/);
    expect(after?.message).toContain(STALE_TREE);
    expect(leafIds()).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'x-4', 'x-5', 'r-6']);
  });

  it('refuses every batch when the tree is not the size the first was prepared for', () => {
    const outcomes = writer.writeAndCommitAll([batch(3, 3, 1), batch(4, 4, 1)]);
    expect(outcomes.map((o) => o?.message)).toEqual([
      expect.stringContaining(`${STALE_TREE}: expected tree size 3, found 0`),
      expect.stringContaining(STALE_TREE),
    ]);
    expect(leafIds()).toEqual([]);
    expect(() => writer.writeAndCommit(batch(1, 0, 1))).toThrow(STALE_TREE);
  });

  it('answers each of several batches sent at once through the writer thread, in order', async () => {
    writer.close();
    const client = await WriterClient.start(join(dir, 'steno.db'));
    try {
      const bad = batch(4, 4, 2);
      bad.leafId[1] = 'r-0';
      const sent = [batch(0, 0, 2), batch(2, 2, 2), bad, batch(6, 6, 2), batch(8, 8, 2)].map((b) =>
        client.call('writeAndCommit', b).then(
          () => 'ok',
          (error: Error) => error.message,
        ),
      );
      const outcomes = await Promise.all(sent);
      expect(outcomes.slice(0, 2)).toEqual(['ok', 'ok']);
      expect(outcomes[2]).toMatch(/UNIQUE/);
      expect(outcomes[3]).toContain(STALE_TREE);
      expect(outcomes[4]).toContain(STALE_TREE);
      expect(leafIds()).toEqual(['r-0', 'r-1', 'r-2', 'r-3']);
      expect(await client.call('writeAndCommit', batch(4, 4, 1))).toBeNull();
    } finally {
      await client.close();
      writer = new SqliteWriter(join(dir, 'steno.db'));
    }
  });

  it('copies committed writes into the database file in the background, without the writer checkpointing', async () => {
    writer.close();
    const file = join(dir, 'steno.db');
    const client = await WriterClient.start(file);
    try {
      const before = (await stat(file)).size;
      // About 2 MB of WAL: far below the writer's own checkpoint threshold (50,000 pages).
      for (let i = 0; i < 4; i++)
        await client.call('writeAndCommit', batch(i * 500, i * 500, 500, { contentSize: 1000 }));
      const deadline = Date.now() + 10_000;
      while ((await stat(file)).size <= before && Date.now() < deadline) await sleep(100);
      expect((await stat(file)).size).toBeGreaterThan(before + 1_000_000);
    } finally {
      await client.close();
      writer = new SqliteWriter(file);
    }
    expect(leafIds()).toHaveLength(2000);
  });
});
