/**
 * Media fetching follows the ledger: a captured message's text is archived as soon as it arrives, and
 * its media (named in the platform's event, kept in the message's `raw`) is fetched afterwards, so a
 * slow or failing platform never holds the text back. Each piece of media ends as a `media` record
 * naming the message: its attachment (the bytes in the blob store, by SHA-256), or why it could not be
 * fetched after its retries. Progress is one compare-and-set value: a process that stops mid-way leaves
 * the rest to the next run, and none is skipped.
 */
import { canonicalBytes } from '../../core/canonical-json.js';
import { CatchUpRunner } from '../../core/catch-up.js';
import { sha256Hex } from '../../core/hash.js';
import { newRecordId } from '../../core/ids.js';
import type { RecordsByType } from '../../ledger/content.js';
import { type Ledger, type LedgerWriteTx, prepareRecord } from '../../ledger/log.js';
import type { MetaStorage } from '../../store/meta.js';
import { type ChannelObserver, isCapturedRaw, type MediaRef, type MediaSource } from '../connectors/connector.js';
import type { AttachmentRef, MessageContent, Platform } from '../model.js';

export const MEDIA_RECORD = 'media';
export const MEDIA_STATE_KEY = 'media_state';
const RECORDS_PER_READ = 2000;
/** Fetches under way at once: platforms rate-limit media downloads. */
const CONCURRENCY = 4;

/** The content of a `media` record. */
export interface MediaRecordContent {
  /** The message the media belongs to. */
  message: { id: string; index: number; platform: Platform; conversationId: string; platformMessageId: string | null };
  connector: string;
  channel: string;
  /** The platform's id or URL of the media. */
  mediaId: string;
  outcome: 'fetched' | 'failed';
  attachment?: AttachmentRef;
  /** Why it could not be fetched (never a token). */
  error?: string;
  attempts: number;
}

export interface MediaBlobs {
  readonly maxBytes: number;
  put(sha256: string, bytes: Buffer): Promise<void>;
}

export interface MediaFetchReport {
  /** Messages read for media. */
  messages: number;
  fetched: number;
  failed: number;
}

/** Archived messages in ledger order (the orders projection reads them the same way). */
export interface MessagesAfter {
  /** With `containing`, a content that holds none of those byte strings comes back as null. */
  messagesAfter(
    afterIndex: number,
    limit: number,
    options?: { containing?: readonly Buffer[] },
  ): Promise<{ index: number; recordId: string; content: Buffer | null }[]>;
}

export class MediaFetcher<Tx extends LedgerWriteTx = LedgerWriteTx> {
  private readonly runner = new CatchUpRunner(() => this.run());
  private readonly sources: Map<string, MediaSource>;
  private readonly mediaMarks: Buffer[];

  constructor(
    private readonly options: {
      ledger: Ledger<Tx>;
      storage: MessagesAfter & MetaStorage;
      blobs: MediaBlobs;
      sources: readonly MediaSource[];
      channels: ChannelObserver;
      /** Waits before each retry; their count is the number of retries. */
      retryDelaysMs?: readonly number[];
      timeoutMs?: number;
    },
  ) {
    this.sources = new Map(options.sources.map((s) => [s.connector, s]));
    // A key as canonical JSON writes it; inside a string value its quotes would be escaped.
    this.mediaMarks = [...new Set(options.sources.flatMap((s) => s.mediaKeys))].map((key) =>
      Buffer.from(`${JSON.stringify(key)}:`),
    );
  }

  /** Fetches the media of every message archived since the last run. */
  catchUp(): Promise<MediaFetchReport> {
    return this.runner.catchUp();
  }

