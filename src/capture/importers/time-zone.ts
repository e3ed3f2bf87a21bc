/**
 * Wall-clock times from exports (which carry no zone) placed in the IANA zone the importer was told,
 * without a time-zone library: Intl knows every zone's offsets, including daylight saving.
 */
import { StenoError } from '../../core/errors.js';

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export class TimeZone {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly name: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new StenoError('invalid_input', `unknown time zone "${name}": give an IANA name such as Asia/Hong_Kong`);
    }
  }

  /** Offsets by quarter hour: every zone changes offset on a quarter hour, and Intl is slow. */
  private readonly offsets = new Map<number, number>();

  /** The zone's offset from UTC, in minutes, at an instant. */
  private offsetAt(utcMs: number): number {
    const bucket = Math.floor(utcMs / QUARTER_HOUR_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      if (this.offsets.size >= 100_000) this.offsets.clear();
      offset = this.computeOffset(bucket * QUARTER_HOUR_MS);
      this.offsets.set(bucket, offset);
    }
    return offset;
  }

  private computeOffset(utcMs: number): number {
    const parts: Record<string, number> = {};
    for (const p of this.format.formatToParts(new Date(utcMs))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
  }

  /** An instant (ms since the epoch) as ISO 8601 in this zone, with its offset there and then. */
  instantToIso(utcMs: number): string {
    const offset = this.offsetAt(utcMs);
    const local = new Date(Math.floor(utcMs / 1000) * 1000 + offset * 60_000);
    const t = {
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      second: local.getUTCSeconds(),
    };
    return `${wallIso(t)}${formatOffset(offset)}`;
  }

  /**
   * ISO 8601 with this zone's offset. A wall time that a daylight-saving change skips or repeats takes
   * the offset in force just before the change.
   */
  toIso(t: WallTime): string {
    const wallMs = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
    // The offsets a day either side: no zone changes its offset twice within two days.
    const before = this.offsetAt(wallMs - DAY_MS);
    const after = this.offsetAt(wallMs + DAY_MS);
    const holds = (offset: number) => this.offsetAt(wallMs - offset * 60_000) === offset;
    const offset = holds(before) || !holds(after) ? before : after;
    return `${wallIso(t)}${formatOffset(offset)}`;
  }
}

const DAY_MS = 86_400_000;
const QUARTER_HOUR_MS = 900_000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The wall time itself, no zone: `2022-03-27T21:41:35`. */
export function wallIso(t: WallTime): string {
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
