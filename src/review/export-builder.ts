/**
 * The console's evidence export: a selection as the console's filters give it, narrowed to the
 * caller's desks, counted before it is built, then written as an evidence package (steno-evidence/1)
 * and handed over as a ZIP of that folder.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Directory } from '../capture/directory/directory.js';
import type { MessageContent } from '../capture/model.js';
import { StenoError } from '../core/errors.js';
import { parseQuery } from '../index/query.js';
import type { ContentReader } from '../ledger/content.js';
import {
  type EvidenceStorage,
  type ExportResult,
  exportEvidence,
  type ProofSource,
  partyKeep,
  type Selection,
} from '../produce/evidence.js';
import { zipFolder, zipPlan } from '../produce/zip.js';
import type { BlobStore } from '../store/blobs/files.js';
import type { DeskScope } from './desks.js';
import { type MessageHit, parseDateFilter, partyHandles, partyOf } from './search.js';

/** What the export builder takes: each a string, all optional, combined with AND. */
export const EXPORT_FILTERS = ['conversation', 'q', 'platform', 'from', 'to', 'client', 'staff', 'desk'] as const;
const PAGE = 1000;

export interface ExportPreview {
  messages: number;
  conversations: number;
  attachments: number;
}

interface Resolved {
  selection: Selection;
  label: Record<string, unknown>;
  keep?: (hits: MessageHit[]) => Promise<MessageHit[]>;
}

export class ExportBuilder {
  constructor(
    private readonly deps: {
      storage: EvidenceStorage;
      contents: ContentReader;
      ledger: ProofSource;
      blobs: BlobStore;
      directory: { load(): Promise<Directory> };
      desks: DeskScope;
      verifierKey: string;
      /** Where packages are written before they are sent. */
      workDir: string;
    },
  ) {}

  async preview(filters: unknown, desks: readonly string[] | null): Promise<ExportPreview> {
    const { selection, keep } = await this.resolve(filters, desks);
    const conversations = new Set<string>();
    const attachments = new Set<string>();
    let messages = 0;
    for (let before: number | undefined; ; ) {
      const page = await this.deps.storage.searchMessages({
        ...selection,
        limit: PAGE,
        ...(before === undefined ? {} : { beforeIndex: before }),
      });
      const kept = keep === undefined ? page : await keep(page);
      messages += kept.length;
      const stored = await this.deps.contents.readContents(kept.map((h) => h.leafIndex));
      for (const hit of kept) {
        conversations.add(hit.conversationId);
        const item = stored.get(hit.leafIndex);
        if (item === undefined) continue;
        const content = JSON.parse(item.content.toString('utf8')) as MessageContent;
        for (const a of content.attachments ?? []) attachments.add(a.sha256);
      }
      if (page.length < PAGE) break;
      before = page.at(-1)!.leafIndex;
    }
    return { messages, conversations: conversations.size, attachments: attachments.size };
  }

  /**
   * Writes the package and hands its ZIP to `send` (which must have finished with it when it returns);
   * the written folder is removed afterwards whatever happens.
   */
  async build(
    filters: unknown,
    desks: readonly string[] | null,
    send: (zip: { bytes: number; chunks: AsyncGenerator<Buffer>; result: ExportResult }) => Promise<void>,
  ): Promise<ExportResult> {
    const { selection, label, keep } = await this.resolve(filters, desks);
    await mkdir(this.deps.workDir, { recursive: true, mode: 0o700 });
    const work = await mkdtemp(join(this.deps.workDir, 'export-'));
    try {
      const result = await exportEvidence({
        storage: this.deps.storage,
        ledger: this.deps.ledger,
        blobs: this.deps.blobs,
        selection,
        selectionLabel: label,
        verifierKey: this.deps.verifierKey,
        outDir: join(work, 'package'),
        ...(keep === undefined ? {} : { keep }),
      });
      const plan = await zipPlan(result.dir);
      await send({ bytes: plan.bytes, chunks: zipFolder(plan), result });
      return result;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async resolve(filters: unknown, desks: readonly string[] | null): Promise<Resolved> {
    if (filters === null || typeof filters !== 'object' || Array.isArray(filters)) {
      throw new StenoError('invalid_input', `the selection must be an object of ${EXPORT_FILTERS.join(', ')}`);
    }
    const f: Record<string, string> = {};
    for (const [key, value] of Object.entries(filters)) {
      if (!(EXPORT_FILTERS as readonly string[]).includes(key)) {
        throw new StenoError(
          'invalid_input',
          `"${key.slice(0, 40)}" is not a filter; use ${EXPORT_FILTERS.join(', ')}`,
          {
            problems: [{ where: key.slice(0, 40), message: 'is not a filter' }],
          },
        );
      }
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string' || value.length > 500) {
        throw new StenoError('invalid_input', `${key} must be a string of at most 500 characters`, {
          problems: [{ where: key, message: 'must be a string of at most 500 characters' }],
        });
      }
      f[key] = value;
    }
    const selection: Selection = {};
    if (f.conversation !== undefined) selection.conversationId = f.conversation;
    if (f.platform !== undefined) selection.platform = f.platform;
    if (f.q !== undefined) selection.query = parseQuery(f.q);
    if (f.from !== undefined) selection.fromMs = parseDateFilter(f.from, 'from');
    if (f.to !== undefined) selection.toMs = parseDateFilter(f.to, 'to', 'to');
    if (desks !== null && f.desk !== undefined && !desks.includes(f.desk)) {
      throw new StenoError('forbidden', `desk "${f.desk.slice(0, 64)}" is not one of yours`, {
        problems: [{ where: 'desk', message: 'is not one of your desks' }],
      });
    }
    if (f.desk !== undefined) await this.deps.desks.requireKnown(f.desk);
    const scope = f.desk !== undefined ? [f.desk] : desks;
    if (scope !== null) selection.conversationIds = [...(await this.deps.desks.conversations(scope))];
    let keep: Resolved['keep'];
    const party = partyOf({ clientId: f.client, staffId: f.staff });
    if (party !== null) {
      const directory = await this.deps.directory.load();
      selection.participants = partyHandles(directory, party);
      keep = partyKeep(directory, party, this.deps.contents);
    }
    // The manifest says when a package was narrowed to desks: its reader must know it is not everything.
    const label: Record<string, unknown> = scope === null ? { ...f } : { ...f, desks: [...scope] };
    return { selection, label, ...(keep === undefined ? {} : { keep }) };
  }
}
