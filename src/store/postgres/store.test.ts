/**
 * The PostgreSQL store against a real server, in a fresh schema dropped afterwards. Runs only with
 * STENO_TEST_DB=postgres (STENO_TEST_PG_URL overrides the server; default postgres@127.0.0.1:5432).
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRow } from '../../capture/ingest.js';
import { StenoError } from '../../core/errors.js';
import { sha256 } from '../../core/hash.js';
import { parseQuery, type Query } from '../../index/query.js';
import { segmentForIndex } from '../../index/segment.js';
import type { MessageProjection } from '../../ledger/audit.js';
import type { ContentRow, LeafRow, NodeRow } from '../../ledger/log.js';
import { hashLeaf } from '../../ledger/tree/index.js';
import type { SearchCriteria } from '../../review/search.js';
import { COPY_MIN_ROWS, PostgresStore, redactUrl, searchWindow, writeLockKey } from './store.js';

const ENABLED = process.env.STENO_TEST_DB === 'postgres';
const PG_URL = process.env.STENO_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const LEVEL = 2 ** 47;

function leaf(index: number): LeafRow {
  const bytes = Buffer.from(`leaf ${index}\t"\\\n`);
  return { index, id: `rec-${index}`, type: 'message', bytes };
}

/** A promise and the function that resolves it (Promise.withResolvers, which Node 20 lacks). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Leaf hashes are not stored: readNodes derives them from the leaf. */
function leafHash(index: number): Buffer {
  return hashLeaf(leaf(index).bytes);
}

function content(index: number): ContentRow {
  return {
    index,
    salt: sha256(Buffer.from(`salt ${index}`)),
    content: Buffer.from(JSON.stringify({ text: `m${index}` })),
  };
}

