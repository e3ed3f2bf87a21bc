/**
 * Runs an import: checks the whole export, then stores it in chunks that each commit durably, then
 * records the import itself in the ledger (file, digest, format, zone, counts, who ran it), whether it
 * finished or not. Idempotent through the messages' ids: a re-run stores only what is missing.
 */

import { describeProblems, type Problem, StenoError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import type { Line } from '../checking/lines.js';
import { checkInOrder, type LineChecker } from '../checking/pool.js';
import { type BlobSink, ChunkedIngest, type IngestService, type MessageWriteTx } from '../ingest.js';
import { validateMessage } from '../model.js';
import type { ChatExport, DryRunMessage, ImportedMessage } from './importer.js';
import type { SourceFile } from './source-file.js';

export interface ImportCounts {
  messages: number;
  system: number;
  deleted: number;
  edited: number;
  /** Attachments the export names, and those whose bytes it holds. */
  attachmentsNamed: number;
  attachmentFiles: number;
}

export interface ImportSummary extends ImportCounts {
  importId: string;
  importLedgerIndex: number;
  created: number;
  duplicates: number;
  /** Messages that failed validation, with the reason: not stored. */
  skipped: Problem[];
}

const SHOWN_PROBLEMS = 50;

/** Passes 1 and 2: the export, then every message, checked; nothing is stored. */
export async function checkExport(
  exp: ChatExport,
  options: { maxAttachmentBytes: number; onMessage?: (preview: DryRunMessage) => void },
): Promise<ImportCounts> {
  await exp.check();
  const counts = emptyCounts();
  const problems: Problem[] = [];
  for await (const m of exp.messages()) {
    count(counts, m);
    options.onMessage?.(m.preview);
    for (const f of m.files) {
      if (f.size > options.maxAttachmentBytes) {
        problems.push({
          where: m.where,
          message: `attachment ${f.filename} is over the ${options.maxAttachmentBytes}-byte limit`,
        });
      }
    }
    const checked = validateMessage(m.message, m.where, { maxAttachmentBytes: options.maxAttachmentBytes });
    if (!checked.ok) problems.push(...checked.problems);
    if (problems.length > 10_000) break;
  }
  if (problems.length > 0) {
    throw new StenoError(
      'invalid_input',
      `${problems.length} problem(s) in the export; nothing was stored:\n${describeProblems(problems.slice(0, SHOWN_PROBLEMS))}`,
      { problems },
    );
  }
  return counts;
}

/**
 * Pass 3: stores every message. The main thread reads and converts; the checker (worker threads for
 * a large export) validates and prepares each message as it would a line of `steno ingest`; chunks
 * commit in export order. A message that fails validation is skipped and reported with its reason.
 */
export async function storeExport(
  exp: ChatExport,
  deps: { ingest: IngestService<MessageWriteTx>; blobs: BlobSink; checker: LineChecker },
  options: {
    importId: string;
    source: SourceFile;
    by: string;
    details: Record<string, unknown>;
    onProgress?: (done: number) => void;
  },
): Promise<ImportSummary> {
  const counts = emptyCounts();
  const skipped: Problem[] = [];
  const store = new ChunkedIngest(deps.ingest, () => options.onProgress?.(store.stored + skipped.length));
  // Each message as a line for the checker; `where` names the line's message in reports.
  const where = new Map<number, string>();
  const lines = async function* (): AsyncGenerator<Line> {
    let ordinal = 0;
    for await (const m of exp.messages()) {
      count(counts, m);
      const message = m.files.length === 0 ? m.message : await withAttachments(m, deps.blobs);
      ordinal++;
      where.set(ordinal, m.where);
      yield { number: ordinal, text: JSON.stringify(message) };
    }
  };

  const startedAt = new Date().toISOString();
  let failure: Error | null = null;
  try {
    for await (const { batch, lines: sent } of checkInOrder(lines(), deps.checker)) {
      for (const problem of batch.problems) {
        const number = Number(/^line (\d+)/.exec(problem.where)?.[1]);
        skipped.push({ ...problem, where: problem.where.replace(/^line \d+/, where.get(number) ?? problem.where) });
      }
      for (const line of sent) where.delete(line.number);
      for (let i = 0; i < batch.validNumbers.length; i++) await store.add(batch.message(i));
    }
    await store.finish();
  } catch (error) {
    failure = error as Error;
    await store.settle();
  }
  const { created, duplicates } = store;
  const record = await deps.ingest.recordImport(options.importId, {
    format: exp.format,
    file: options.source,
    conversations: exp.conversations(),
    ...options.details,
    counts: { ...counts, created, duplicates, skipped: skipped.length },
    ...(skipped.length > 0 ? { skipped: skipped.slice(0, SHOWN_PROBLEMS) } : {}),
    outcome: failure === null ? 'complete' : `stopped: ${failure.message}`,
    by: options.by,
    startedAt,
    finishedAt: new Date().toISOString(),
  });
  if (failure !== null) {
    throw new StenoError(
      'io',
      `the import stopped after ${created + duplicates} messages were stored: ${failure.message}\n` +
        'Run the same command again: messages already stored are recognised and not stored twice.',
      { cause: failure },
    );
  }
  return {
    ...counts,
    importId: record.id,
    importLedgerIndex: record.ledgerIndex,
    created,
    duplicates,
    skipped,
  };
}

function emptyCounts(): ImportCounts {
  return { messages: 0, system: 0, deleted: 0, edited: 0, attachmentsNamed: 0, attachmentFiles: 0 };
}

function count(counts: ImportCounts, m: ImportedMessage): void {
  counts.messages++;
  if (m.preview.kind === 'system') counts.system++;
  if (m.preview.kind === 'delete') counts.deleted++;
  if (m.preview.edited) counts.edited++;
  counts.attachmentsNamed += m.preview.attachments.length;
  counts.attachmentFiles += m.files.length;
}

/** Stores the message's attachment bytes and names them by digest in the message. */
async function withAttachments(m: ImportedMessage, blobs: BlobSink): Promise<Record<string, unknown>> {
  const attachments: Record<string, unknown>[] = [];
  for (const f of m.files) {
    const bytes = await f.read();
    const sha256 = sha256Hex(bytes);
    await blobs.put(sha256, bytes);
    attachments.push({ filename: f.filename, contentType: f.contentType, sha256, size: bytes.length });
  }
  return { ...m.message, attachments };
}
