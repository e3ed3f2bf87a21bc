/**
 * Writes an evidence package (steno-evidence/1, architecture.md) for a selection of messages: the exact
 * leaf bytes, RFC 9162 inclusion proofs against one signed checkpoint, the content with its salt, the
 * attachments, and a readable transcript. Files are written to a temporary folder and renamed into
 * place, so a package is either complete or absent.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Directory, EntryKind } from '../capture/directory/directory.js';
import type { MessageContent } from '../capture/model.js';
import { StenoError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import type { ContentReader } from '../ledger/content.js';
import type { StoredCheckpoint } from '../ledger/log.js';
import { involves, type MessageHit, type SearchCriteria, type SearchStorage } from '../review/search.js';
import type { BlobStore } from '../store/blobs/files.js';
import { type Manifest, PACKAGE_FILES, PACKAGE_FORMAT } from './package-format.js';
import { renderTranscript, type TranscriptEntry } from './transcript.js';

export interface StoredLeaf {
  index: number;
  id: string;
  bytes: Buffer;
}

/** What export needs of storage beyond search and the content vault. */
export interface EvidenceStorage extends SearchStorage, ContentReader {
  readLeaves(indexes: readonly number[]): Promise<Map<number, StoredLeaf>>;
}

/** What export needs of the ledger: a checkpoint covering the selection, and proofs against it. */
export interface ProofSource {
  readonly origin: string;
  checkpoint(): Promise<StoredCheckpoint>;
  inclusionProof(leafIndex: number, treeSize: number): Promise<Buffer[]>;
}

export type Selection = Omit<SearchCriteria, 'limit' | 'beforeIndex'>;

const PAGE = 1000;
/** A package is meant to be read by people and checked by tools; past this, split the selection. */
export const MAX_PACKAGE_RECORDS = 1_000_000;

export interface ExportResult {
  dir: string;
  records: number;
  attachments: number;
  missingAttachments: string[];
  treeSize: number;
}

/**
 * Narrows pages of hits to a client's or staff member's messages: those they sent or received with a
 * handle they held at the time (the selection found every message of every handle they ever held).
 */
export function partyKeep(
  directory: Directory,
  party: { kind: EntryKind; id: string },
  contents: ContentReader,
): (hits: MessageHit[]) => Promise<MessageHit[]> {
  return async (hits) => {
    const stored = await contents.readContents(hits.map((h) => h.leafIndex));
    return hits.filter((h) => {
      const item = stored.get(h.leafIndex);
      const content = item === undefined ? null : (JSON.parse(item.content.toString('utf8')) as MessageContent);
      return involves(directory, party, h, content);
    });
  };
}