function messageRow(index: number, over: Partial<MessageRow> & { text?: string } = {}): MessageRow {
  const { text, ...rest } = over;
  return {
    leafIndex: index,
    recordId: `rec-${index}`,
    dedupKey: sha256(Buffer.from(`dedup ${index}`)),
    platform: 'whatsapp',
    conversationId: `conv-${index % 3}`,
    sender: `+852${index}`,
    sentAtMs: 1_700_000_000_000 + index * 1000,
    kind: 'message',
    platformMessageId: `pm-${index}`,
    refersTo: null,
    participants: [`+852${index}`, 'desk@firm'],
    searchText: segmentForIndex(text ?? `message number ${index}`),
    ...rest,
  };
}

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!ENABLED)('PostgresStore (runs only with STENO_TEST_DB=postgres: it needs a PostgreSQL server)', () => {
  const schema = `steno_store_test_${randomBytes(5).toString('hex')}`;
  const schemas = [schema];
  let store: PostgresStore;

  async function freshSchemaStore(): Promise<{ store: PostgresStore; schema: string }> {
    const name = `steno_store_test_${randomBytes(5).toString('hex')}`;
    schemas.push(name);
    return { store: await PostgresStore.open({ url: PG_URL, schema: name }), schema: name };
  }

  beforeAll(async () => {
    store = await PostgresStore.open({ url: PG_URL, schema });
  });

  afterAll(async () => {
    await store?.close();
    await withClient(async (client) => {
      for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    });
  });

  it('creates its schema and tables, and opening again changes nothing', async () => {
    expect(store.kind).toBe('postgres');
    const again = await PostgresStore.open({ url: PG_URL, schema });
    await again.close();
    await again.close(); // idempotent
    const rows = await withClient(async (c) => {
      const tables = await c.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      const versions = await c.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
      return { tables: tables.rows.map((r) => r.table_name), versions: versions.rows.map((r) => r.version) };
    });
    expect(rows.tables).toEqual([
      'activity',
      'alerts',
      'api_tokens',
      'console_sessions',
      'console_users',
      'ledger_checkpoints',
      'ledger_leaves',
      'ledger_nodes',
      'message_participants',
      'messages',
      'meta',
      'order_acks',
      'orders',
      'record_contents',
      'schema_migrations',
    ]);
    expect(rows.versions).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Nothing leaked into public.
    const inPublic = await withClient(
      async (c) =>
        (await c.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'ledger_leaves'`)).rowCount,
    );
    expect(inPublic).toBe(0);
  });

  it('opens concurrently without racing to create the schema', async () => {
    const name = `steno_store_test_${randomBytes(5).toString('hex')}`;
    schemas.push(name);
    const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open({ url: PG_URL, schema: name })));
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuses a schema written by a newer Steno', async () => {
    const { store: other, schema: name } = await freshSchemaStore();
    await other.close();
    await withClient((c) => c.query(`INSERT INTO "${name}".schema_migrations (version) VALUES (99)`));
    const error = await PostgresStore.open({ url: PG_URL, schema: name }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StenoError);
    expect((error as StenoError).code).toBe('config');
    expect((error as StenoError).message).toMatch(/version 99, newer than this Steno/);
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    const error = await PostgresStore.open({ url: PG_URL, schema: 'x"; drop table y; --' }).catch((e: unknown) => e);
    expect((error as StenoError).code).toBe('config');
  });

  it('reports a connection failure as io without the password', async () => {
    const url = 'postgres://steno:hunter2-secret@127.0.0.1:1/postgres?sslpassword=other-secret';
    const error = await PostgresStore.open({ url, schema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StenoError);
    expect((error as StenoError).code).toBe('io');
    expect((error as StenoError).message).toMatch(
      /^cannot connect to PostgreSQL at postgres:\/\/steno@127\.0\.0\.1:1\/postgres/,
    );
    expect((error as StenoError).message).toContain('ECONNREFUSED');
    expect(inspect(error, { depth: 10 })).not.toMatch(/hunter2|other-secret/);
  });

  it('redacts passwords from connection strings pg accepts and URL does not', () => {
    expect(redactUrl('postgres://u:p%40ss@db.example:5432/steno?sslmode=require')).toBe(
      'postgres://u@db.example:5432/steno?sslmode=require',
    );
    expect(redactUrl('postgres://u:secret@/steno?host=/var/run/postgresql')).toBe(
      'postgres:///steno?host=/var/run/postgresql',
    );
    expect(redactUrl('postgres://u:se/c@r?t@host/db')).not.toMatch(/se|c@r|\?t/);
    expect(redactUrl('postgres://host/db?password=abc&user=u')).toBe('postgres://host/db?password=REDACTED&user=u');
  });

  it('derives one write-lock key per schema', () => {
    expect(writeLockKey('steno')).toBe(writeLockKey('steno'));
    expect(writeLockKey('steno')).not.toBe(writeLockKey('steno2'));
    expect(BigInt(writeLockKey('steno'))).toBeLessThan(2n ** 63n);
  });

  describe('ledger and messages', () => {
    const SIZE = 6;

    it('writes a transaction and reads it back', async () => {
      expect(await store.treeSize()).toBe(0);
      const out = await store.writeTransaction(async (tx) => {
        expect(await tx.treeSize()).toBe(0);
        expect(await tx.findByDedupKeys([messageRow(0).dedupKey])).toEqual(new Map());
        await tx.insertMessages([
          messageRow(0, { text: '幫我買騰訊 100手 @ 380', participants: ['+8520', 'desk@firm', '+8520'] }),
          messageRow(1, { text: '騰 and then 訊', platform: 'wechat' }),
          messageRow(2, { text: '沽出 0700.HK 五百股', kind: 'edit', refersTo: 'pm-1', platformMessageId: null }),
          messageRow(3, { text: '訊騰 reversed' }),
          messageRow(4, { text: 'buy HSBC at market, tab\there' }),
        ]);
        await tx.insertLeaves(Array.from({ length: SIZE }, (_, i) => leaf(i)));
        await tx.insertNodes([
          { id: LEVEL + 0, hash: sha256(Buffer.from('n1-0')) },
          { id: LEVEL + 1, hash: sha256(Buffer.from('n1-1')) },
          { id: LEVEL + 2, hash: sha256(Buffer.from('n1-2')) },
          { id: 2 * LEVEL + 0, hash: sha256(Buffer.from('n2-0')) },
        ]);
        await tx.putContents(Array.from({ length: SIZE }, (_, i) => content(i)));
        // Rows are written at commit: the size stays what it was when the lock was taken (as in SQLite),
        // and a later job of the same group finds the messages an earlier one added.
        expect(await tx.treeSize()).toBe(0);
        const seen = await tx.findByDedupKeys([messageRow(1).dedupKey, sha256(Buffer.from('unknown'))]);
        expect(seen).toEqual(new Map([[messageRow(1).dedupKey.toString('hex'), { leafIndex: 1, recordId: 'rec-1' }]]));
        return 'done';
      });
      expect(out).toBe('done');
      expect(await store.treeSize()).toBe(SIZE);
      expect(await store.countRecords()).toEqual({ leaves: SIZE, contents: SIZE, messages: 5, nodes: 4 });
    });

    it('finds messages by dedup key in one call, stored or buffered', async () => {
      const keys = [0, 2, 4, 99, SIZE].map((i) => messageRow(i).dedupKey);
      const found = await store
        .writeTransaction(async (tx) => {
          expect(await tx.treeSize()).toBe(SIZE);
          await tx.insertMessages([messageRow(SIZE, { recordId: 'buffered' })]);
          const result = await tx.findByDedupKeys(keys);
          throw Object.assign(new Error('roll back'), { result });
        })
        .catch((e: { result: Map<string, unknown> }) => e.result);
      expect(
        [...found.entries()].sort(
          (a, b) => (a[1] as { leafIndex: number }).leafIndex - (b[1] as { leafIndex: number }).leafIndex,
        ),
      ).toEqual([
        ...[0, 2, 4].map((i) => [messageRow(i).dedupKey.toString('hex'), { leafIndex: i, recordId: `rec-${i}` }]),
        [messageRow(SIZE).dedupKey.toString('hex'), { leafIndex: SIZE, recordId: 'buffered' }],
      ]);
      expect(await store.countRecords()).toMatchObject({ messages: 5 });
    });

    it('reads level-0 nodes from the leaves and higher levels from the nodes table', async () => {
      const nodes = await store.readNodes([0, 5, LEVEL + 1, 2 * LEVEL, 0, 77, LEVEL + 9, 3 * LEVEL]);
      expect(nodes).toEqual(
        new Map([
          [0, leafHash(0)],
          [5, leafHash(5)],
          [LEVEL + 1, sha256(Buffer.from('n1-1'))],
          [2 * LEVEL, sha256(Buffer.from('n2-0'))],
        ]),
      );
      expect(await store.readNodes([])).toEqual(new Map());
      const inTx = await store.writeTransaction((tx) => tx.readNodes([3, LEVEL + 2]));
      expect(inTx).toEqual(
        new Map([
          [3, leafHash(3)],
          [LEVEL + 2, sha256(Buffer.from('n1-2'))],
        ]),
      );
    });

    it('reads a level of stored hashes as one span, or null when one is missing', async () => {
      const concat = (...hashes: Buffer[]) => Buffer.concat(hashes);
      const n1 = (i: number) => sha256(Buffer.from(`n1-${i}`));
      expect(await store.readHashSpan(1, 0, 3)).toEqual(concat(n1(0), n1(1), n1(2)));
      expect(await store.readHashSpan(1, 1, 3)).toBeNull();
      expect(await store.readHashSpan(1, 2, 2)).toBeNull();
      await expect(store.readHashSpan(0, 0, 1)).rejects.toThrow(/level 1 and up/);
      expect(await store.readHashSpan(2, 0, 0)).toEqual(Buffer.alloc(0));
    });

    it('keeps nothing from a transaction that throws, and passes the error through', async () => {
      const boom = new Error('boom');
      const error = await store
        .writeTransaction(async (tx) => {
          await tx.insertLeaves([leaf(SIZE)]);
          await tx.insertNodes([{ id: LEVEL + 3, hash: sha256(Buffer.from('x')) }]);
          await tx.putContents([content(SIZE)]);
          await tx.insertMessages([messageRow(SIZE)]);
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(error).toBe(boom);
      expect(await store.treeSize()).toBe(SIZE);
      expect(await store.countRecords()).toEqual({ leaves: SIZE, contents: SIZE, messages: 5, nodes: 4 });
      expect(await store.readNodes([LEVEL + 3])).toEqual(new Map());
    });

    it('rolls back a transaction the database rejects, and stays usable', async () => {
      const error = await store
        .writeTransaction(async (tx) => {
          await tx.insertLeaves([leaf(SIZE)]);
          await tx.insertLeaves([leaf(SIZE)]); // duplicate leaf_index
        })
        .catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('23505');
      expect(await store.treeSize()).toBe(SIZE);
    });

    it('reads contents and leaves by index', async () => {
      const contents = await store.readContents([1, 3, 3, 42]);
      expect([...contents.keys()].sort()).toEqual([1, 3]);
      expect(contents.get(3)).toEqual({ index: 3, salt: content(3).salt, content: content(3).content });
      const leaves = await store.readLeaves([0, 2, 42]);
      expect(leaves).toEqual(
        new Map([
          [0, { index: 0, id: 'rec-0', bytes: leaf(0).bytes }],
          [2, { index: 2, id: 'rec-2', bytes: leaf(2).bytes }],
        ]),
      );
      expect(await store.readContents([])).toEqual(new Map());
    });

    it('scans records with their content and message projection', async () => {
      const rows = await store.scanRecords(1, 3);
      expect(rows.map((r) => r.index)).toEqual([1, 2, 3]);
      expect(rows[1]).toEqual({
        index: 2,
        id: 'rec-2',
        type: 'message',
        bytes: leaf(2).bytes,
        salt: content(2).salt,
        content: content(2).content,
        message: {
          platform: 'whatsapp',
          conversationId: 'conv-2',
          sender: '+8522',
          sentAtMs: 1_700_000_002_000,
          kind: 'edit',
          platformMessageId: null,
          refersTo: 'pm-1',
        },
      });
      const last = await store.scanRecords(5, 100);
      expect(last).toHaveLength(1);
      expect(last[0]!.message).toBeNull();
      expect(await store.scanRecords(SIZE, 10)).toEqual([]);
    });

    const search = (c: Omit<SearchCriteria, 'limit'> & { limit?: number }) =>
      store.searchMessages({ limit: 50, ...c }).then((hits) => hits.map((h) => h.leafIndex));

    it('finds a CJK word as a phrase of its characters', async () => {
      const query = parseQuery('騰訊');
      expect(query.include).toEqual([{ kind: 'phrase', tokens: ['騰', '訊'], prefix: false }]);
      // 騰 訊 next to each other, in order: not "騰 and then 訊", not "訊騰".
      expect(await search({ query })).toEqual([0]);
      // Two words: both anywhere.
      expect(await search({ query: parseQuery('騰 訊') })).toEqual([3, 1, 0]);
      expect(await search({ query: parseQuery('"騰 訊"') })).toEqual([0]);
    });

    it('matches what the query parser splits: punctuation, case, prefixes, OR and exclusions', async () => {
      expect(await search({ query: parseQuery('0700.HK') })).toEqual([2]);
      expect(await search({ query: parseQuery('0700') })).toEqual([2]);
      expect(await search({ query: parseQuery('hsbc') })).toEqual([4]);
      expect(await search({ query: parseQuery('HSB*') })).toEqual([4]);
      expect(await search({ query: parseQuery('hsbc OR reversed') })).toEqual([4, 3]);
      expect(await search({ query: parseQuery('message -number') })).toEqual([]);
      expect(await search({ query: parseQuery('騰 -訊騰') })).toEqual([1, 0]);
    });

    it('folds diacritics on Latin letters only, as FTS5 unicode61 remove_diacritics 2 does', async () => {
      const { store: s } = await freshSchemaStore();
      try {
        const texts = ['café crème', 'cafe', 'naïve việt nam', 'йогурт', 'ελληνικά', 'q\u0301 ø ł'];
        await s.writeTransaction(async (tx) => {
          await tx.insertLeaves(texts.map((_, i) => leaf(i)));
          await tx.insertMessages(texts.map((text, i) => messageRow(i, { text })));
        });
        const find = async (q: string) =>
          (await s.searchMessages({ query: parseQuery(q), limit: 10 })).map((h) => h.leafIndex).sort();
        expect(await find('cafe')).toEqual([0, 1]);
        expect(await find('café')).toEqual([0, 1]);
        expect(await find('CRÈME')).toEqual([0]);
        expect(await find('naive viet')).toEqual([2]);
        expect(await find('cré*')).toEqual([0]);
        expect(await find('q')).toEqual([5]);
        expect(await find('иогурт')).toEqual([]);
        expect(await find('йогурт')).toEqual([3]);
        expect(await find('ελληνικα')).toEqual([]);
        expect(await find('o')).toEqual([]);
        expect(await find('ø')).toEqual([5]);
      } finally {
        await s.close();
      }
    });

    it('filters, pages newest first and limits', async () => {
      expect(await search({})).toEqual([4, 3, 2, 1, 0]);
      expect(await search({ limit: 2 })).toEqual([4, 3]);
      expect(await search({ beforeIndex: 3 })).toEqual([2, 1, 0]);
      expect(await search({ beforeIndex: 2.5 })).toEqual([2, 1, 0]);
      expect(await search({ platform: 'wechat' })).toEqual([1]);
      expect(await search({ conversationId: 'conv-1' })).toEqual([4, 1]);
      expect(await search({ participant: 'desk@firm' })).toEqual([4, 3, 2, 1, 0]);
      expect(await search({ participant: '+8523' })).toEqual([3]);
      expect(await search({ fromMs: 1_700_000_001_000, toMs: 1_700_000_003_000 })).toEqual([2, 1]);
      expect(await search({ fromMs: 1_700_000_001_000.5 })).toEqual([4, 3, 2]);
      expect(await search({ query: parseQuery('騰'), platform: 'whatsapp' })).toEqual([3, 0]);
      const [hit] = await store.searchMessages({ limit: 1, conversationId: 'conv-2' });
      expect(hit).toEqual({
        leafIndex: 2,
        recordId: 'rec-2',
        platform: 'whatsapp',
        conversationId: 'conv-2',
        sender: '+8522',
        sentAtMs: 1_700_000_002_000,
        kind: 'edit',
      });
    });

    it('maps a tsquery the engine rejects to invalid_query', async () => {
      // parseQuery never yields an empty token; a hand-built Query can, and PostgreSQL rejects ''.
      const bad: Query = { include: [{ kind: 'phrase', tokens: [''], prefix: false }], exclude: [] };
      const error = await store.searchMessages({ query: bad, limit: 5 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StenoError);
      expect((error as StenoError).code).toBe('invalid_query');
    });
  });

  describe('search beyond the newest-messages window', () => {
    it('returns exactly what one ORDER BY … LIMIT over everything would', async () => {
      const { store: big } = await freshSchemaStore();
      try {
        const n = searchWindow(1) + 1500;
        const text = (i: number) =>
          [
            i % 2 === 0 ? 'common' : 'other',
            i % 1000 === 7 ? 'rare' : '',
            i % 3 === 0 ? '騰訊' : '',
            i === 42 ? 'unique' : '',
          ].join(' ');
        const rows = Array.from({ length: n }, (_, i) => messageRow(i, { text: text(i), conversationId: `c${i % 4}` }));
        await big.writeTransaction(async (tx) => {
          await tx.insertLeaves(rows.map((r) => leaf(r.leafIndex)));
          await tx.insertMessages(rows);
        });
        const words = (i: number) => text(i).split(' ');
        const cases: {
          query?: string;
          match: (i: number) => boolean;
          limit: number;
          extra?: Omit<SearchCriteria, 'limit'>;
        }[] = [
          { query: 'common', match: (i) => i % 2 === 0, limit: 50 },
          { query: 'rare', match: (i) => words(i).includes('rare'), limit: 3 },
          { query: 'rare', match: (i) => words(i).includes('rare'), limit: 50 },
          { query: 'unique', match: (i) => i === 42, limit: 1 },
          { query: 'nothing', match: () => false, limit: 10 },
          { query: '騰訊 rare', match: (i) => i % 3 === 0 && words(i).includes('rare'), limit: 10 },
          {
            query: 'rare',
            match: (i) => words(i).includes('rare') && i < 3007 && i % 4 === 3,
            limit: 10,
            extra: { beforeIndex: 3007, conversationId: 'c3' },
          },
          { query: 'common', match: (i) => i % 2 === 0 && i < 100, limit: 10, extra: { beforeIndex: 100 } },
          { match: (i) => i % 4 === 2, limit: 20, extra: { conversationId: 'c2' } },
          { match: (i) => i === 42, limit: 5, extra: { participant: '+85242' } },
          { match: (i) => i < 6000, limit: 7, extra: { platform: 'whatsapp', beforeIndex: 6000 } },
          { match: (i) => i >= 10 && i < 20, limit: 50, extra: { fromMs: 1_700_000_010_000, toMs: 1_700_000_020_000 } },
          {
            query: 'rare',
            match: (i) => words(i).includes('rare') && i % 4 === 3,
            limit: 50,
            extra: { conversationId: 'c3' },
          },
        ];
        for (const { query, match, limit, extra } of cases) {
          const expected = Array.from({ length: n }, (_, i) => n - 1 - i)
            .filter(match)
            .slice(0, limit);
          const criteria: SearchCriteria = { limit, ...extra };
          if (query !== undefined) criteria.query = parseQuery(query);
          const hits = await big.searchMessages(criteria);
          expect(
            hits.map((h) => h.leafIndex),
            `${query} ${JSON.stringify(extra ?? {})}`,
          ).toEqual(expected);
          expect(hits.every((h) => h.recordId === `rec-${h.leafIndex}`)).toBe(true);
        }
      } finally {
        await big.close();
      }
    });
  });

  describe('bulk writes (COPY)', () => {
    it('stores thousands of rows per call, with every kind of text, and finds them', async () => {
      const { store: bulk } = await freshSchemaStore();
      try {
        const n = COPY_MIN_ROWS + 500;
        const odd = 'tab\there, newline\nthere, back\\slash, quote\' "dq", \r, ümlaut, 𠮷, emoji 🎉';
        const messages = Array.from({ length: n }, (_, i) =>
          messageRow(i, {
            text: i === 7 ? '騰訊控股 results' : `bulk ${i}`,
            platform: i === 9 ? odd : 'whatsapp',
            refersTo: i % 2 === 0 ? null : `r${i}`,
            sentAtMs: i === 11 ? -86_400_000 : 1_700_000_000_000 + i,
          }),
        );
        const nodes: NodeRow[] = Array.from({ length: n }, (_, i) => ({
          id: LEVEL + i,
          hash: sha256(Buffer.from(`n${i}`)),
        }));
        const big = Buffer.alloc(200_000, 7); // passed through as its own chunk
        const contents = Array.from({ length: n }, (_, i) => (i === 13 ? { ...content(i), content: big } : content(i)));
        await bulk.writeTransaction(async (tx) => {
          // Two calls, one group: written together at commit.
          await tx.insertMessages(messages.slice(0, 10));
          await tx.insertMessages(messages.slice(10));
          await tx.insertLeaves(Array.from({ length: n }, (_, i) => leaf(i)));
          await tx.insertNodes(nodes);
          await tx.putContents(contents);
        });
        expect(await bulk.countRecords()).toEqual({ leaves: n, contents: n, messages: n, nodes: n });
        const scanned = await bulk.scanRecords(7, 7);
        const projection = (i: number) => scanned[i]!.message as MessageProjection | null;
        expect(scanned.map((r) => r.bytes)).toEqual([7, 8, 9, 10, 11, 12, 13].map((i) => leaf(i).bytes));
        expect(projection(2)?.platform).toBe(odd);
        expect(projection(4)?.sentAtMs).toBe(-86_400_000);
        expect(projection(4)?.refersTo).toBe('r11');
        expect(projection(5)?.refersTo).toBeNull();
        expect(scanned[6]!.content).toEqual(big);
        expect((await bulk.readNodes([LEVEL + n - 1])).get(LEVEL + n - 1)).toEqual(nodes[n - 1]!.hash);
        expect(
          await bulk.searchMessages({ query: parseQuery('訊控'), limit: 5 }).then((h) => h.map((x) => x.leafIndex)),
        ).toEqual([7]);
        expect(await bulk.searchMessages({ query: parseQuery(`bulk ${n - 1}`), limit: 5 }).then((h) => h.length)).toBe(
          1,
        );
        expect(await bulk.searchMessages({ participant: `+852${n - 1}`, limit: 5 }).then((h) => h.length)).toBe(1);
        const dedup = await bulk.writeTransaction((tx) => tx.findByDedupKeys(messages.map((m) => m.dedupKey)));
        expect(dedup.size).toBe(n);

        // A COPY the database rejects (duplicate keys) rolls everything back.
        const error = await bulk
          .writeTransaction(async (tx) => {
            await tx.insertLeaves(Array.from({ length: n }, (_, i) => leaf(n + i)));
            await tx.putContents(Array.from({ length: n }, (_, i) => content(i)));
          })
          .catch((e: unknown) => e);
        expect((error as { code?: string }).code).toBe('23505');
        expect(await bulk.treeSize()).toBe(n);
      } finally {
        await bulk.close();
      }
    });
  });

  it('round-trips every kind of value through the one-statement group write', async () => {
    const { store: small } = await freshSchemaStore();
    try {
      const odd = 'tab\there\nnewline \\ back\\slash "quoted" \'single\' {braces,comma} NULL ümlaut 𠮷 🎉';
      const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
      await small.writeTransaction(async (tx) => {
        await tx.insertLeaves([{ ...leaf(0), id: odd }, leaf(1)]);
        await tx.insertNodes([{ id: 3 * LEVEL + 5, hash: Buffer.alloc(0) }]);
        await tx.putContents([{ index: 0, salt: Buffer.alloc(32), content: big }, content(1)]);
        await tx.insertMessages([
          messageRow(0, { platform: odd, sender: '', refersTo: odd, sentAtMs: -1, participants: [odd, '', odd] }),
        ]);
      });
      const [first, second] = await small.scanRecords(0, 10);
      expect(first!.id).toBe(odd);
      expect(first!.content).toEqual(big);
      expect(first!.salt).toEqual(Buffer.alloc(32));
      expect(first!.message).toMatchObject({ platform: odd, sender: '', refersTo: odd, sentAtMs: -1 });
      expect(second!.message).toBeNull();
      expect(await small.readNodes([3 * LEVEL + 5])).toEqual(new Map([[3 * LEVEL + 5, Buffer.alloc(0)]]));
      expect((await small.searchMessages({ participant: odd, limit: 5 })).map((h) => h.leafIndex)).toEqual([0]);
      expect((await small.searchMessages({ participant: '', limit: 5 })).map((h) => h.leafIndex)).toEqual([0]);
    } finally {
      await small.close();
    }
  });

  it('runs one writer at a time per log, across separate pools', async () => {
    const { store: a, schema: name } = await freshSchemaStore();
    const b = await PostgresStore.open({ url: PG_URL, schema: name });
    const { store: elsewhere } = await freshSchemaStore();
    try {
      const events: string[] = [];
      const { promise: held, resolve: release } = signal();
      const { promise: aStarted, resolve: started } = signal();
      const first = a.writeTransaction(async (tx) => {
        events.push('a:start');
        started();
        await held;
        await tx.insertLeaves([leaf(0)]);
        events.push('a:end');
      });
      await aStarted;
      const second = b.writeTransaction(async (tx) => {
        events.push('b:start');
        // Another process's commit is visible once the lock is ours.
        expect(await tx.treeSize()).toBe(1);
        await tx.insertLeaves([leaf(1)]);
      });
      // A log in another schema has its own lock and is not held up.
      await elsewhere.writeTransaction(async () => {
        events.push('elsewhere');
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(events).toEqual(['a:start', 'elsewhere']);
      release();
      await Promise.all([first, second]);
      expect(events).toEqual(['a:start', 'elsewhere', 'a:end', 'b:start']);
      expect(await b.treeSize()).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close(), elsewhere.close()]);
    }
  });

  it('gives up on the write lock after lockTimeoutMs, as SQLite does after busy_timeout', async () => {
    const { store: a, schema: name } = await freshSchemaStore();
    const b = await PostgresStore.open({ url: PG_URL, schema: name, lockTimeoutMs: 300 });
    try {
      const { promise: held, resolve: release } = signal();
      const { promise: aStarted, resolve: started } = signal();
      const first = a.writeTransaction(async (tx) => {
        started();
        await held;
        await tx.insertLeaves([leaf(0)]);
      });
      await aStarted;
      const began = performance.now();
      const error = await b.writeTransaction(async () => 'never').catch((e: unknown) => e);
      expect(performance.now() - began).toBeGreaterThanOrEqual(250);
      expect(error).toBeInstanceOf(StenoError);
      expect((error as StenoError).code).toBe('io');
      expect((error as StenoError).message).toMatch(/another writer held the write lock .* for over 300 ms/);
      release();
      await first;
      // The lock wait ended with the lock's own statement: later work in the transaction has no limit.
      expect(await b.writeTransaction(async (tx) => tx.treeSize())).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stores checkpoints once per size and finds them', async () => {
    const cp = (size: number, createdAt = '2026-05-04T10:00:00.000Z') => ({
      size,
      root: sha256(Buffer.from(`root ${size}`)),
      note: `note ${size}\n`,
      createdAt,
    });
    expect(await store.latestCheckpoint()).toBeNull();
    expect(await store.putCheckpoint(cp(3))).toEqual(cp(3));
    expect(await store.putCheckpoint(cp(3, '2030-01-01T00:00:00.000Z'))).toEqual(cp(3));
    await store.putCheckpoint(cp(6, '2026-05-04T10:00:01.123Z'));
    await store.putCheckpoint(cp(1));
    expect(await store.latestCheckpoint()).toEqual(cp(6, '2026-05-04T10:00:01.123Z'));
    expect(await store.checkpointAtLeast(2)).toEqual(cp(3));
    expect(await store.checkpointAtLeast(3)).toEqual(cp(3));
    expect(await store.checkpointAtLeast(7)).toBeNull();
    expect((await store.listCheckpoints()).map((c) => c.size)).toEqual([1, 3, 6]);
  });

  it('stores, finds, lists and revokes tokens', async () => {
    const token = (name: string, createdAt: string) => ({
      id: `id-${name}`,
      name,
      tokenHash: sha256(Buffer.from(name)),
      scopes: ['ingest', 'read'] as ('ingest' | 'read')[],
      createdAt,
      revokedAt: null,
    });
    await store.insertToken(token('b-token', '2026-05-04T10:00:00.000Z'));
    await store.insertToken({ ...token('a-token', '2026-05-04T09:00:00.000Z'), scopes: ['ingest'] });
    expect(await store.findTokenByHash(sha256(Buffer.from('b-token')))).toEqual(
      token('b-token', '2026-05-04T10:00:00.000Z'),
    );
    expect(await store.findTokenByHash(sha256(Buffer.from('nope')))).toBeNull();
    expect((await store.listTokens()).map((t) => [t.name, t.scopes])).toEqual([
      ['a-token', ['ingest']],
      ['b-token', ['ingest', 'read']],
    ]);
    expect(await store.revokeToken('b-token', '2026-05-05T00:00:00.000Z')).toBe(true);
    expect(await store.revokeToken('b-token', '2026-05-06T00:00:00.000Z')).toBe(false);
    expect(await store.revokeToken('missing', '2026-05-06T00:00:00.000Z')).toBe(false);
    expect((await store.findTokenByHash(sha256(Buffer.from('b-token'))))?.revokedAt).toBe('2026-05-05T00:00:00.000Z');
    const duplicate = await store.insertToken(token('b-token', '2026-05-07T00:00:00.000Z')).catch((e: unknown) => e);
    expect((duplicate as { code?: string }).code).toBe('23505');
  });

  it('sets meta once and keeps the first value', async () => {
    expect(await store.getMeta('origin')).toBeNull();
    expect(await store.setMetaIfAbsent('origin', 'logs.example.com/steno')).toBe('logs.example.com/steno');
    expect(await store.setMetaIfAbsent('origin', 'other')).toBe('logs.example.com/steno');
    expect(await store.getMeta('origin')).toBe('logs.example.com/steno');
  });
});
