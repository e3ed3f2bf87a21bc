/**
 * A folder as a ZIP archive (PKWARE APPNOTE 6.3.10), entries stored uncompressed: an evidence package
 * is mostly hashes and already-compressed attachments, and stored entries let any unzip tool, however
 * old, give back the exact bytes the manifest's hashes name. No ZIP64: archives stop at 4 GiB and
 * 65,535 entries; a larger package is written to a folder with `steno export` instead.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { StenoError } from '../core/errors.js';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
/** Version 2.0 needed; bit 11: names are UTF-8. */
const VERSION = 20;
const UTF8_NAMES = 0x0800;
const MAX_BYTES = 0xffff_ffff;
const MAX_ENTRIES = 0xffff;

interface Entry {
  name: string;
  path: string;
  size: number;
}

/** The files under `dir`, sorted by name, each with its path in the archive (`/`-separated). */
async function listFiles(dir: string, prefix = ''): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const item of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, item.name);
    const name = prefix === '' ? item.name : `${prefix}/${item.name}`;
    if (item.isDirectory()) out.push(...(await listFiles(path, name)));
    else if (item.isFile()) out.push({ name, path, size: (await stat(path)).size });
  }
  return out;
}

/** The archive's size, or a too_large error, before any byte is sent. */
export async function zipPlan(dir: string): Promise<{ entries: Entry[]; bytes: number }> {
  const entries = await listFiles(dir);
  let bytes = 22;
  for (const e of entries) bytes += 30 + 46 + 2 * Buffer.byteLength(e.name) + e.size;
  if (entries.length > MAX_ENTRIES || bytes > MAX_BYTES) {
    throw new StenoError(
      'too_large',
      'the package is over 4 GiB or 65,535 files: narrow the selection, or write it with `steno export --out DIR`',
    );
  }
  return { entries, bytes };
}

/** Yields the archive a piece at a time; each file is read once, when its turn comes. */
export async function* zipFolder(plan: { entries: Entry[] }, modified = new Date()): AsyncGenerator<Buffer> {
  const { time, date } = dosDateTime(modified);
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of plan.entries) {
    const data = await readFile(entry.path);
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL_HEADER, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(VERSION, 6);
    header.writeUInt16LE(UTF8_NAMES, 8);
    header.writeUInt16LE(0, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(date, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(data.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    yield Buffer.concat([local, name]);
    yield data;
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL, 0);
  end.writeUInt16LE(plan.entries.length, 8);
  end.writeUInt16LE(plan.entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  yield Buffer.concat([directory, end]);
}

/** MS-DOS date and time fields, in UTC: the archive reads the same wherever it is opened. */
function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.max(1980, at.getUTCFullYear());
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}
