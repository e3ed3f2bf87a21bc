/**
 * Runs an import: checks the whole export, then stores it in chunks that each commit durably, then
 * records the import itself in the ledger (file, digest, format, zone, counts, who ran it), whether it
 * finished or not. Idempotent through the messages' ids: a re-run stores only what is missing.
 */

import { describeProblems, type Problem, StenoError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { newRecordId } from '../../core/ids.js';
import {
  type BlobSink,
  type IngestService,
  type MessageWriteTx,
  type PreparedMessage,
  prepareMessage,
} from '../ingest.js';
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
}

const CHUNK = 1000;
const SHOWN_PROBLEMS = 50;

/** Passes 1 and 2: the export, then every message, checked; nothing is stored. */
export async function checkExport(
  exp: ChatExport,
  options: { maxAttachmentBytes: number; onMessage?: (preview: DryRunMessage) => void; importId?: string },
): Promise<ImportCounts> {
  await exp.check();
  const counts: ImportCounts = {
    messages: 0,
    system: 0,
    deleted: 0,
    edited: 0,
    attachmentsNamed: 0,
    attachmentFiles: 0,
  };
  const problems: Problem[] = [];
  for await (const m of exp.messages()) {
    counts.messages++;
    if (m.preview.kind === 'system') counts.system++;
    if (m.preview.kind === 'delete') counts.deleted++;
    if (m.preview.edited) counts.edited++;
    counts.attachmentsNamed += m.preview.attachments.length;
    counts.attachmentFiles += m.files.length;
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

/** Pass 3: stores every message (attachment bytes first), then records the import. */
export async function storeExport(
  exp: ChatExport,
  deps: { ingest: IngestService<MessageWriteTx>; blobs: BlobSink },
  options: {
    importId: string;
    source: SourceFile;
    counts: ImportCounts;
    by: string;
    details: Record<string, unknown>;
    onProgress?: (stored: number) => void;
  },
): Promise<ImportSummary> {
  let created = 0;
  let duplicates = 0;
  let chunk: PreparedMessage[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const results = await deps.ingest.ingestPrepared(chunk);
    chunk = [];
    for (const r of results) r.status === 'created' ? created++ : duplicates++;
    options.onProgress?.(created + duplicates);
  };
  const startedAt = new Date().toISOString();
  let failure: Error | null = null;
  try {
    for await (const m of exp.messages()) {
      chunk.push(prepareMessage(await withAttachments(m, deps.blobs), startedAt));
      if (chunk.length >= CHUNK) await flush();
    }
    await flush();
  } catch (error) {
    failure = error as Error;
  }
  const record = await deps.ingest.recordImport(options.importId, {
    format: exp.format,
    file: options.source,
    conversations: exp.conversations(),
    ...options.details,
    counts: { ...options.counts, created, duplicates },
    outcome: failure === null ? 'complete' : `stopped: ${failure.message}`,
    by: options.by,
    startedAt,
    finishedAt: new Date().toISOString(),
  });
  if (failure !== null) {
    throw new StenoError(
      'io',
      `the import stopped after ${created + duplicates} of ${options.counts.messages} messages were stored: ${failure.message}\n` +
        'Run the same command again: messages already stored are recognised and not stored twice.',
      { cause: failure },
    );
  }
  return { ...options.counts, importId: record.id, importLedgerIndex: record.ledgerIndex, created, duplicates };
}

/** Stores the message's attachment bytes and names them by digest in the message. */
async function withAttachments(m: ImportedMessage, blobs: BlobSink) {
  const attachments: Record<string, unknown>[] = [];
  for (const f of m.files) {
    const bytes = await f.read();
    const sha256 = sha256Hex(bytes);
    await blobs.put(sha256, bytes);
    attachments.push({ filename: f.filename, contentType: f.contentType, sha256, size: bytes.length });
  }
  const message = attachments.length === 0 ? m.message : { ...m.message, attachments };
  const checked = validateMessage(message, m.where, { maxAttachmentBytes: blobs.maxBytes });
  if (!checked.ok) throw new StenoError('io', `the export changed while it was being imported (${m.where})`);
  return checked.message;
}

export { newRecordId as newImportId };
