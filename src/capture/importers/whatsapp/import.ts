/**
 * A WhatsApp text export as ingest messages. The export has no message ids, no zone on its times and
 * no phone numbers for saved contacts: ids are derived (derived-key.ts), times are placed in the zone
 * the importer names, and the sender is the name as written (also kept as senderName).
 */
import { basename } from 'node:path';
import { DerivedKeys } from '../derived-key.js';
import { type TimeZone, wallIso } from '../time-zone.js';
import type { WhatsAppMessage } from './parse.js';

export interface WhatsAppImportOptions {
  file: string;
  zone: TimeZone;
  /** The firm's own number or account the chat was exported from. */
  account?: string;
  conversationTitle?: string;
}

/** The chat's title from the file name WhatsApp gives an export (`WhatsApp Chat with Jane Doe.txt`). */
export function titleFromFileName(file: string): string {
  const name = basename(file).replace(/\.(txt|zip)$/i, '');
  return name.replace(/^WhatsApp Chat (?:with |- )/i, '').trim() || name;
}

/** Where a system line without an author is recorded as coming from. */
export const SYSTEM_SENDER = 'whatsapp:system';

export class WhatsAppConverter {
  private readonly keys = new DerivedKeys('wa-export:');
  readonly title: string;
  readonly conversationId: string;

  constructor(readonly options: WhatsAppImportOptions) {
    this.title = options.conversationTitle ?? titleFromFileName(options.file);
    this.conversationId = `whatsapp-export:${this.title}`;
  }

  /** The contract's dry-run view of a parsed message. */
  preview(m: WhatsAppMessage): Record<string, unknown> {
    return {
      line: m.line,
      sentAt: this.options.zone.toIso(m.wall),
      sender: m.sender,
      text: m.text,
      kind: m.kind,
      edited: m.edited,
      attachments: m.attachments,
    };
  }

  toIngest(m: WhatsAppMessage): Record<string, unknown> {
    const wallTime = wallIso(m.wall);
    const sender = m.sender ?? SYSTEM_SENDER;
    const id = this.keys.next({ conversationId: this.conversationId, sender, wallTime, kind: m.kind, text: m.text });
    return {
      platform: 'whatsapp',
      conversationId: this.conversationId,
      conversationTitle: this.title.slice(0, 512),
      sender: sender.slice(0, 512),
      ...(m.sender === null ? {} : { senderName: m.sender.slice(0, 512) }),
      sentAt: this.options.zone.toIso(m.wall),
      kind: m.kind,
      platformMessageId: id,
      // The export keeps no trace of what a deleted message said: the delete record stands for it.
      ...(m.kind === 'delete' ? { refersTo: id } : {}),
      ...(m.text === '' ? {} : { text: m.text }),
      ...(this.options.account === undefined ? {} : { account: this.options.account }),
      raw: {
        source: 'whatsapp-export',
        file: basename(this.options.file),
        line: m.line,
        lines: m.raw,
        wallTime,
        timeZone: this.options.zone.name,
        edited: m.edited,
        attachments: m.attachments,
      },
    };
  }
}
