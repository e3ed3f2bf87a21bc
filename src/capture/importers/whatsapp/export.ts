/**
 * A WhatsApp export (the .txt from "Export chat", or the .zip with media) as an importer. The export
 * has no message ids, no zone on its times and no phone numbers for saved contacts: ids are derived
 * (derived-key.ts), times are placed in the zone the importer names, and the sender is the name as
 * written (also kept as senderName). The text is read twice: once to infer how it writes dates (and to
 * refuse it before anything is stored), then for its messages; memory stays flat.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { StenoError } from '../../../core/errors.js';
import { DerivedKeys } from '../derived-key.js';
import {
  type ChatExport,
  contentTypeOf,
  type DryRunMessage,
  type ExportedFile,
  type ImportedMessage,
} from '../importer.js';
import { type ByteSource, fileBytes, readTextLines } from '../text-lines.js';
import { type TimeZone, wallIso } from '../time-zone.js';
import { ZipArchive } from '../zip.js';
import { DateOrders, matchHeader, type WhatsAppMessage, WhatsAppParser } from './parse.js';

export interface WhatsAppImportOptions {
  file: string;
  zone: TimeZone;
  /** The firm's own number or account the chat was exported from. */
  account?: string;
  conversationTitle?: string;
  /** The id of the ledger record of this import, which each message names in raw.import. */
  importId?: string;
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
  private readonly shownTitle: string;
  private readonly fileName: string;

  constructor(readonly options: WhatsAppImportOptions) {
    this.title = options.conversationTitle ?? titleFromFileName(options.file);
    this.conversationId = `whatsapp-export:${this.title}`;
    this.shownTitle = this.title.slice(0, 512);
    this.fileName = basename(options.file);
  }

  /** The contract's dry-run view of a parsed message. */
  preview(m: WhatsAppMessage, sentAt = this.options.zone.toIso(m.wall)): DryRunMessage {
    return {
      line: m.line,
      sentAt,
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
    // Built field by field (canonical JSON orders the keys anyway): spreads cost more than the rest.
    const raw: Record<string, unknown> = {
      source: 'whatsapp-export',
      file: this.fileName,
      line: m.line,
      lines: m.raw,
      wallTime,
      timeZone: this.options.zone.name,
      edited: m.edited,
      attachments: m.attachments,
    };
    if (this.options.importId !== undefined) raw.import = this.options.importId;
    const message: Record<string, unknown> = {
      platform: 'whatsapp',
      conversationId: this.conversationId,
      conversationTitle: this.shownTitle,
      sender: sender.slice(0, 512),
      sentAt: this.options.zone.toIso(m.wall),
      kind: m.kind,
      platformMessageId: id,
      raw,
    };
    if (m.sender !== null) message.senderName = m.sender.slice(0, 512);
    // The export keeps no trace of what a deleted message said: the delete record stands for it.
    if (m.kind === 'delete') message.refersTo = id;
    if (m.text !== '') message.text = m.text;
    if (this.options.account !== undefined) message.account = this.options.account;
    return message;
  }
}

const ZIP_MAGIC = 0x04034b50;

async function isZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32LE(0) === ZIP_MAGIC;
  } finally {
    await handle.close();
  }
}

/** The chat's text inside an export zip: `_chat.txt` (iOS) or `WhatsApp Chat with ….txt` (Android). */
function chatEntry(zip: ZipArchive, what: string): string {
  const texts = zip.entries().filter((e) => !e.name.includes('/') && e.name.toLowerCase().endsWith('.txt'));
  const chat =
    texts.find((e) => e.name === '_chat.txt') ??
    texts.find((e) => /^WhatsApp Chat/i.test(e.name)) ??
    (texts.length === 1 ? texts[0] : undefined);
  if (chat === undefined) {
    throw new StenoError(
      'invalid_input',
      `${what} is not a WhatsApp export: it holds no chat text (_chat.txt or "WhatsApp Chat with ….txt")`,
    );
  }
  return chat.name;
}

export class WhatsAppExport implements ChatExport {
  readonly format = 'whatsapp';
  private orders: DateOrders | null = null;

  private constructor(
    private readonly text: ByteSource,
    private readonly zip: ZipArchive | null,
    private readonly options: WhatsAppImportOptions,
    private readonly what: string,
  ) {}

  static async open(options: WhatsAppImportOptions): Promise<WhatsAppExport> {
    const what = options.file;
    if (!(await isZip(options.file))) return new WhatsAppExport(fileBytes(options.file), null, options, what);
    const zip = await ZipArchive.open(options.file, what);
    try {
      const name = chatEntry(zip, what);
      return new WhatsAppExport(() => zip.stream(name), zip, options, `${what}: ${name}`);
    } catch (error) {
      await zip[Symbol.asyncDispose]();
      throw error;
    }
  }

  conversations(): string[] {
    return [new WhatsAppConverter(this.options).conversationId];
  }

  async check(): Promise<void> {
    const orders = new DateOrders();
    let started = false;
    for await (const { number, text } of readTextLines(this.text, this.what)) {
      const header = matchHeader(text);
      if (header !== null) orders.observe(header, number);
      else if (!started && text.trim() !== '') {
        throw new StenoError(
          'invalid_input',
          `${this.what}: line ${number} does not start with a date and time, as every WhatsApp export does`,
        );
      }
      started ||= header !== null;
    }
    if (orders.count === 0) {
      throw new StenoError(
        'invalid_input',
        `${this.what} is not a WhatsApp chat export: no line starts with a date and time`,
      );
    }
    const impossible = orders.firstLineWithoutDate();
    if (impossible !== null) {
      throw new StenoError('invalid_input', `${this.what}: line ${impossible} has a date or time that does not exist`);
    }
    this.orders = orders;
  }

  async *messages(): AsyncGenerator<ImportedMessage> {
    if (this.orders === null) throw new Error('check() the export before reading its messages');
    const converter = new WhatsAppConverter(this.options);
    const parser = new WhatsAppParser(this.orders, this.what);
    const convert = (m: WhatsAppMessage): ImportedMessage => {
      const message = converter.toIngest(m);
      return {
        where: `line ${m.line}`,
        preview: converter.preview(m, message.sentAt as string),
        message,
        files: m.attachments.length === 0 ? [] : m.attachments.flatMap((a) => this.file(a.filename)),
      };
    };
    for await (const { number, text } of readTextLines(this.text, this.what)) {
      const m = parser.push(text, number);
      if (m !== null) yield convert(m);
    }
    const last = parser.end();
    if (last !== null) yield convert(last);
  }

  /** A named attachment whose bytes the zip holds; none for a text export or a missing file. */
  private file(filename: string): ExportedFile[] {
    const zip = this.zip;
    if (zip === null || !zip.has(filename)) return [];
    const size = zip.sizeOf(filename);
    return [{ filename, contentType: contentTypeOf(filename), size, read: () => zip.read(filename) }];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.zip?.[Symbol.asyncDispose]();
  }
}
