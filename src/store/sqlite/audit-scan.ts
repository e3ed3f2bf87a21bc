/** Reading records in ledger order for the full audit, on any connection (the audit's workers open their own). */
import { type AuditRow, type ChunkSource, PROJECTION_MATCHES } from '../../ledger/audit.js';
import { type Db, NodeReader, openDb } from './connection.js';

/**
 * [leaf_index, record_id, record_type, leaf ‖ salt ‖ content, length(leaf), length(salt), state]:
 * state bits 0-1 say whether the message row is absent (0), equals the content (1) or may differ (2);
 * bit 2 that its full-text entry exists, bit 3 its key entry.
 */
type PackedRow = [number, string, string, Buffer | null, number, number, number];
type PartsRow = [Buffer, Buffer | null, Buffer | null];
type DetailRow = [string, string, string, number, string, string | null, string | null];

const MESSAGE_ABSENT = 0;
const MESSAGE_MATCHES = 1;
const MESSAGE_MAY_DIFFER = 2;
const HAS_TEXT_ENTRY = 4;
const HAS_KEY_ENTRY = 8;

/**
 * One row per record, carrying everything the audit checks. Two things keep it fast at a million
 * records, where creating JavaScript values is most of the cost:
 * - the leaf, salt and content come as one blob (concatenated as text, which SQLite does byte for
 *   byte, then cast back; a test holds this to every byte value), so each record costs one Buffer;
 * - SQLite compares the message row with the content itself (json_extract, and unixepoch for sentAt),
 *   so JavaScript parses no JSON unless a row may differ (content is a BLOB of JSON text: cast, or
 *   SQLite would read it as JSONB). Content that is not JSON makes json_extract fail the whole
 *   statement: the batch is then read again without the comparison, and every row takes the detailed
 *   path, which names the problem.
 */
/** Whether the message row equals the content: SQLite parses the JSON once and reuses it for sentAt. */
const MESSAGE_ROW_MATCHES_CONTENT = `
  json_extract(CAST(c.content AS TEXT), '$.platform', '$.conversationId', '$.sender', '$.kind',
               '$.platformMessageId', '$.refersTo')
    IS json_array(m.platform, m.conversation_id, m.sender, m.kind, m.platform_message_id, m.refers_to)
  AND round(unixepoch(json_extract(CAST(c.content AS TEXT), '$.sentAt'), 'subsec') * 1000) IS m.sent_at`;

const scanSql = (compareInSqlite: boolean) => `
  SELECT l.leaf_index, l.record_id, l.record_type,
    CAST(CAST(l.leaf AS TEXT) || CAST(c.salt AS TEXT) || CAST(c.content AS TEXT) AS BLOB),
    length(l.leaf), length(c.salt),
    -- Parenthesised: SQLite gives | and << the same precedence.
    (CASE
      WHEN m.leaf_index IS NULL THEN ${MESSAGE_ABSENT}
      ${compareInSqlite ? `WHEN ${MESSAGE_ROW_MATCHES_CONTENT} THEN ${MESSAGE_MATCHES}` : ''}
      ELSE ${MESSAGE_MAY_DIFFER}
    END)
    | ((d.id IS NOT NULL) << 2) | ((k.id IS NOT NULL) << 3)
  FROM ledger_leaves l
  LEFT JOIN record_contents c USING (leaf_index)
  LEFT JOIN messages m USING (leaf_index)
  LEFT JOIN message_fts_docsize d ON d.id = l.leaf_index
  LEFT JOIN message_keys_docsize k ON k.id = l.leaf_index
  WHERE l.leaf_index >= ? ORDER BY l.leaf_index LIMIT ?`;

/** Shared, never mutated: one object per combination instead of one per record. */
const INDEXED = [
  { text: false, keys: false },
  { text: true, keys: false },
  { text: false, keys: true },
  { text: true, keys: true },
] as const;

export class AuditScanner {
  private readonly scan;
  private readonly scanWithoutJson;
  private readonly parts;
  private readonly detail;

  constructor(private readonly db: Db) {
    this.scan = db.prepare(scanSql(true)).raw(true);
    this.scanWithoutJson = db.prepare(scanSql(false)).raw(true);
    this.parts = db
      .prepare(
        `SELECT l.leaf, c.salt, c.content FROM ledger_leaves l LEFT JOIN record_contents c USING (leaf_index)
         WHERE l.leaf_index = ?`,
      )
      .raw(true);
    this.detail = db
      .prepare(
        `SELECT platform, conversation_id, sender, sent_at, kind, platform_message_id, refers_to
         FROM messages WHERE leaf_index = ?`,
      )
      .raw(true);
  }

  scanRecords(fromIndex: number, limit: number): AuditRow[] {
    // One read transaction: every statement sees the same snapshot.
    return this.db.transaction(() => {
      let rows: PackedRow[];
      try {
        rows = this.scan.all(fromIndex, limit) as PackedRow[];
      } catch (error) {
        if (!/malformed JSON/i.test((error as Error).message)) throw error;
        rows = this.scanWithoutJson.all(fromIndex, limit) as PackedRow[];
      }
      return rows.map((r) => this.toRow(r));
    })();
  }

  private toRow([index, id, type, packed, leafLength, saltLength, state]: PackedRow): AuditRow {
    let bytes: Buffer;
    let salt: Buffer | null;
    let content: Buffer | null;
    if (packed !== null) {
      bytes = packed.subarray(0, leafLength);
      salt = packed.subarray(leafLength, leafLength + saltLength);
      content = packed.subarray(leafLength + saltLength);
    } else {
      // Content or salt is missing: read what is there, for the finding.
      [bytes, salt, content] = this.parts.get(index) as PartsRow;
    }
    const messageState = state & 3;
    if (messageState === MESSAGE_ABSENT) return { index, id, type, bytes, salt, content, message: null };
    const indexed = INDEXED[((state & HAS_TEXT_ENTRY) !== 0 ? 1 : 0) + ((state & HAS_KEY_ENTRY) !== 0 ? 2 : 0)]!;
    if (messageState === MESSAGE_MATCHES) {
      return { index, id, type, bytes, salt, content, message: PROJECTION_MATCHES, indexed };
    }
    const [platform, conversationId, sender, sentAtMs, kind, platformMessageId, refersTo] = this.detail.get(
      index,
    ) as DetailRow;
    return {
      index,
      id,
      type,
      bytes,
      salt,
      content,
      message: { platform, conversationId, sender, sentAtMs, kind, platformMessageId, refersTo },
      indexed,
    };
  }
}

/** A read-only connection for one audit worker: no writer thread, no migrations. */
export function openAuditScanner(path: string): ChunkSource & { close(): Promise<void> } {
  const db = openDb(path, { readonly: true });
  const scanner = new AuditScanner(db);
  const nodes = new NodeReader(db);
  return {
    scanRecords: async (from, limit) => scanner.scanRecords(from, limit),
    readNodes: async (ids) => nodes.readNodes(ids),
    readHashSpan: async (level, first, count) => nodes.readHashSpan(level, first, count),
    close: async () => {
      db.close();
    },
  };
}
