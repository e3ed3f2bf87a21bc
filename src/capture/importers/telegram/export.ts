/**
 * Telegram Desktop's JSON export (`result.json`): one chat (`{name, type, id, messages}`) or a full
 * export (`{chats: {list: [...]}, left_chats: {list: [...]}}`), streamed (json-stream.ts), never held.
 * Messages keep Telegram's ids; text is a string or an array of strings and entities; `date_unixtime`
 * is the instant (`date` is the exporting machine's wall time, used only where the instant is
 * missing); media files sit beside the JSON under the paths the messages give.
 */
import { lstat, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { StenoError } from '../../../core/errors.js';
import { DerivedKeys } from '../derived-key.js';
import {
  type ChatExport,
  contentTypeOf,
  type DryRunMessage,
  type ExportedFile,
  type ImportedMessage,
} from '../importer.js';
import { JsonPicker, type PickedValue } from '../json-stream.js';
import { fileBytes, readTextChunks } from '../text-lines.js';
import type { TimeZone } from '../time-zone.js';

export interface TelegramImportOptions {
  file: string;
  zone: TimeZone;
  account?: string;
  importId?: string;
}

const MESSAGE_PATH = /^\$(?:\.(?:chats|left_chats)\.list\[\])?\.messages\[\]$/;
const CHAT_FIELD = /^\$(?:\.(?:chats|left_chats)\.list\[\])?\.(?:name|type|id)$/;
const SYSTEM_SENDER = 'telegram:system';
/** Telegram writes this in place of a file the export was told to leave out. */
const NOT_INCLUDED = /^\(File (?:not included|exceeds maximum size)/;

type Json = Record<string, unknown>;

interface Chat {
  id: string | null;
  name: string | null;
  type: string | null;
}

/** The text of a message: a string, or an array of strings and `{type, text}` entities. */
export function flattenText(text: unknown): string {
  if (typeof text === 'string') return text;
  if (!Array.isArray(text)) return '';
  return text
    .map((part) => (typeof part === 'string' ? part : typeof part?.text === 'string' ? (part.text as string) : ''))
    .join('');
}

/** A media file's name: the one Telegram recorded for a document, else the last part of its path. */
function filenameOf(m: Json, path: string): string {
  return path === m.file && typeof m.file_name === 'string' ? m.file_name : path.split(/[/\\]/).at(-1)!;
}

function chatOf(picked: PickedValue): Chat {
  const field = (name: string): unknown => {
    for (const [path, value] of picked.scalars) if (path.endsWith(`.${name}`)) return value;
    return undefined;
  };
  const id = field('id');
  const name = field('name');
  const type = field('type');
  return {
    id: typeof id === 'number' || typeof id === 'string' ? String(id) : null,
    name: typeof name === 'string' ? name : null,
    type: typeof type === 'string' ? type : null,
  };
}

export class TelegramExport implements ChatExport {
  readonly format = 'telegram';
  private readonly root: string;
  private readonly chats = new Set<string>();
  private checked = false;

  constructor(private readonly options: TelegramImportOptions) {
    this.root = dirname(resolve(options.file));
  }

  conversations(): string[] {
    return [...this.chats];
  }

  private async *picked(): AsyncGenerator<PickedValue> {
    const picker = new JsonPicker(
      (p) => MESSAGE_PATH.test(p),
      (p) => CHAT_FIELD.test(p),
      this.options.file,
    );
    for await (const text of readTextChunks(fileBytes(this.options.file), this.options.file)) {
      yield* picker.push(text);
    }
    picker.end();
  }

  async check(): Promise<void> {
    let count = 0;
    for await (const picked of this.picked()) {
      count++;
      if (typeof picked.value !== 'object' || picked.value === null || Array.isArray(picked.value)) {
        throw new StenoError('invalid_input', `${this.options.file}: message ${count} is not a JSON object`);
      }
      for (const path of this.mediaPaths(picked.value as Json)) await this.checkMediaPath(path);
    }
    if (count === 0) {
      throw new StenoError(
        'invalid_input',
        `${this.options.file} is not a Telegram Desktop export: it holds no messages (messages or chats.list[].messages)`,
      );
    }
    this.checked = true;
  }

  async *messages(): AsyncGenerator<ImportedMessage> {
    if (!this.checked) throw new Error('check() the export before reading its messages');
    const keys = new DerivedKeys('tg-export:');
    let position = 0;
    for await (const picked of this.picked()) {
      position++;
      yield await this.convert(picked.value as Json, chatOf(picked), position, keys);
    }
  }

  private mediaPaths(m: Json): string[] {
    return ['photo', 'file']
      .map((k) => m[k])
      .filter((v): v is string => typeof v === 'string' && v !== '' && !NOT_INCLUDED.test(v));
  }

  /** A media path must stay inside the export's folder: `../` or an absolute path is refused. */
  private async checkMediaPath(path: string): Promise<void> {
    const full = resolve(this.root, path);
    const inside = relative(this.root, full);
    if (isAbsolute(path) || inside.startsWith(`..${sep}`) || inside === '..' || path.includes('\0')) {
      throw new StenoError(
        'invalid_input',
        `${this.options.file}: media path ${JSON.stringify(path)} leaves the export's folder`,
      );
    }
    try {
      if ((await lstat(full)).isSymbolicLink()) {
        throw new StenoError(
          'invalid_input',
          `${this.options.file}: media file ${JSON.stringify(path)} is a symbolic link`,
        );
      }
    } catch (error) {
      if (error instanceof StenoError) throw error;
      // Missing: the export names the file but does not hold it; the message is kept without its bytes.
    }
  }

  private async files(m: Json): Promise<ExportedFile[]> {
    const out: ExportedFile[] = [];
    for (const path of this.mediaPaths(m)) {
      const full = resolve(this.root, path);
      let size: number;
      try {
        const info = await lstat(full);
        if (!info.isFile()) continue;
        size = info.size;
      } catch {
        continue;
      }
      out.push({
        filename: filenameOf(m, path),
        contentType: typeof m.mime_type === 'string' && path === m.file ? m.mime_type : contentTypeOf(path),
        size,
        read: () => readFile(full),
      });
    }
    return out;
  }

  private async convert(m: Json, chat: Chat, position: number, keys: DerivedKeys): Promise<ImportedMessage> {
    const conversationId = chat.id !== null ? `telegram:${chat.id}` : `telegram-export:${chat.name ?? 'chat'}`;
    this.chats.add(conversationId);
    const service = m.type === 'service';
    const shown = (service ? m.actor : m.from) ?? null;
    const senderName = typeof shown === 'string' ? shown : null;
    const senderId = service ? m.actor_id : m.from_id;
    const sender = typeof senderId === 'string' && senderId !== '' ? senderId : (senderName ?? SYSTEM_SENDER);
    const unix = Number(m.date_unixtime);
    let sentAt: string;
    if (Number.isFinite(unix) && typeof m.date_unixtime === 'string' && m.date_unixtime !== '') {
      sentAt = this.options.zone.instantToIso(unix * 1000);
    } else if (typeof m.date === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(m.date)) {
      const [y, mo, d, h, mi, s] = m.date.split(/[-T:]/).map(Number) as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      sentAt = this.options.zone.toIso({ year: y, month: mo, day: d, hour: h, minute: mi, second: s });
    } else {
      throw new StenoError('invalid_input', `${this.options.file}: message ${position} has no date_unixtime or date`);
    }
    let text = flattenText(m.text);
    if (service && text === '' && typeof m.action === 'string')
      text = [m.action, m.title, m.members]
        .flat()
        .filter((x) => typeof x === 'string')
        .join(' ');
    const edited = m.edited !== undefined || m.edited_unixtime !== undefined;
    const files = await this.files(m);
    const named = this.mediaPaths(m).map((path) => filenameOf(m, path));
    const id =
      typeof m.id === 'number' || typeof m.id === 'string'
        ? `${m.id}`
        : keys.next({ conversationId, sender, wallTime: sentAt, kind: service ? 'system' : 'message', text });
    const kind = service ? 'system' : 'message';
    const preview: DryRunMessage = {
      line: position,
      sentAt,
      sender: senderName,
      text,
      kind,
      edited,
      attachments: named.map((filename) => ({ filename })),
    };
    return {
      where: `messages[${position - 1}]`,
      preview,
      files,
      message: {
        platform: 'telegram',
        conversationId: conversationId.slice(0, 512),
        ...(chat.name === null ? {} : { conversationTitle: chat.name.slice(0, 512) }),
        sender: sender.slice(0, 512),
        ...(senderName === null ? {} : { senderName: senderName.slice(0, 512) }),
        sentAt,
        kind,
        platformMessageId: id.slice(0, 512),
        ...(text === '' ? {} : { text }),
        ...(this.options.account === undefined ? {} : { account: this.options.account }),
        raw: {
          source: 'telegram-export',
          ...(this.options.importId === undefined ? {} : { import: this.options.importId }),
          chat,
          message: m,
        },
      },
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {}
}
