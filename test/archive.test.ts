/** The archive's behaviour through its services, on the backend STENO_TEST_DB selects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSteno, type Steno } from '../src/context.js';
import { StenoError } from '../src/core/errors.js';
import { auditLedger } from '../src/ledger/audit.js';
import { verifyCheckpoint } from '../src/ledger/note/checkpoint.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../src/ledger/tree/index.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { CHAT, message } from './support/messages.js';

describe(`archive on ${TEST_DB}`, () => {
  let backend: TestBackend;
  let steno: Steno;

  beforeAll(async () => {
    backend = await createTestBackend();
    steno = await openSteno(backend.config(), { createKey: true });
  });
  afterAll(async () => {
    await steno?.close();
    await backend?.cleanup();
  });

  const ingest = (items: Record<string, unknown>[]) =>
    steno.ingest.ingest(steno.ingest.validate(items, (i) => `[${i}]`));

  it('stores each message once, with a ledger index, and returns the original on repeat', async () => {
    const first = await ingest(CHAT);
    expect(first.map((r) => r.status)).toEqual(CHAT.map(() => 'created'));
    expect(first.map((r) => r.ledgerIndex)).toEqual(CHAT.map((_, i) => i));
    const again = await ingest(CHAT);
    expect(again.map((r) => r.status)).toEqual(CHAT.map(() => 'duplicate'));
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(await steno.store.treeSize()).toBe(CHAT.length);
  });

  it('keys messages without a platform id by their content', async () => {
    const noId = message({
      platformMessageId: undefined,
      text: 'no id here',
      conversationId: 'sms-1',
      platform: 'sms',
    });
    const [a] = await ingest([noId]);
    const [b] = await ingest([noId]);
    const [c] = await ingest([{ ...noId, text: 'different text' }]);
    expect(a!.status).toBe('created');
    expect(b).toEqual({ ...a, status: 'duplicate' });
    expect(c!.status).toBe('created');
  });

  it('shares one group commit between concurrent ingests and loses none', async () => {
    const before = await steno.store.treeSize();
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 25 }, (_, i) =>
        message({ conversationId: 'load', platformMessageId: `c${b}-${i}`, text: `load ${b} ${i}` }),
      ),
    );
    const results = await Promise.all(batches.map((batch) => ingest(batch)));
    const indexes = results.flat().map((r) => r.ledgerIndex);
    expect(new Set(indexes).size).toBe(500);
    expect(Math.min(...indexes)).toBe(before);
    expect(Math.max(...indexes)).toBe(before + 499);
  });

  it('keeps the original when a message is edited or deleted', async () => {
    const hits = await steno.search.search({ conversationId: 'conv-hk-001', query: '0700' });
    expect(hits.map((h) => h.content?.text).sort()).toEqual(['沽出 0700 一千股', '沽出 0700 五百股']);
    const edit = hits.find((h) => h.kind === 'edit');
    expect(edit?.content?.refersTo).toBe('m4');
  });

  it('rejects a batch with any bad message, naming each field, and stores nothing', async () => {
    const before = await steno.store.treeSize();
    let error: unknown;
    try {
      await ingest([
        message({ platformMessageId: 'ok-1' }),
        { ...message(), sentAt: 'yesterday', platform: 'myspace' },
        { kind: 'edit' },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StenoError);
    const where = (error as StenoError).problems.map((p) => p.where);
    expect(where).toEqual(expect.arrayContaining(['[1].sentAt', '[1].platform', '[2].platform', '[2].sender']));
    expect(await steno.store.treeSize()).toBe(before);
  });

  it('finds Chinese words the default tokenizers would miss, and honours filters', async () => {
    const tencent = await steno.search.search({ query: '騰訊' });
    expect(tencent.map((h) => h.content?.text).sort()).toEqual(['幫我買騰訊 100手 @ 380', '騰訊控股今日點睇？']);
    expect((await steno.search.search({ query: '騰訊', platform: 'wechat' })).length).toBe(1);
    expect((await steno.search.search({ query: 'hsbc', participant: '+85298765432' })).length).toBe(2);
    expect((await steno.search.search({ query: 'hsbc', participant: 'nobody' })).length).toBe(0);
    const may4 = await steno.search.search({
      query: '騰訊',
      fromMs: Date.parse('2026-05-04T00:00:00Z'),
      toMs: Date.parse('2026-05-05T00:00:00Z'),
    });
    expect(may4.map((h) => h.content?.platformMessageId)).toEqual(['m3']);
    expect((await steno.search.search({ query: '"at market"' })).length).toBe(2);
    expect((await steno.search.search({ query: 'hsbc -noted' })).length).toBe(1);
  });

  it('rejects malformed query syntax with a clear error', async () => {
    await expect(steno.search.search({ query: '"unclosed' })).rejects.toMatchObject({ code: 'invalid_query' });
    await expect(steno.search.search({ query: '-only -negative' })).rejects.toMatchObject({ code: 'invalid_query' });
  });

  it('signs checkpoints that commit to the records, with inclusion and consistency proofs', async () => {
    const first = await steno.ledger.checkpoint();
    const signed = verifyCheckpoint(first.note, steno.verifierKey);
    expect(signed.size).toBe(await steno.store.treeSize());
    await ingest([message({ platformMessageId: 'after-checkpoint' })]);
    const second = await steno.ledger.checkpoint();
    expect(second.size).toBe(first.size + 1);

    const leaves = await steno.store.readLeaves([0, 3, second.size - 1]);
    for (const [index, leaf] of leaves) {
      const proof = await steno.ledger.inclusionProof(index, second.size);
      expect(
        verifyInclusion({
          leafHash: hashLeaf(leaf.bytes),
          leafIndex: index,
          treeSize: second.size,
          proof,
          root: second.root,
        }),
      ).toBe(true);
    }
    const consistency = await steno.ledger.consistencyProof(first.size, second.size);
    expect(
      verifyConsistency({
        oldSize: first.size,
        newSize: second.size,
        oldRoot: first.root,
        newRoot: second.root,
        proof: consistency,
      }),
    ).toBe(true);
  });

  it('passes a full audit', async () => {
    await steno.ledger.checkpoint();
    const report = await auditLedger({ storage: steno.store, verifierKey: steno.verifierKey, origin: steno.origin });
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.records).toBe(await steno.store.treeSize());
  });

  it('refuses to reopen the log with a different origin', async () => {
    const config = { ...backend.config(), origin: 'other.example/log', originExplicit: true };
    await expect(openSteno(config, { createKey: false })).rejects.toMatchObject({ code: 'conflict' });
  });
});
