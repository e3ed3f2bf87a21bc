import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStenoError } from '../../../core/errors.js';
import { wallIso } from '../time-zone.js';
import { DateOrders, matchHeader, type WhatsAppMessage, WhatsAppParser } from './parse.js';

/** Parses lines as the driver does: a first pass for the date order, then the messages. */
function parse(text: string): WhatsAppMessage[] {
  const lines = text.split(/\r?\n/);
  const orders = new DateOrders();
  for (const line of lines) {
    const header = matchHeader(line);
    if (header !== null) orders.observe(header);
  }
  const parser = new WhatsAppParser(orders, 'chat.txt');
  const out: WhatsAppMessage[] = [];
  lines.forEach((line, i) => {
    const m = parser.push(line, i + 1);
    if (m !== null) out.push(m);
  });
  const last = parser.end();
  if (last !== null) out.push(last);
  return out;
}

const brief = (m: WhatsAppMessage) => [wallIso(m.wall), m.sender, m.kind, m.text];

describe('WhatsApp export parser', () => {
  it('reads Android exports, day first, with multi-line messages and system lines without an author', () => {
    const chat = [
      '03/02/2024, 09:15 - Messages and calls are end-to-end encrypted.',
      '03/02/2024, 09:16 - Chan Tai Man: Buy 2000 HSBC',
      'at market please',
      '',
      '13/02/2024, 10:02 - RM Wong: Noted: buy 2,000 HSBC',
      '13/02/2024, 10:03 - RM Wong added Chan Siu Ming',
    ].join('\n');
    expect(parse(chat).map(brief)).toEqual([
      ['2024-02-03T09:15:00', null, 'system', 'Messages and calls are end-to-end encrypted.'],
      ['2024-02-03T09:16:00', 'Chan Tai Man', 'message', 'Buy 2000 HSBC\nat market please\n'],
      ['2024-02-13T10:02:00', 'RM Wong', 'message', 'Noted: buy 2,000 HSBC'],
      ['2024-02-13T10:03:00', null, 'system', 'RM Wong added Chan Siu Ming'],
    ]);
  });

  it('infers month first from the whole file, and reads 12-hour times in their many spellings', () => {
    const chat = [
      '1/5/24, 9:05\u202fAM - A: one',
      '1/5/24, 12:10 p. m. - A: two',
      '1/5/24, 12:05 a.m. - A: three',
      '1/25/24, 11:59 PM - B: four',
    ].join('\n');
    expect(parse(chat).map((m) => wallIso(m.wall))).toEqual([
      '2024-01-05T09:05:00',
      '2024-01-05T12:10:00',
      '2024-01-05T00:05:00',
      '2024-01-25T23:59:00',
    ]);
  });

  it('reads iOS exports: brackets, seconds, invisible marks, system lines with an author, media and deletions', () => {
    const chat = [
      '\ufeff[3/18/22, 14:56:01] Desk Chat: \u200eMessages and calls are end-to-end encrypted.',
      '[3/27/22, 21:41:35] Client Lee: Sell 500 0700 @ 380',
      '\u200e[3/27/22, 21:41:55] Client Lee: \u200e<attached: 00000035-PHOTO-2022-03-27-21-41-55.jpg>',
      '\u200e[3/27/22, 21:42:00] Client Lee: \u200eimage omitted',
      '\u200e[3/27/22, 21:50:25] Client Lee: Contract.pdf \u2022 \u200e2 pages \u200edocument omitted',
      '[3/27/22, 21:54:45] Client Lee: \u200eThis message was deleted.',
      '[3/27/22, 21:56:45] Client Lee: \u200eLocation: https://maps.google.com/?q=22.28,114.16',
      '[3/28/22, 09:00:00] Client Lee: Make it 600 <This message was edited>',
    ].join('\r\n');
    const messages = parse(chat);
    expect(messages.map((m) => [m.kind, m.text, m.attachments.map((a) => a.filename), m.edited])).toEqual([
      ['system', 'Messages and calls are end-to-end encrypted.', [], false],
      ['message', 'Sell 500 0700 @ 380', [], false],
      ['message', '', ['00000035-PHOTO-2022-03-27-21-41-55.jpg'], false],
      ['message', '', [], false],
      ['message', '', ['Contract.pdf'], false],
      ['delete', 'This message was deleted.', [], false],
      ['message', 'Location: https://maps.google.com/?q=22.28,114.16', [], false],
      ['message', 'Make it 600', [], true],
    ]);
    expect(wallIso(messages[1]!.wall)).toBe('2022-03-27T21:41:35');
    // The lines are kept exactly as written.
    expect(messages[2]!.raw).toBe(
      '\u200e[3/27/22, 21:41:55] Client Lee: \u200e<attached: 00000035-PHOTO-2022-03-27-21-41-55.jpg>',
    );
  });

  it('reads Android media: attached files with captions, omitted media, and deleted messages', () => {
    const chat = [
      '18/03/2022, 15:10 - Client Lee: IMG-20220318-WA0001.jpg (file attached)',
      'statement for March',
      '18/03/2022, 15:11 - Client Lee: <Media omitted>',
      '18/03/2022, 15:12 - Client Lee: This message was deleted',
      '18/03/2022, 15:13 - RM Wong: You deleted this message',
    ].join('\n');
    expect(parse(chat).map((m) => [m.kind, m.text, m.attachments])).toEqual([
      ['message', 'statement for March', [{ filename: 'IMG-20220318-WA0001.jpg' }]],
      ['message', '', []],
      ['delete', 'This message was deleted', []],
      ['delete', 'You deleted this message', []],
    ]);
  });

  it('reads dotted, year-first and Buddhist-era dates, and a file that changes its date style part-way', () => {
    expect(parse('23.03.22 13:31 - A: x\n01.04.22 08:00 - A: y').map((m) => wallIso(m.wall))).toEqual([
      '2022-03-23T13:31:00',
      '2022-04-01T08:00:00',
    ]);
    expect(parse('2019/01/30, 20:49 - A: x').map((m) => wallIso(m.wall))).toEqual(['2019-01-30T20:49:00']);
    expect(parse('[3/27/2565 BE, 21:41:35] A: x').map((m) => wallIso(m.wall))).toEqual(['2022-03-27T21:41:35']);
    expect(parse('6/30/23, 16:14 - A: x\n30/6/2023, 16:15 - A: y').map((m) => wallIso(m.wall))).toEqual([
      '2023-06-30T16:14:00',
      '2023-06-30T16:15:00',
    ]);
  });

  it('refuses text that is not an export, and dates that do not exist, naming the line', () => {
    expect(() => parse('hello\n1/1/24, 10:00 - A: x')).toThrow(/line 1 does not start with a date and time/);
    expect(() => parse('\n\n')).toThrow(/not a WhatsApp chat export/);
    expect(() => parse('31/02/2024, 10:00 - A: x\n13/01/2024, 10:00 - A: y')).toThrow(/line 1 has a date or time/);
  });

  it('throws nothing but its own error, whatever the input', () => {
    const line = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc
        .tuple(fc.nat(40), fc.nat(40), fc.nat(3000), fc.nat(30), fc.nat(70), fc.string({ maxLength: 20 }))
        .map(([a, b, y, h, m, t]) => `${a}/${b}/${y}, ${h}:${m} - ${t}`),
      fc.constantFrom('[1/1/24, 10:00:00] A: \u200ex', '\u200e', '<Media omitted>', 'x (file attached)'),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        try {
          parse(lines.join('\n'));
        } catch (error) {
          expect(isStenoError(error)).toBe(true);
        }
      }),
    );
  });
});
