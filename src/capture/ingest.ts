/**
 * Ingest: validated messages become ledger records plus the message projection (metadata, participants,
 * full-text) in the same group-committed transaction. Idempotent: (platform, conversationId,
 * platformMessageId), or the content itself when a source has no message ids.
 */
import { canonicalBytes } from '../core/canonical-json.js';
import { describeProblems, type Problem, StenoError } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { newRecordId } from '../core/ids.js';
import { segmentForIndex } from '../index/segment.js';
import type { MessageProjection } from '../ledger/audit.js';
import { type Ledger, type LedgerWriteTx, type PreparedRecord, prepareRecord } from '../ledger/log.js';
import { normaliseHandle } from './directory/handles.js';
import { LIMITS, type MessageContent, type ValidatedMessage, validateMessage } from './model.js';

/** The message projection (what the audit checks against the content), plus what storing it needs. */
export interface MessageRow extends MessageProjection {
  leafIndex: number;
  recordId: string;
  dedupKey: Buffer;
  participants: string[];
  /** Text as the index should see it (CJK segmented); stored only in the full-text index. */
  searchText: string;
}

/**
 * A message row's fields as an array, the way rows cross between threads: arrays of strings and numbers
 * clone far faster than objects. Prefixed by the record id (from the checkers) or the leaf index (to the
 * SQLite writer); the dedup key travels apart, in a blob column.
 */
export type MessageRowFields = [
  platform: string,
  conversationId: string,
  sender: string,
  sentAtMs: number,
  kind: string,
  platformMessageId: string | null,
  refersTo: string | null,
  participants: string[],
  searchText: string,
];

export interface ExistingMessage {
  leafIndex: number;
  recordId: string;
}

/** What ingest needs inside the ledger's write transaction. */
export interface MessageWriteTx extends LedgerWriteTx {
  findByDedupKeys(keys: readonly Buffer[]): Promise<Map<string, ExistingMessage>>;
  insertMessages(rows: readonly MessageRow[]): Promise<void>;
}

/** Where attachment bytes go (content-addressed); an S3 implementation fits the same shape. */
export interface BlobSink {
  readonly maxBytes: number;
  put(sha256: string, bytes: Buffer): Promise<void>;
}

export type IngestStatus = 'created' | 'duplicate';

export interface IngestResult {
  id: string;
  ledgerIndex: number;
  status: IngestStatus;
}

/** Validates every item: one bad item throws for the whole batch, listing each problem. */
export function validateMessages(
  items: readonly unknown[],
  prefix: (i: number) => string,
  maxAttachmentBytes: number,
): ValidatedMessage[] {
  const problems: Problem[] = [];
  const valid: ValidatedMessage[] = [];
  items.forEach((item, i) => {
    const result = validateMessage(item, prefix(i), { maxAttachmentBytes });
    if (result.ok) valid.push(result.message);
    else problems.push(...result.problems);
  });
  if (problems.length > 0) throw invalidMessages(problems);
  return valid;
}

/** The error for a batch with problems: each named, none stored. */
export function invalidMessages(problems: Problem[]): StenoError {
  return new StenoError(
    'invalid_input',
    `${problems.length} problem(s) in the messages:\n${describeProblems(problems)}`,
    {
      problems,
    },
  );
}

export function dedupKey(content: MessageContent, contentBytes: Buffer): Buffer {
  if (content.platformMessageId !== undefined) {
    return sha256(canonicalBytes(['id', content.platform, content.conversationId, content.platformMessageId]));
  }
  return sha256(canonicalBytes(['content']), contentBytes);
}

/**
 * A message ready to append: its record (leaf built, salted and hashed) and projection row, all but its
 * place in the ledger. Pure apart from the salt, so `steno ingest` prepares messages on worker threads
 * while it checks the file; `capturedAt` is when Steno read the message.
 */
export interface PreparedMessage {
  record: PreparedRecord;
  inlineBlobs: ReadonlyMap<string, Buffer> | readonly (readonly [string, Buffer])[];
  row: Omit<MessageRow, 'leafIndex' | 'recordId'>;
}

export function prepareMessage(m: ValidatedMessage, capturedAt: string): PreparedMessage {
  return {
    record: prepareRecord('message', newRecordId(), m.contentBytes, capturedAt),
    inlineBlobs: m.inlineBlobs,
    row: messageRow(dedupKey(m.content, m.contentBytes), m.content),
  };
}

export class IngestService<Tx extends MessageWriteTx> {
  private readonly ledger: Ledger<Tx>;
  private readonly blobs: BlobSink;

  constructor(options: { ledger: Ledger<Tx>; blobs: BlobSink }) {
    this.ledger = options.ledger;
    this.blobs = options.blobs;
  }

  /**
   * Validates every item first: one bad item rejects the whole batch, listing each problem, and
   * nothing is stored. `prefix(i)` names an item in errors (`[3]` for an API array, `line 12` for a file).
   */
  validate(items: readonly unknown[], prefix: (i: number) => string): ValidatedMessage[] {
    return validateMessages(items, prefix, this.blobs.maxBytes);
  }

