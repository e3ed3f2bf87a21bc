/**
 * Question: how fast can bare better-sqlite3 store these messages? The baseline for ingest ratios:
 * the same rows inserted in 1,000-row transactions into a table with an FTS5 index, one SHA-256 each,
 * with the durability Steno uses (WAL, synchronous=FULL).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sha256 } from '../src/core/hash.js';
import { benchMessage, Rng } from './support/corpus.js';

export function baselineSqlite(options: { dir: string; messages: number }): { perSecond: number; seconds: number } {
  const db = new Database(join(options.dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation TEXT, sender TEXT, sent_at TEXT, body TEXT, hash BLOB);
           CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id');`);
  const insert = db.prepare(
    'INSERT INTO messages (id, conversation, sender, sent_at, body, hash) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertFts = db.prepare('INSERT INTO messages_fts (rowid, body) VALUES (?, ?)');
  const rng = new Rng(42);
  const started = performance.now();
  for (let i = 0; i < options.messages; i += 1000) {
    db.exec('BEGIN');
    for (let j = i; j < Math.min(i + 1000, options.messages); j++) {
      const m = benchMessage(rng, j, 'base');
      const json = JSON.stringify(m);
      insert.run(j, m.conversationId, m.sender, m.sentAt, m.text, sha256(Buffer.from(json)));
      insertFts.run(j, m.text);
    }
    db.exec('COMMIT');
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { perSecond: options.messages / seconds, seconds };
}
