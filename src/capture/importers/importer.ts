/**
 * What every chat-export importer provides, and the driver that stores what they read. An importer
 * reads its export as many times as the driver asks (a 1 GB export is never held in memory): once to
 * check it, once to check every message, once to store. Nothing is stored unless the first two pass.
 */
export interface DryRunMessage {
  /** Where in the export: a line number, or a position. */
  line?: number;
  sentAt: string;
  /** As written in the export; null for a system line without one. */
  sender: string | null;
  text: string;
  kind: 'message' | 'system' | 'delete';
  edited: boolean;
  attachments: { filename: string }[];
}

/** An attachment whose bytes are in the export (a WhatsApp zip's media, a Telegram export's files). */
export interface ExportedFile {
  filename: string;
  contentType: string;
  size: number;
  read(): Promise<Buffer>;
}

export interface ImportedMessage {
  /** Names the message in errors: `line 12`, `messages[3]`. */
  where: string;
  preview: DryRunMessage;
  /** The message in the ingest format, without attachments: the driver adds those with their digests. */
  message: Record<string, unknown>;
  files: ExportedFile[];
}

export interface ChatExport extends AsyncDisposable {
  readonly format: string;
  /** Reads the whole export once; throws a StenoError on anything hostile or not of this format. */
  check(): Promise<void>;
  /** Every message, in export order. Call check() first. */
  messages(): AsyncGenerator<ImportedMessage>;
  /** The conversations the export holds (known after check()). */
  conversations(): string[];
}

/** Content types by file extension, for attachments an export names without one. */
const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  vcf: 'text/vcard',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};

export function contentTypeOf(filename: string): string {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase();
  return (ext !== undefined && CONTENT_TYPES[ext]) || 'application/octet-stream';
}
