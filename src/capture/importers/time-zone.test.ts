import { describe, expect, it } from 'vitest';
import { TimeZone } from './time-zone.js';

const at = (year: number, month: number, day: number, hour: number, minute = 0) => ({
  year,
  month,
  day,
  hour,
  minute,
  second: 0,
});

describe('time zones for export times', () => {
  it('gives each wall time the offset in force in the zone, daylight saving included', () => {
    expect(new TimeZone('Asia/Hong_Kong').toIso(at(2024, 2, 3, 9, 15))).toBe('2024-02-03T09:15:00+08:00');
    const london = new TimeZone('Europe/London');
    expect(london.toIso(at(2022, 3, 18, 14, 56))).toBe('2022-03-18T14:56:00+00:00');
    expect(london.toIso(at(2022, 3, 27, 21, 41))).toBe('2022-03-27T21:41:00+01:00');
    expect(new TimeZone('America/New_York').toIso(at(2024, 11, 3, 12))).toBe('2024-11-03T12:00:00-05:00');
    expect(new TimeZone('Asia/Kolkata').toIso(at(2024, 1, 1, 0))).toBe('2024-01-01T00:00:00+05:30');
    // 01:30 does not exist on the morning the clocks go forward: the offset before the change is used.
    expect(london.toIso(at(2022, 3, 27, 1, 30))).toBe('2022-03-27T01:30:00+00:00');
  });

  it('places instants in the zone with the offset in force then', () => {
    expect(new TimeZone('Asia/Hong_Kong').instantToIso(Date.UTC(2018, 11, 5, 10, 39, 10))).toBe(
      '2018-12-05T18:39:10+08:00',
    );
    expect(new TimeZone('UTC').instantToIso(1544006350_000)).toBe('2018-12-05T10:39:10+00:00');
    expect(new TimeZone('Europe/London').instantToIso(Date.UTC(2022, 2, 27, 1, 30))).toBe('2022-03-27T02:30:00+01:00');
  });

  it('refuses a zone that does not exist, saying what to give', () => {
    expect(() => new TimeZone('Hong Kong')).toThrow(/unknown time zone "Hong Kong": give an IANA name/);
  });
});
