/**
 * The audit's reads on a real SQLite file. They lean on SQLite concatenating blobs as text byte for byte
 * (and casting back): these tests hold that to every byte value, NULs included, so that an SQLite that
 * ever changed it would fail here rather than make verify report tampering that did not happen.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECTION_MATCHES } from '../../ledger/audit.js';
import { hashLeaf } from '../../ledger/tree/index.js';
import { AuditScanner } from './audit-scan.js';
import { type Db, migrate, NodeReader, openDb } from './connection.js';

const LEVEL = 2 ** 47;
const EVERY_BYTE = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('SQLite audit reads', () => {
  let dir: string;
  let db: Db;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steno-audit-scan-'));
    db = openDb(join(dir, 'steno.db'), { readonly: false });
    migrate(db);
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const content = (over: Record<string, unknown> = {}) =>
    Buffer.from(
      JSON.stringify({
        conversationId: 'c1',
        kind: 'message',
        platform: 'whatsapp',
        platformMessageId: 'p1',
        sender: '+852 1',
        sentAt: '2026-01-02T03:04:05.678+08:00',
        text: '騰訊 "quoted" \u0000 nul',
        ...over,
      }),
    );

  function insert(index: number, parts: { leaf: Buffer; salt?: Buffer; content?: Buffer; message?: boolean }) {
    db.prepare('INSERT INTO ledger_leaves VALUES (?, ?, ?, ?)').run(index, `rec-${index}`, 'message', parts.leaf);
    if (parts.salt !== undefined && parts.content !== undefined) {
      db.prepare('INSERT INTO record_contents VALUES (?, ?, ?)').run(index, parts.salt, parts.content);
    }
    if (parts.message === true) {
      db.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        index,
        Buffer.alloc(32),
        'whatsapp',
        'c1',
        '+852 1',
        Date.parse('2026-01-02T03:04:05.678+08:00'),
        'message',
        'p1',
        null,
      );
      db.prepare('INSERT INTO message_keys (rowid, tokens) VALUES (?, ?)').run(index, 'k');
      db.prepare('INSERT INTO message_fts (rowid, body) VALUES (?, ?)').run(index, 'text');
    }
  }

  it('returns leaf, salt and content byte for byte, whatever the bytes', () => {
    const leaf = Buffer.concat([Buffer.from([0]), EVERY_BYTE, Buffer.from([0])]);
    const salt = Buffer.concat([Buffer.from([0, 0]), EVERY_BYTE.subarray(200)]);
    const body = content();
    insert(0, { leaf, salt, content: body, message: true });
    insert(1, { leaf: Buffer.from([0xff, 0xfe, 0x00]), salt: Buffer.alloc(0), content: Buffer.from([0x00]) });

    const [first, second] = new AuditScanner(db).scanRecords(0, 10);
    expect(first).toMatchObject({ index: 0, id: 'rec-0', type: 'message', bytes: leaf, salt, content: body });
    expect(first!.message).toBe(PROJECTION_MATCHES);
    expect(first!.indexed).toEqual({ text: true, keys: true });
    expect(second).toMatchObject({ bytes: Buffer.from([0xff, 0xfe, 0x00]), salt: Buffer.alloc(0) });
    expect(second!.content).toEqual(Buffer.from([0x00]));
    expect(second!.message).toBeNull();
  });

  it('gives the message row itself where it differs from the content, or the content is not JSON', () => {
    insert(0, {
      leaf: Buffer.from('a'),
      salt: Buffer.alloc(32),
      content: content({ sender: 'someone else' }),
      message: true,
    });
    insert(1, {
      leaf: Buffer.from('b'),
      salt: Buffer.alloc(32),
      content: content({ sentAt: '2026-01-02T03:04:05.679+08:00' }),
      message: true,
    });
    insert(2, { leaf: Buffer.from('c'), salt: Buffer.alloc(32), content: Buffer.from([0x7b, 0xff]), message: true });
    insert(3, { leaf: Buffer.from('d'), message: true });
    db.prepare('DELETE FROM message_fts WHERE rowid = 3').run();

    const scanner = new AuditScanner(db);
    // Two reads: content that is not JSON (record 2) sends its whole batch down the detailed path.
    const rows = [...scanner.scanRecords(0, 2), ...scanner.scanRecords(2, 10)];
    const row = {
      platform: 'whatsapp',
      conversationId: 'c1',
      sender: '+852 1',
      sentAtMs: Date.parse('2026-01-02T03:04:05.678+08:00'),
      kind: 'message',
      platformMessageId: 'p1',
      refersTo: null,
    };
    expect(rows.map((r) => r.message)).toEqual([row, row, row, row]);
    expect(rows[3]).toMatchObject({ bytes: Buffer.from('d'), salt: null, content: null });
    expect(rows[3]!.indexed).toEqual({ text: false, keys: true });
  });

  it('reads a level of stored hashes as one span, or null when one is missing or the wrong size', () => {
    for (let i = 0; i < 4; i++) insert(i, { leaf: Buffer.from(`leaf ${i}`) });
    const node = (i: number) => Buffer.concat([Buffer.from([0, i]), EVERY_BYTE.subarray(i, i + 30)]);
    for (const i of [0, 1, 3]) db.prepare('INSERT INTO ledger_nodes VALUES (?, ?)').run(LEVEL + i, node(i));
    db.prepare('INSERT INTO ledger_nodes VALUES (?, ?)').run(2 * LEVEL, Buffer.alloc(31));
    const nodes = new NodeReader(db);

    expect(nodes.readHashSpan(1, 0, 2)).toEqual(Buffer.concat([node(0), node(1)]));
    expect(nodes.readHashSpan(1, 0, 4)).toBeNull();
    expect(nodes.readHashSpan(2, 0, 1)).toBeNull();
    expect(nodes.readHashSpan(1, 3, 2)).toBeNull();
    expect(() => nodes.readHashSpan(0, 0, 1)).toThrow(/level 1 and up/);
    // Leaf hashes are derived from the leaves, one at a time or many.
    expect(nodes.readNodes([2])).toEqual(new Map([[2, hashLeaf(Buffer.from('leaf 2'))]]));
    const many = nodes.readNodes(Array.from({ length: 70 }, (_, i) => i));
    expect([...many.keys()]).toEqual([0, 1, 2, 3]);
    expect(many.get(3)).toEqual(hashLeaf(Buffer.from('leaf 3')));
    expect(nodes.readHashSpan(1, 0, 0)).toEqual(Buffer.alloc(0));
  });
});
