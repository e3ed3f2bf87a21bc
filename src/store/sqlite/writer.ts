/**
 * Every write to the SQLite file, on one connection. It runs in a worker thread (writer-worker.ts) so
 * that SQLite's work, fsync included, overlaps with HTTP parsing and validation on the main thread.
 * Arguments arrive by structured clone: Buffers become plain Uint8Arrays and are re-wrapped for binding.
 */

import type { TokenRow } from '../../auth/tokens.js';
import type { MessageRow } from '../../capture/ingest.js';
import { blobAt, packBlobs } from '../../core/blob-column.js';
import { StenoError } from '../../core/errors.js';
import type { ContentRow, LeafRow, NodeRow, StoredCheckpoint } from '../../ledger/log.js';
import { ACTIVITY_COLUMNS, ACTIVITY_STATE_KEY, type ActivityRowValues } from '../activity.js';
import { ALERT_COLUMNS, ALERTS_STATE_KEY, type AlertRowValues, RULES_STATE_KEY } from '../alerts.js';
import { ACK_COLUMNS, ORDER_COLUMNS, ORDERS_STATE_KEY, type OrderRowValues } from '../orders.js';
import type { MessageTuple, PackedBatch } from './batch.js';
import { type Db, migrate, NodeReader, openDb } from './connection.js';
import { messageTokens } from './keys.js';

export const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export interface CheckpointRow {
  tree_size: number;
  root: Buffer;
  note: string;
  created_at: string;
}

/** Marks the conflict that means "prepare again": the tree grew under a batch. */
export const STALE_TREE = 'stale tree';

/** The rows of one transaction, as the main thread collects them before packing. */
export interface WriteBatch {
  leaves: LeafRow[];
  nodes: NodeRow[];
  contents: ContentRow[];
  messages: MessageRow[];
}

export function packBatch(expectedSize: number, b: WriteBatch): PackedBatch {
  return {
    expectedSize,
    leafIndex: b.leaves.map((l) => l.index),
    leafId: b.leaves.map((l) => l.id),
    leafType: b.leaves.map((l) => l.type),
    leafBytes: packBlobs(b.leaves.map((l) => l.bytes)),
    nodeId: b.nodes.map((n) => n.id),
    nodeHash: packBlobs(b.nodes.map((n) => n.hash)),
    contentIndex: b.contents.map((c) => c.index),
    salt: packBlobs(b.contents.map((c) => c.salt)),
    content: packBlobs(b.contents.map((c) => c.content)),
    messages: b.messages.map(
      (m): MessageTuple => [
        m.leafIndex,
        m.platform,
        m.conversationId,
        m.sender,
        m.sentAtMs,
        m.kind,
        m.platformMessageId,
        m.refersTo,
        m.participants,
        m.searchText,
      ],
    ),
    dedupKey: packBlobs(b.messages.map((m) => m.dedupKey)),
  };
}

/** An OrdersWrite as rows, the way it crosses to the writer thread. */
export interface OrdersBatch {
  expectedState: string | null;
  state: string;
  reset: boolean;
  orders: OrderRowValues[];
  acks: [number, string, number, string][];
}

/** An ActivityWrite as it crosses to the writer thread. */
export interface ActivityBatch {
  expectedState: string | null;
  state: string;
  reset: boolean;
  rows: ActivityRowValues[];
}

/** An AlertsWrite as rows, the way it crosses to the writer thread. */
export interface AlertsBatch {
  expectedState: string | null;
  state: string;
  reset: boolean;
  rows: Readonly<AlertRowValues>[];
}

export class SqliteWriter {
  private readonly db: Db;
  private readonly nodes: NodeReader;
  private readonly s;

