/**
 * Media captured after its message (a WhatsApp image fetched from the platform, say) is a `media`
 * record of its own that names the message. The console shows it on the message: this keeps, in
 * memory, which media records name which message, brought up to date with the records appended since
 * it last looked (by this process or another).
 */
import { MEDIA_RECORD, type MediaRecordContent } from '../capture/media/fetcher.js';
import type { AttachmentRef } from '../capture/model.js';
import type { RecordsByType } from '../ledger/content.js';

/** What the conversation view shows of a media record. */
export interface MessageMedia {
  /** The media record's ledger index. */
  leafIndex: number;
  outcome: MediaRecordContent['outcome'];
  attachment: AttachmentRef | null;
  error: string | null;
}

const PAGE = 10_000;

export class MediaLookup {
  private readonly byMessage = new Map<number, MessageMedia[]>();
  private applied = -1;
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly records: RecordsByType) {}

  /** The media of each of these messages (by ledger index) that has any. */
  async forMessages(indexes: readonly number[]): Promise<Map<number, MessageMedia[]>> {
    this.loading = this.loading.catch(() => undefined).then(() => this.catchUp());
    await this.loading;
    const out = new Map<number, MessageMedia[]>();
    for (const index of indexes) {
      const media = this.byMessage.get(index);
      if (media !== undefined) out.set(index, media);
    }
    return out;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.records.recordsOfType(MEDIA_RECORD, this.applied, PAGE);
      for (const record of page) {
        this.applied = record.index;
        if (record.content === null) continue; // shredded at the end of its retention
        const content = JSON.parse(record.content.toString('utf8')) as MediaRecordContent;
        const list = this.byMessage.get(content.message.index) ?? [];
        list.push({
          leafIndex: record.index,
          outcome: content.outcome,
          attachment: content.attachment ?? null,
          error: content.error ?? null,
        });
        this.byMessage.set(content.message.index, list);
      }
      if (page.length < PAGE) return;
    }
  }
}