  private async run(): Promise<MediaFetchReport> {
    const report: MediaFetchReport = { messages: 0, fetched: 0, failed: 0 };
    const { storage } = this.options;
    // Without a connector that carries media there is nothing to fetch, and nothing to read.
    if (this.sources.size === 0) return report;
    for (;;) {
      const state = await storage.getMeta(MEDIA_STATE_KEY);
      const through = state === null ? -1 : Number(JSON.parse(state).through);
      // Most messages carry no media: the store reads out only contents that hold a media key.
      const records = await storage.messagesAfter(through, RECORDS_PER_READ, { containing: this.mediaMarks });
      if (records.length === 0) return report;
      const jobs: { content: MessageContent; index: number; id: string; source: MediaSource; ref: MediaRef }[] = [];
      for (const record of records) {
        // Messages from imports and the API carry no connector's mark: passed over before parsing.
        if (record.content === null || !record.content.includes('"connector":')) continue;
        const content = JSON.parse(record.content.toString('utf8')) as MessageContent;
        if (!isCapturedRaw(content.raw)) continue;
        const source = this.sources.get(content.raw.connector);
        if (source === undefined) continue;
        report.messages++;
        for (const ref of source.refs(content.raw.event)) {
          jobs.push({ content, index: record.index, id: record.recordId, source, ref });
        }
      }
      const results = await mapLimit(jobs, CONCURRENCY, (job) => this.fetchOne(job));
      const last = records[records.length - 1]!.index;
      if (results.length > 0) {
        await this.options.ledger.append(async (_tx, appender) => {
          for (const content of results) {
            appender.append(prepareRecord(MEDIA_RECORD, newRecordId(), canonicalBytes(content)));
          }
        });
      }
      // Recorded, then moved on: a crash between the two fetches the page again (a second record of the
      // same bytes) rather than losing it. A second process that read the same page stops here.
      await storage.setMetaIfEquals(MEDIA_STATE_KEY, state, JSON.stringify({ through: last }));
      for (const r of results) {
        if (r.outcome === 'fetched') report.fetched++;
        else report.failed++;
      }
    }
  }

  private async fetchOne(job: {
    content: MessageContent;
    index: number;
    id: string;
    source: MediaSource;
    ref: MediaRef;
  }): Promise<MediaRecordContent> {
    const { content, ref, source } = job;
    const channel = isCapturedRaw(content.raw) ? content.raw.channel : source.connector;
    const base = {
      message: {
        id: job.id,
        index: job.index,
        platform: content.platform,
        conversationId: content.conversationId,
        platformMessageId: content.platformMessageId ?? null,
      },
      connector: source.connector,
      channel,
      mediaId: ref.id.slice(0, 2048),
    };
    const delays = this.options.retryDelaysMs ?? [1000, 5000, 30_000];
    let lastError = '';
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await sleep(delays[attempt - 1]!);
      try {
        const fetched = await source.fetch(ref, channel, {
          maxBytes: this.options.blobs.maxBytes,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
        });
        const sha256 = sha256Hex(fetched.bytes);
        await this.options.blobs.put(sha256, fetched.bytes);
        return {
          ...base,
          outcome: 'fetched',
          attachment: {
            filename: fetched.filename.slice(0, 1024),
            contentType: fetched.contentType.slice(0, 255),
            sha256,
            size: fetched.bytes.length,
          },
          attempts: attempt + 1,
        };
      } catch (error) {
        lastError = error instanceof Error ? error.message.slice(0, 500) : 'failed';
        // Over the size limit, or no credentials: trying again cannot help.
        if (/over the attachment limit|is configured/.test(lastError)) {
          return this.failed(base, lastError, attempt + 1, content.platform);
        }
      }
    }
    return this.failed(base, lastError, delays.length + 1, content.platform);
  }

  private failed(
    base: Omit<MediaRecordContent, 'outcome' | 'attempts'>,
    error: string,
    attempts: number,
    platform: Platform,
  ): MediaRecordContent {
    this.options.channels.fetchFailed(base.channel, platform, Date.now());
    return { ...base, outcome: 'failed', error, attempts };
  }
}

/** Media records in ledger order, for showing a message's attachments. */
export async function mediaRecords(records: RecordsByType, afterIndex = -1): Promise<MediaRecordContent[]> {
  const out: MediaRecordContent[] = [];
  for (let after = afterIndex; ; ) {
    const page = await records.recordsOfType(MEDIA_RECORD, after, RECORDS_PER_READ);
    if (page.length === 0) return out;
    for (const r of page) {
      if (r.content !== null) out.push(JSON.parse(r.content.toString('utf8')) as MediaRecordContent);
    }
    after = page[page.length - 1]!.index;
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
