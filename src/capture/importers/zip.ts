/**
 * Zip exports (WhatsApp with media, Slack workspaces), read as hostile input. Opening reads the
 * central directory and refuses, before a byte is inflated: too many entries, absolute paths, `..`,
 * symlinks, encrypted entries, and declared sizes over the limits (total, per entry, and compression
 * ratio — a zip bomb). Reading an entry checks the bytes against the declared size as they inflate.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { StenoError } from '../../core/errors.js';

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the entries' uncompressed sizes. */
  maxTotalBytes: number;
  maxEntryBytes: number;
  /** Uncompressed over compressed, for entries big enough for it to matter. */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 200_000,
  maxTotalBytes: 64 * 1024 ** 3,
  maxEntryBytes: 4 * 1024 ** 3,
  maxRatio: 200,
};

/** Entries smaller than this are not held to the ratio (tiny text compresses very well). */
const RATIO_FLOOR_BYTES = 1024 * 1024;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

export interface ZipEntryInfo {
  name: string;
  size: number;
}

export class ZipArchive implements AsyncDisposable {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly byName: Map<string, yauzl.Entry>,
    private readonly what: string,
  ) {}

  static async open(path: string, what: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipArchive> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.open(
        path,
        { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true, strictFileNames: false },
        (error, file) => (error ? reject(refused(what, error)) : resolve(file)),
      );
    });
    const byName = new Map<string, yauzl.Entry>();
    try {
      let total = 0;
      await new Promise<void>((resolve, reject) => {
        zip.on('error', (error: Error) => reject(refused(what, error)));
        zip.on('end', () => resolve());
        zip.on('entry', (entry: yauzl.Entry) => {
          try {
            const name = entry.fileName;
            checkName(name, what);
            const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
            if (mode === S_IFLNK) throw new StenoError('invalid_input', `${what}: entry ${name} is a symbolic link`);
            if ((entry.generalPurposeBitFlag & 0x1) !== 0) {
              throw new StenoError('invalid_input', `${what}: entry ${name} is encrypted`);
            }
            if (byName.size >= limits.maxEntries) {
              throw new StenoError('invalid_input', `${what}: more than ${limits.maxEntries} entries`);
            }
            if (entry.uncompressedSize > limits.maxEntryBytes) {
              throw new StenoError(
                'invalid_input',
                `${what}: entry ${name} would inflate to ${entry.uncompressedSize} bytes, over the ${limits.maxEntryBytes}-byte limit`,
              );
            }
            total += entry.uncompressedSize;
            if (total > limits.maxTotalBytes) {
              throw new StenoError(
                'invalid_input',
                `${what}: its entries would inflate to more than ${limits.maxTotalBytes} bytes`,
              );
            }
            if (
              entry.uncompressedSize > RATIO_FLOOR_BYTES &&
              entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)
            ) {
              throw new StenoError(
                'invalid_input',
                `${what}: entry ${name} inflates ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times, more than a real export (a zip bomb?)`,
              );
            }
            const isDirectory = name.endsWith('/') || mode === S_IFDIR;
            if (!isDirectory) {
              if (byName.has(name)) throw new StenoError('invalid_input', `${what}: entry ${name} appears twice`);
              byName.set(name, entry);
            }
            zip.readEntry();
          } catch (error) {
            reject(error);
          }
        });
        zip.readEntry();
      });
    } catch (error) {
      zip.close();
      throw error;
    }
    return new ZipArchive(zip, byName, what);
  }

  entries(): ZipEntryInfo[] {
    return [...this.byName.values()].map((e) => ({ name: e.fileName, size: e.uncompressedSize }));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Declared uncompressed size (checked against the bytes as they inflate). */
  sizeOf(name: string): number {
    return this.byName.get(name)?.uncompressedSize ?? 0;
  }

  /** The entry's bytes, streamed; the stream fails if they do not match the declared size. */
  async stream(name: string): Promise<AsyncIterable<Buffer>> {
    const entry = this.byName.get(name);
    if (entry === undefined) throw new StenoError('invalid_input', `${this.what}: no entry ${name}`);
    const stream = await new Promise<Readable>((resolve, reject) => {
      this.zip.openReadStream(entry, (error, s) => (error ? reject(refused(this.what, error)) : resolve(s)));
    });
    const what = this.what;
    return (async function* () {
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (error) {
        throw refused(`${what}: entry ${name}`, error as Error);
      }
    })();
  }

  async read(name: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.stream(name)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.zip.close();
  }
}

function checkName(name: string, what: string): void {
  const bad =
    name.startsWith('/') ||
    name.startsWith('\\') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\0') ||
    name.split(/[/\\]/).includes('..');
  if (bad) throw new StenoError('invalid_input', `${what}: entry ${JSON.stringify(name)} has an absolute path or ..`);
}

function refused(what: string, error: Error): StenoError {
  if (error instanceof StenoError) return error;
  if (/invalid relative path|absolute path/.test(error.message)) {
    return new StenoError('invalid_input', `${what}: an entry has an absolute path or .. (${error.message})`);
  }
  return new StenoError('invalid_input', `${what} is not a readable zip file: ${error.message}`, { cause: error });
}