export async function exportEvidence(options: {
  storage: EvidenceStorage;
  ledger: ProofSource;
  blobs: BlobStore;
  selection: Selection;
  /** The selection as the user gave it, recorded in the manifest. */
  selectionLabel: Record<string, unknown>;
  verifierKey: string;
  outDir: string;
  /** Narrows each page of hits further (a selection by client or staff member, checked by time). */
  keep?: (hits: MessageHit[]) => Promise<MessageHit[]>;
}): Promise<ExportResult> {
  const outDir = resolve(options.outDir);
  await ensureEmptyTarget(outDir);
  const { storage, ledger } = options;

  // Select newest-first in pages, then put in ledger order.
  const indexes: number[] = [];
  const criteria = options.selection;
  for (let before: number | undefined; ; ) {
    const page = await storage.searchMessages({
      ...criteria,
      limit: PAGE,
      ...(before === undefined ? {} : { beforeIndex: before }),
    });
    for (const hit of options.keep === undefined ? page : await options.keep(page)) indexes.push(hit.leafIndex);
    if (indexes.length > MAX_PACKAGE_RECORDS) {
      throw new StenoError(
        'too_large',
        `the selection has over ${MAX_PACKAGE_RECORDS} records; narrow it (dates, conversation)`,
      );
    }
    if (page.length < PAGE) break;
    before = page[page.length - 1]!.leafIndex;
  }
  indexes.sort((a, b) => a - b);

  // Every proof is against one signed checkpoint that covers the whole selection.
  let checkpoint: StoredCheckpoint = await ledger.checkpoint();
  const needed = indexes.length === 0 ? 0 : indexes[indexes.length - 1]! + 1;
  if (checkpoint.size < needed) checkpoint = await ledger.checkpoint();
  if (checkpoint.size < needed) throw new StenoError('io', 'could not sign a checkpoint covering the selection');
  const treeSize = checkpoint.size;

  const temp = join(dirname(outDir), `.${Date.now()}-${process.pid}.steno-export.tmp`);
  await mkdir(join(temp, PACKAGE_FILES.attachmentsDir), { recursive: true });
  try {
    const records: string[] = [];
    const proofs: string[] = [];
    const contents: string[] = [];
    const entries: TranscriptEntry[] = [];
    const attachmentHashes = new Set<string>();
    for (let i = 0; i < indexes.length; i += PAGE) {
      const part = indexes.slice(i, i + PAGE);
      const leaves = await storage.readLeaves(part);
      const stored = await storage.readContents(part);
      for (const index of part) {
        const leaf = leaves.get(index);
        if (leaf === undefined)
          throw new StenoError('integrity', `ledger index ${index} has no leaf row; run steno verify`);
        records.push(leaf.bytes.toString('utf8'));
        const proof = await ledger.inclusionProof(index, treeSize);
        proofs.push(JSON.stringify({ index, proof: proof.map((h) => h.toString('base64')) }));
        const item = stored.get(index);
        let content: MessageContent | null = null;
        if (item !== undefined) {
          content = JSON.parse(item.content.toString('utf8')) as MessageContent;
          contents.push(
            `{"index":${index},"salt":${JSON.stringify(item.salt.toString('base64'))},"content":${item.content.toString('utf8')}}`,
          );
          for (const a of content.attachments ?? []) attachmentHashes.add(a.sha256);
        }
        const capturedAt = (JSON.parse(records[records.length - 1]!) as { capturedAt: string }).capturedAt;
        entries.push({ index, id: leaf.id, capturedAt, content });
      }
    }

    const files: Record<string, string> = {};
    const put = async (name: string, data: string | Buffer) => {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      await writeFile(join(temp, name), bytes);
      files[name] = sha256Hex(bytes);
    };
    const jsonl = (lines: string[]) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
    const createdAt = new Date().toISOString();
    await put(PACKAGE_FILES.checkpoint, checkpoint.note);
    await put(PACKAGE_FILES.verifierKey, `${options.verifierKey}\n`);
    await put(PACKAGE_FILES.records, jsonl(records));
    await put(PACKAGE_FILES.proofs, jsonl(proofs));
    await put(PACKAGE_FILES.content, jsonl(contents));
    const missingAttachments: string[] = [];
    for (const digest of [...attachmentHashes].sort()) {
      const bytes = await options.blobs.get(digest);
      if (bytes === null) missingAttachments.push(digest);
      else await put(`${PACKAGE_FILES.attachmentsDir}/${digest}`, bytes);
    }
    const selection = options.selectionLabel;
    await put(
      PACKAGE_FILES.transcript,
      renderTranscript({ origin: ledger.origin, treeSize, createdAt, selection, entries }),
    );
    await put(PACKAGE_FILES.readme, readme(ledger.origin, treeSize, missingAttachments));
    const manifest: Manifest = {
      format: PACKAGE_FORMAT,
      origin: ledger.origin,
      treeSize,
      records: records.length,
      createdAt,
      selection,
      files,
    };
    await writeFile(join(temp, PACKAGE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    await rm(outDir, { recursive: true, force: true });
    await rename(temp, outDir);
    return {
      dir: outDir,
      records: records.length,
      attachments: attachmentHashes.size - missingAttachments.length,
      missingAttachments,
      treeSize,
    };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

async function ensureEmptyTarget(dir: string): Promise<void> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new StenoError('invalid_input', `${dir} exists and is not a folder`);
    if ((await readdir(dir)).length > 0) {
      throw new StenoError('invalid_input', `${dir} is not empty; choose a new folder for the package`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function readme(origin: string, treeSize: number, missing: string[]): string {
  return `Steno evidence package (format ${PACKAGE_FORMAT})
Log: ${origin}    Checkpoint tree size: ${treeSize}

What is here
  manifest.json     the selection, counts, and the SHA-256 of every other file
  checkpoint.txt    a signed checkpoint (C2SP tlog-checkpoint, signed as a C2SP signed note, Ed25519)
  verifier-key.txt  the log's verifier key (C2SP signed-note key); compare it with the key the firm
                    published or gave you, and pass that key when verifying
  records.jsonl     line i = the exact leaf bytes (RFC 8785 canonical JSON) of the i-th record
  proofs.jsonl      line i = {"index": ledger index, "proof": [base64 SHA-256 hashes]}: the RFC 9162
                    inclusion proof of record i in the tree the checkpoint commits to
  content.jsonl     {"index", "salt", "content"}: the message content; the leaf's "commitment" is
                    base64(SHA-256(salt || RFC 8785 canonical JSON of content))
  attachments/      attachment bytes, each named by its SHA-256
  transcript.html   the same records as a readable transcript

How to verify
  With Steno:  steno verify-package DIR --key "<the published verifier key>"
  Independently, with any RFC 9162 and C2SP signed-note implementation:
  1. Check checkpoint.txt's signature with the verifier key; read origin, tree size and root from it.
  2. For each line of records.jsonl: leaf hash = SHA-256(0x00 || line bytes without the newline);
     verify the inclusion proof on the same line of proofs.jsonl against the root (RFC 9162 §2.1.3.2).
  3. For each content.jsonl entry: SHA-256(base64-decoded salt || RFC 8785 JSON of content), base64,
     must equal the "commitment" in the record with that index.
  4. Each attachments/<name> must hash to <name>; each file's SHA-256 must match manifest.json.
${missing.length > 0 ? `\nAttachments referenced but not held by the archive (not included):\n${missing.map((m) => `  ${m}`).join('\n')}\n` : ''}`;
}
