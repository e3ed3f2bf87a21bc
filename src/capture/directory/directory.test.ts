import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../core/csv.js';
import { isStenoError } from '../../core/errors.js';
import { Directory, directoryCsv, parseDirectoryCsv } from './directory.js';
import { e164, parseHandle } from './handles.js';

const STAFF = [
  'employee_id,name,desk,supervisor_id,handles,notes',
  'E1,Wong Ka Ho,HK Equities,,whatsapp:+852 9876 5432|slack:U200,head of desk',
  'E2,"Lee, Mei",HK Equities,E1,whatsapp:0085291112222,',
].join('\r\n');

describe('directory CSV', () => {
  it('reads RFC 4180 CSV with quotes, doubled quotes and line breaks, naming the line each record starts on', () => {
    expect(parseCsv('a,b\r\n"x, ""y""","multi\nline"\nlast,\n', 'f.csv')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, "y"', 'multi\nline'] },
      { line: 4, fields: ['last', ''] },
    ]);
    expect(() => parseCsv('a,"open', 'f.csv')).toThrow(/line 1: a quoted field is never closed/);
  });

  it('normalises phone handles to E.164 and refuses what is not a handle', () => {
    expect(e164('+852 9876 5432')).toBe('+85298765432');
    expect(e164('00852-9876-5432')).toBe('+85298765432');
    expect(e164('98765432')).toBeNull();
    expect(parseHandle('whatsapp:(+852) 9876.5432')).toEqual({ platform: 'whatsapp', handle: '+85298765432' });
    expect(parseHandle('telegram:user700000000')).toEqual({ platform: 'telegram', handle: '700000000' });
    expect(parseHandle('fax:123')).toMatch(/not a platform/);
    expect(parseHandle('whatsapp:Client Chan')).toMatch(/not a phone number/);
  });

  it('exports what a spreadsheet would run as a formula guarded, and reads it back as it was', () => {
    const directory = new Directory();
    const [entry] = parseDirectoryCsv(
      'staff',
      'employee_id,name,desk,supervisor_id,handles\nE9,"=HYPERLINK(""http://x"")",-desk,,\n',
      'staff.csv',
      directory,
    );
    directory.apply(entry!.entry, 0);
    const exported = directoryCsv(directory, 'staff');
    expect(exported).toContain(`"'=HYPERLINK(""http://x"")",'-desk`);
    const [again] = parseDirectoryCsv('staff', exported, 'export.csv', new Directory());
    expect(again!.entry).toEqual(entry!.entry);
  });

  it('checks every row and names each problem by line and column', () => {
    const entries = parseDirectoryCsv('staff', STAFF, 'staff.csv', new Directory());
    expect(entries.map((e) => e.entry)).toEqual([
      {
        kind: 'staff',
        id: 'E1',
        name: 'Wong Ka Ho',
        desk: 'HK Equities',
        supervisorId: null,
        handles: ['whatsapp:+85298765432', 'slack:U200'],
      },
      {
        kind: 'staff',
        id: 'E2',
        name: 'Lee, Mei',
        desk: 'HK Equities',
        supervisorId: 'E1',
        handles: ['whatsapp:+85291112222'],
      },
    ]);
    const bad = [
      'client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed',
      'C1,Chan Tai Man,ACC-1,whatsapp:+85291234567,2026-03-01,E9,video call,ack-1.pdf,maybe',
      'C1,,ACC-2,whatsapp:+852 9123 4567|fax:1,yesterday,,,,',
    ].join('\n');
    try {
      parseDirectoryCsv('client', bad, 'clients.csv', new Directory());
      expect.unreachable();
    } catch (error) {
      const where = ((error as { problems: { where: string }[] }).problems ?? []).map((p) => p.where);
      expect(where).toEqual([
        'line 2.verified_by',
        'line 2.im_instructed',
        'line 3.client_id',
        'line 3.name',
        'line 3.handles',
        'line 3.handles',
        'line 3.verified_at',
      ]);
    }
    expect(() => parseDirectoryCsv('staff', 'id,name\n1,x', 'staff.csv', new Directory())).toThrow(
      /line 1 must be the header/,
    );
  });

  it('throws nothing but its own error, whatever the CSV', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ab,"\n\r|:+1 '), maxLength: 60 }), (body) => {
        try {
          parseDirectoryCsv('staff', `employee_id,name,desk,supervisor_id,handles\n${body}`, 's.csv', new Directory());
        } catch (error) {
          expect(isStenoError(error)).toBe(true);
        }
      }),
    );
  });
});

describe('handle history', () => {
  const client = (id: string, handles: string[]) => ({
    kind: 'client' as const,
    id,
    name: id,
    accounts: [],
    handles,
    verifiedAt: null,
    verifiedBy: null,
    verificationMethod: null,
    acknowledgement: null,
    imInstructed: true,
  });

  it('keeps who held a handle when: a reassignment does not rewrite older messages', () => {
    const d = new Directory();
    const jan = Date.UTC(2026, 0, 1);
    const mar = Date.UTC(2026, 2, 1);
    const may = Date.UTC(2026, 4, 1);
    d.apply(client('C1', ['whatsapp:+85291234567']), jan);
    d.apply(client('C1', []), mar); // C1 gives the number up
    d.apply(client('C2', ['whatsapp:+85291234567']), may); // the carrier gives it to C2
    const who = (at: number) => d.resolve('whatsapp', '+852 9123 4567', at)?.id ?? null;
    expect(who(Date.UTC(2025, 5, 1))).toBe('C1'); // before it was registered: its first holder
    expect(who(Date.UTC(2026, 1, 1))).toBe('C1');
    expect(who(Date.UTC(2026, 3, 1))).toBeNull(); // held by no one
    expect(who(Date.UTC(2026, 5, 1))).toBe('C2');
    expect(d.handlesEverHeld('client', 'C1')).toEqual(['whatsapp:+85291234567']);
    expect(d.resolve('whatsapp', '+85200000000', may)).toBeNull();
  });
});
