/**
 * A Slack workspace export (the zip from "Export data"): users.json for names; channels.json,
 * groups.json (private channels), mpims.json (group DMs) and dms.json for conversations; a folder per
 * conversation (named as the conversation, or by id for DMs) of day files `YYYY-MM-DD.json`, each an
 * array of messages. Slack's `ts` is the message id within its conversation; threads, edits, bot
 * messages, file shares and tombstones keep their fields in `raw`. File bytes are stored when the zip
 * holds them under `__uploads/<file id>/<name>` (as some export tools write them).
 */
import { StenoError } from '../../../core/errors.js';
import {
  type ChatExport,
  contentTypeOf,
  type DryRunMessage,
  type ExportedFile,
  type ImportedMessage,
} from '../importer.js';
import { JsonPicker } from '../json-stream.js';
import { readTextChunks } from '../text-lines.js';
import type { TimeZone } from '../time-zone.js';
import { ZipArchive } from '../zip.js';

export interface SlackImportOptions {
  file: string;
  zone: TimeZone;
  account?: string;
  importId?: string;
}

type Json = Record<string, unknown>;

interface Conversation {
  id: string;
  name: string;
  kind: 'channel' | 'group' | 'mpim' | 'dm';
  members: string[];
}

const METADATA: [file: string, kind: Conversation['kind']][] = [
  ['channels.json', 'channel'],
  ['groups.json', 'group'],
  ['mpims.json', 'mpim'],
  ['dms.json', 'dm'],
];
const DAY_FILE = /^([^/]+)\/(\d{4}-\d\d-\d\d)\.json$/;
/** Subtypes that are Slack's own notices rather than something a person wrote. */
const SYSTEM_SUBTYPES = new Set([
  'channel_join',
  'channel_leave',
  'channel_topic',
  'channel_purpose',
  'channel_name',
  'channel_archive',
  'channel_unarchive',
  'group_join',
  'group_leave',
  'group_topic',
  'group_purpose',
  'group_name',
  'pinned_item',
  'unpinned_item',
]);

export class SlackExport implements ChatExport {
  readonly format = 'slack';
  private zip: ZipArchive | null = null;
  private readonly users = new Map<string, string>();
  /** Conversations by the folder their day files are in. */
  private readonly byFolder = new Map<string, Conversation>();
  private dayFiles: { folder: string; name: string }[] = [];

  constructor(private readonly options: SlackImportOptions) {}

  conversations(): string[] {
    return [...new Set(this.dayFiles.map((d) => this.conversationOf(d.folder).id))].map((id) => `slack:${id}`);
  }

  private conversationOf(folder: string): Conversation {
    return this.byFolder.get(folder) ?? { id: `export:${folder}`, name: folder, kind: 'channel', members: [] };
  }

  /** Every value of a JSON array entry, streamed. */
  private async *arrayOf(name: string): AsyncGenerator<unknown> {
    const zip = this.zip!;
    const what = `${this.options.file}: ${name}`;
    const picker = new JsonPicker(
      (p) => p === '$[]',
      () => false,
      what,
    );
    let isArray: boolean | null = null;
    for await (const text of readTextChunks(() => zip.stream(name), what)) {
      if (isArray === null && text.trim() !== '') {
        isArray = text.trimStart().startsWith('[');
        if (!isArray) throw new StenoError('invalid_input', `${what} is not a JSON array`);
      }
      for (const picked of picker.push(text)) yield picked.value;
    }
    picker.end();
  }