  async ingest(messages: readonly ValidatedMessage[]): Promise<IngestResult[]> {
    checkBatchSize(messages.length);
    // Everything that does not depend on the ledger index is computed here, outside the write lock.
    const capturedAt = new Date().toISOString();
    return this.ingestPrepared(messages.map((m) => prepareMessage(m, capturedAt)));
  }

  /**
   * Records an import (file, digest, format, zone, counts, who ran it) in the ledger, under the id its
   * messages name in `raw.import`, so each message can be traced to the file it came from.
   */
  async recordImport(id: string, content: Record<string, unknown>): Promise<{ id: string; ledgerIndex: number }> {
    const record = prepareRecord('import', id, canonicalBytes(content));
    return this.ledger.append(async (_tx, appender) => ({ id, ledgerIndex: appender.append(record).index }));
  }

  /** Stores messages prepared beforehand (prepareMessage), in order. */
  async ingestPrepared(messages: readonly PreparedMessage[]): Promise<IngestResult[]> {
    checkBatchSize(messages.length);
    // Bytes first: a record never points at an attachment that a crash could lose.
    for (const m of messages) for (const [digest, bytes] of m.inlineBlobs) await this.blobs.put(digest, bytes);

    return this.ledger.append(async (tx, appender) => {
      const existing = await tx.findByDedupKeys(messages.map((p) => p.row.dedupKey));
      const results: IngestResult[] = [];
      const rows: MessageRow[] = [];
      for (const p of messages) {
        const hexKey = p.row.dedupKey.toString('hex');
        const known = existing.get(hexKey);
        if (known !== undefined) {
          results.push({ id: known.recordId, ledgerIndex: known.leafIndex, status: 'duplicate' });
          continue;
        }
        const { index } = appender.append(p.record);
        existing.set(hexKey, { leafIndex: index, recordId: p.record.id });
        results.push({ id: p.record.id, ledgerIndex: index, status: 'created' });
        // Field by field: an object spread here cost more than the rest of the loop.
        const r = p.row;
        rows.push({
          leafIndex: index,
          recordId: p.record.id,
          dedupKey: r.dedupKey,
          platform: r.platform,
          conversationId: r.conversationId,
          sender: r.sender,
          sentAtMs: r.sentAtMs,
          kind: r.kind,
          platformMessageId: r.platformMessageId,
          refersTo: r.refersTo,
          participants: r.participants,
          searchText: r.searchText,
        });
      }
      if (rows.length > 0) await tx.insertMessages(rows);
      return results;
    });
  }
}

/**
 * Stores prepared messages in chunks that each commit durably, in order. One chunk commits while the
 * next fills: two in flight keep both the preparing and the writing thread busy. A failure surfaces
 * at the next add() or at finish(), never unobserved.
 */
export class ChunkedIngest<Tx extends MessageWriteTx> {
  created = 0;
  duplicates = 0;
  private chunk: PreparedMessage[] = [];
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly ingest: IngestService<Tx>,
    /** Called as each chunk commits, with its size. */
    private readonly onCommitted: (count: number) => void = () => undefined,
    private readonly chunkSize = 5000,
  ) {}

  get stored(): number {
    return this.created + this.duplicates;
  }

  async add(message: PreparedMessage): Promise<void> {
    this.chunk.push(message);
    if (this.chunk.length >= this.chunkSize) await this.flush();
  }

  /** Stores what is left and waits for every chunk to commit. */
  async finish(): Promise<void> {
    await this.flush();
    await this.inFlight;
  }

  /** Waits for the chunk in flight, whatever its outcome (after a failure elsewhere). */
  async settle(): Promise<void> {
    await this.inFlight.catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const sending = this.chunk;
    this.chunk = [];
    const previous = this.inFlight;
    const committing = this.ingest.ingestPrepared(sending).then((results) => {
      for (const r of results) r.status === 'created' ? this.created++ : this.duplicates++;
      this.onCommitted(sending.length);
    });
    committing.catch(() => undefined);
    await previous;
    this.inFlight = committing;
  }
}

function checkBatchSize(count: number): void {
  if (count > LIMITS.batch * 100) throw new StenoError('too_large', `at most ${LIMITS.batch * 100} messages per call`);
}

function messageRow(key: Buffer, c: MessageContent): Omit<MessageRow, 'leafIndex' | 'recordId'> {
  // Each handle as written and, where it differs, as the directory writes it (phones in E.164), so a
  // client's or staff member's messages are found by their registered handles.
  const participants = new Set<string>();
  for (const handle of [c.sender, ...(c.recipients ?? [])]) {
    participants.add(handle);
    participants.add(normaliseHandle(c.platform, handle));
  }
  const searchable = [c.text ?? '', ...(c.attachments?.map((a) => a.filename) ?? [])].join('\n');
  return {
    dedupKey: key,
    platform: c.platform,
    conversationId: c.conversationId,
    sender: c.sender,
    sentAtMs: Date.parse(c.sentAt),
    kind: c.kind,
    platformMessageId: c.platformMessageId ?? null,
    refersTo: c.refersTo ?? null,
    participants: [...participants],
    searchText: segmentForIndex(searchable),
  };
}