  constructor(path: string) {
    this.db = openDb(path, { readonly: false });
    migrate(this.db);
    this.nodes = new NodeReader(this.db);
    const db = this.db;
    this.s = {
      insertLeaf: db.prepare(
        'INSERT INTO ledger_leaves (leaf_index, record_id, record_type, leaf) VALUES (?, ?, ?, ?)',
      ),
      insertNode: db.prepare('INSERT INTO ledger_nodes (node_id, hash) VALUES (?, ?)'),
      insertContent: db.prepare('INSERT INTO record_contents (leaf_index, salt, content) VALUES (?, ?, ?)'),
      insertMessage: db.prepare(
        `INSERT INTO messages (leaf_index, dedup_key, platform, conversation_id, sender, sent_at, kind, platform_message_id, refers_to)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertKeys: db.prepare('INSERT INTO message_keys (rowid, tokens) VALUES (?, ?)'),
      insertFts: db.prepare('INSERT INTO message_fts (rowid, body) VALUES (?, ?)'),
      insertCheckpoint: db.prepare(
        'INSERT INTO ledger_checkpoints (tree_size, root, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      checkpointBySize: db.prepare('SELECT * FROM ledger_checkpoints WHERE tree_size = ?'),
      insertMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      meta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      insertToken: db.prepare(
        'INSERT INTO api_tokens (id, name, token_hash, scopes, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      revokeToken: db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL'),
      upsertOrder: db.prepare(
        `INSERT OR REPLACE INTO orders (${ORDER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      upsertAck: db.prepare(`INSERT OR REPLACE INTO order_acks (${ACK_COLUMNS}) VALUES (?, ?, ?, ?)`),
      insertActivity: db.prepare(
        `INSERT OR IGNORE INTO activity (${ACTIVITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      upsertAlert: db.prepare(
        `INSERT INTO alerts (${ALERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (alert_id) DO UPDATE SET ${ALERT_COLUMNS.split(', ')
           .filter((c) => c !== 'alert_id')
           .map((c) => `${c} = excluded.${c}`)
           .join(', ')}`,
      ),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  /**
   * Batches the main thread prepared, each against the tree size its predecessor leaves, committed in
   * one transaction (one fsync, one full-text flush) — group commit at the writer: the busier ingest is,
   * the more batches wait here and the larger the commit. Each batch has its own savepoint, so a failing
   * batch fails alone, with the batches after it (prepared on it) refused as stale. If another process
   * appended since, every batch is refused as stale and the caller prepares them again.
   * Returns, per batch, null or the error it failed with.
   */
  writeAndCommitAll(batches: readonly PackedBatch[]): (Error | null)[] {
    this.db.exec('BEGIN IMMEDIATE');
    const outcomes: (Error | null)[] = [];
    try {
      let size = this.nodes.treeSize();
      let failed = false;
      const stale = (why: string) => new StenoError('conflict', `${STALE_TREE}: ${why}`);
      for (const batch of batches) {
        if (failed) {
          outcomes.push(stale('a batch before this one failed'));
          continue;
        }
        if (batch.expectedSize !== size) {
          failed = true;
          outcomes.push(stale(`expected tree size ${batch.expectedSize}, found ${size}`));
          continue;
        }
        this.db.exec('SAVEPOINT batch');
        try {
          this.insertBatch(batch);
          this.db.exec('RELEASE batch');
          size += batch.leafIndex.length;
          outcomes.push(null);
        } catch (error) {
          this.db.exec('ROLLBACK TO batch');
          this.db.exec('RELEASE batch');
          failed = true;
          outcomes.push(error as Error);
        }
      }
      this.db.exec('COMMIT');
      return outcomes;
    } catch (error) {
      this.rollback();
      return batches.map(() => error as Error);
    }
  }

  /** One batch, one transaction. */
  writeAndCommit(batch: PackedBatch): void {
    const [outcome] = this.writeAndCommitAll([batch]);
    if (outcome) throw outcome;
  }

  private insertBatch(batch: PackedBatch): void {
    const s = this.s;
    batch.leafIndex.forEach((index, i) => {
      s.insertLeaf.run(index, batch.leafId[i], batch.leafType[i], blobAt(batch.leafBytes, i));
    });
    for (const [i, id] of batch.nodeId.entries()) s.insertNode.run(id, blobAt(batch.nodeHash, i));
    for (const [i, index] of batch.contentIndex.entries()) {
      s.insertContent.run(index, blobAt(batch.salt, i), blobAt(batch.content, i));
    }
    batch.messages.forEach((m, i) => {
      const [leafIndex, platform, conversationId, sender, sentAtMs, kind, platformMessageId, refersTo] = m;
      const dedupKey = blobAt(batch.dedupKey, i);
      s.insertMessage.run(
        leafIndex,
        dedupKey,
        platform,
        conversationId,
        sender,
        sentAtMs,
        kind,
        platformMessageId,
        refersTo,
      );
      s.insertKeys.run(leafIndex, messageTokens({ dedupKey, conversationId, participants: m[8] }));
      s.insertFts.run(leafIndex, m[9]);
    });
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  putCheckpoint(cp: StoredCheckpoint): CheckpointRow {
    this.s.insertCheckpoint.run(cp.size, asBuffer(cp.root), cp.note, cp.createdAt);
    return this.s.checkpointBySize.get(cp.size) as CheckpointRow;
  }
  setMetaIfAbsent(key: string, value: string): string {
    this.s.insertMeta.run(key, value);
    return this.s.meta.get(key) as string;
  }
  setMetaIfEquals(key: string, expected: string | null, value: string): void {
    const changed =
      expected === null
        ? this.s.insertMeta.run(key, value).changes
        : this.db.prepare('UPDATE meta SET value = ? WHERE key = ? AND value = ?').run(value, key, expected).changes;
    if (changed !== 1) throw new StenoError('conflict', `${key} was changed by another process`);
  }
  insertToken(row: TokenRow): void {
    this.s.insertToken.run(
      row.id,
      row.name,
      asBuffer(row.tokenHash),
      row.scopes.join(','),
      row.createdAt,
      row.revokedAt,
    );
  }
  revokeToken(name: string, at: string): boolean {
    return this.s.revokeToken.run(at, name).changes > 0;
  }
  insertUser(username: string, body: string): boolean {
    return (
      this.db
        .prepare('INSERT INTO console_users (username, version, body) VALUES (?, 1, ?) ON CONFLICT DO NOTHING')
        .run(username, body).changes > 0
    );
  }
  updateUser(username: string, body: string, version: number): boolean {
    return (
      this.db
        .prepare('UPDATE console_users SET body = ?, version = version + 1 WHERE username = ? AND version = ?')
        .run(body, username, version).changes > 0
    );
  }
  putSession(idHash: Uint8Array, username: string, expiresAt: number, body: string): void {
    this.db
      .prepare(
        `INSERT INTO console_sessions (id_hash, username, expires_at, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (id_hash) DO UPDATE SET expires_at = excluded.expires_at, body = excluded.body`,
      )
      .run(asBuffer(idHash), username, expiresAt, body);
  }
  /** Only a session that still exists: one ended meanwhile (signed out, reset) must stay ended. */
  updateSession(idHash: Uint8Array, expiresAt: number, body: string): void {
    this.db
      .prepare('UPDATE console_sessions SET expires_at = ?, body = ? WHERE id_hash = ?')
      .run(expiresAt, body, asBuffer(idHash));
  }
  deleteSession(idHash: Uint8Array): void {
    this.db.prepare('DELETE FROM console_sessions WHERE id_hash = ?').run(asBuffer(idHash));
  }
  deleteSessionsOf(username: string): void {
    this.db.prepare('DELETE FROM console_sessions WHERE username = ?').run(username);
  }
  deleteSessionsExpiredBefore(atMs: number): void {
    this.db.prepare('DELETE FROM console_sessions WHERE expires_at <= ?').run(atMs);
  }
  /**
   * One step of the order projection (surveil/orders/archive.ts), committed only if its state is still
   * the one the step started from: another process may have moved it on.
   */
  writeOrders(w: OrdersBatch): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const current = (this.s.meta.get(ORDERS_STATE_KEY) as string | undefined) ?? null;
      if (current !== w.expectedState) {
        throw new StenoError('conflict', 'the order projection was moved on by another process');
      }
      if (w.reset) this.db.exec('DELETE FROM orders; DELETE FROM order_acks;');
      for (const row of w.orders) this.s.upsertOrder.run(...row);
      for (const row of w.acks) this.s.upsertAck.run(...row);
      this.s.setMeta.run(ORDERS_STATE_KEY, w.state);
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollback();
      throw error;
    }
  }
  /** One step of the activity projection (capture/activity/archive.ts), compared and set like writeOrders. */
  writeActivity(w: ActivityBatch): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const current = (this.s.meta.get(ACTIVITY_STATE_KEY) as string | undefined) ?? null;
      if (current !== w.expectedState) {
        throw new StenoError('conflict', 'the activity projection was moved on by another process');
      }
      if (w.reset) this.db.exec('DELETE FROM activity');
      for (const row of w.rows) this.s.insertActivity.run(...row);
      this.s.setMeta.run(ACTIVITY_STATE_KEY, w.state);
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollback();
      throw error;
    }
  }
  /**
   * One step of the alert projection (surveil/alerts), compared and set like writeOrders. An alert
   * already stored is replaced whole; a new alert whose dedup key another alert holds fails the step.
   */
  writeAlerts(w: AlertsBatch): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const current = (this.s.meta.get(ALERTS_STATE_KEY) as string | undefined) ?? null;
      if (current !== w.expectedState) {
        throw new StenoError('conflict', 'the alert projection was moved on by another process');
      }
      if (w.reset) this.db.exec('DELETE FROM alerts');
      for (const row of w.rows) this.s.upsertAlert.run(...row);
      this.s.setMeta.run(ALERTS_STATE_KEY, w.state);
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollback();
      throw error;
    }
  }
  /** How far the rules have read, compared and set like the projections' states. */
  setRulesState(expectedState: string | null, state: string): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const current = (this.s.meta.get(RULES_STATE_KEY) as string | undefined) ?? null;
      if (current !== expectedState) {
        throw new StenoError('conflict', 'the rules were moved on by another process');
      }
      this.s.setMeta.run(RULES_STATE_KEY, state);
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollback();
      throw error;
    }
  }
  close(): void {
    this.rollback();
    this.db.close();
  }
}

export type WriterMethod = Exclude<keyof SqliteWriter, 'close'>;