  async check(): Promise<void> {
    this.zip ??= await ZipArchive.open(this.options.file, this.options.file);
    const zip = this.zip;
    const present = METADATA.filter(([file]) => zip.has(file));
    if (!zip.has('users.json') || present.length === 0) {
      throw new StenoError(
        'invalid_input',
        `${this.options.file} is not a Slack export: it needs users.json and channels.json (or groups, mpims, dms)`,
      );
    }
    for await (const user of this.arrayOf('users.json')) {
      const u = user as Json;
      if (typeof u?.id !== 'string') continue;
      const profile = (u.profile ?? {}) as Json;
      const name = [profile.display_name, u.real_name, profile.real_name, u.name].find(
        (n): n is string => typeof n === 'string' && n !== '',
      );
      this.users.set(u.id, name ?? u.id);
    }
    for (const [file, kind] of present) {
      for await (const value of this.arrayOf(file)) {
        const c = value as Json;
        if (typeof c?.id !== 'string') continue;
        const name = typeof c.name === 'string' && c.name !== '' ? c.name : c.id;
        const members = Array.isArray(c.members) ? c.members.filter((m): m is string => typeof m === 'string') : [];
        this.byFolder.set(kind === 'dm' ? c.id : name, { id: c.id, name, kind, members });
      }
    }
    this.dayFiles = zip
      .entries()
      .map((e) => DAY_FILE.exec(e.name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ folder: m[1]!, name: m[0] }))
      .sort((a, b) => (a.folder === b.folder ? a.name.localeCompare(b.name) : a.folder.localeCompare(b.folder)));
    if (this.dayFiles.length === 0) {
      throw new StenoError(
        'invalid_input',
        `${this.options.file}: a Slack export with no day files (folder/YYYY-MM-DD.json)`,
      );
    }
    // Every day file is read once here, so that a truncated or malformed one stops the import before
    // anything is stored.
    for (const day of this.dayFiles) {
      let index = 0;
      for await (const value of this.arrayOf(day.name)) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new StenoError('invalid_input', `${this.options.file}: ${day.name}[${index}] is not a message object`);
        }
        index++;
      }
    }
  }

  async *messages(): AsyncGenerator<ImportedMessage> {
    if (this.zip === null) throw new Error('check() the export before reading its messages');
    for (const day of this.dayFiles) {
      let index = 0;
      for await (const value of this.arrayOf(day.name)) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new StenoError('invalid_input', `${this.options.file}: ${day.name}[${index}] is not a message object`);
        }
        yield this.convert(value as Json, this.conversationOf(day.folder), `${day.name}[${index}]`);
        index++;
      }
    }
  }

  private nameOf(m: Json): string | null {
    if (typeof m.user === 'string') return this.users.get(m.user) ?? m.user;
    const profile = m.user_profile as Json | undefined;
    if (typeof profile?.real_name === 'string') return profile.real_name;
    if (typeof m.username === 'string') return m.username;
    if (typeof m.bot_id === 'string') return m.bot_id;
    return null;
  }

  private files(m: Json): { named: string[]; files: ExportedFile[] } {
    const list = Array.isArray(m.files) ? (m.files as Json[]) : [];
    const named: string[] = [];
    const files: ExportedFile[] = [];
    for (const f of list) {
      const name = typeof f?.name === 'string' ? f.name : typeof f?.title === 'string' ? f.title : null;
      if (name === null) continue;
      named.push(name);
      const entry = typeof f.id === 'string' ? `__uploads/${f.id}/${name}` : null;
      const zip = this.zip!;
      if (entry !== null && zip.has(entry)) {
        files.push({
          filename: name,
          contentType: typeof f.mimetype === 'string' ? f.mimetype : contentTypeOf(name),
          size: zip.sizeOf(entry),
          read: () => zip.read(entry),
        });
      }
    }
    return { named, files };
  }

  private convert(m: Json, c: Conversation, where: string): ImportedMessage {
    const ts = typeof m.ts === 'string' ? m.ts : null;
    const seconds = ts === null ? Number.NaN : Number(ts);
    if (ts === null || !Number.isFinite(seconds)) {
      throw new StenoError('invalid_input', `${this.options.file}: ${where} has no ts (Slack's timestamp)`);
    }
    const sentAt = this.options.zone.instantToIso(Math.round(seconds * 1000));
    const subtype = typeof m.subtype === 'string' ? m.subtype : null;
    const kind: DryRunMessage['kind'] =
      subtype === 'tombstone' || subtype === 'message_deleted'
        ? 'delete'
        : subtype !== null && SYSTEM_SUBTYPES.has(subtype)
          ? 'system'
          : 'message';
    const senderId = typeof m.user === 'string' ? m.user : typeof m.bot_id === 'string' ? m.bot_id : 'slack:system';
    const name = this.nameOf(m);
    const text = typeof m.text === 'string' ? m.text : '';
    const edited = typeof m.edited === 'object' && m.edited !== null;
    const { named, files } = this.files(m);
    const conversationId = `slack:${c.id}`;
    const recipients =
      c.kind === 'dm' || c.kind === 'mpim' ? c.members.filter((u) => u !== senderId).slice(0, 5000) : [];
    return {
      where,
      files,
      preview: { sentAt, sender: name, text, kind, edited, attachments: named.map((filename) => ({ filename })) },
      message: {
        platform: 'slack',
        conversationId,
        conversationTitle: c.name.slice(0, 512),
        sender: senderId.slice(0, 512),
        ...(name === null ? {} : { senderName: name.slice(0, 512) }),
        ...(recipients.length > 0 ? { recipients } : {}),
        sentAt,
        kind,
        platformMessageId: ts,
        ...(kind === 'delete' ? { refersTo: ts } : {}),
        ...(text === '' ? {} : { text }),
        ...(this.options.account === undefined ? {} : { account: this.options.account }),
        raw: {
          source: 'slack-export',
          ...(this.options.importId === undefined ? {} : { import: this.options.importId }),
          conversation: { id: c.id, name: c.name, kind: c.kind },
          message: m,
        },
      },
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.zip?.[Symbol.asyncDispose]();
  }
}
