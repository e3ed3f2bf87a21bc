/** `steno directory` and selection by client or staff, as child processes on a real store (STENO_TEST_DB). */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';

const STAFF = `employee_id,name,desk,supervisor_id,handles
E1,Wong Ka Ho,HK Equities,,whatsapp:+852 9876 5432|slack:U200
E2,Lee Mei,HK Equities,E1,whatsapp:+85291112222
`;
const CLIENTS = `client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed
C1,Chan Tai Man,ACC-001|ACC-002,whatsapp:+852 9123 4567,2026-03-01,E1,video call and ID check,ack-C1.pdf,true
C2,"Ho, Siu Ling",ACC-003,whatsapp:+85290001111,2026-03-02,E2,in branch,ack-C2.pdf,false
`;

type Hit = {
  content: { text: string };
  resolved: { sender: { kind: string; id: string } | null; flags: string[] };
};

describe(`steno directory on ${TEST_DB}`, () => {
  let backend: TestBackend;
  const steno = (...args: string[]) => runSteno(args, backend.env);
  const file = async (name: string, text: string) => {
    const path = join(backend.dataDir, name);
    await writeFile(path, text);
    return path;
  };
  const search = async (...args: string[]) => JSON.parse((await steno('search', ...args, '--json')).stdout) as Hit[];

  beforeAll(async () => {
    backend = await createTestBackend();
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('imports staff and clients as ledger records, idempotently, and exports them again', async () => {
    const staff = await steno('directory', 'import', 'staff', await file('staff.csv', STAFF), '--json');
    expect(staff.stderr).toBe('');
    expect(JSON.parse(staff.stdout)).toMatchObject({ changed: 2, unchanged: 0 });
    const clients = await steno('directory', 'import', 'clients', await file('clients.csv', CLIENTS), '--json');
    expect(JSON.parse(clients.stdout)).toMatchObject({ changed: 2, unchanged: 0 });
    const again = await steno('directory', 'import', 'clients', await file('clients.csv', CLIENTS), '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: 0, unchanged: 2 });

    const exported = await steno('directory', 'export', 'clients');
    expect(exported.stdout).toBe(
      'client_id,name,accounts,handles,verified_at,verified_by,verification_method,acknowledgement,im_instructed\r\n' +
        'C1,Chan Tai Man,ACC-001|ACC-002,whatsapp:+85291234567,2026-03-01,E1,video call and ID check,ack-C1.pdf,true\r\n' +
        'C2,"Ho, Siu Ling",ACC-003,whatsapp:+85290001111,2026-03-02,E2,in branch,ack-C2.pdf,false\r\n',
    );
    // An export imports back as it is: nothing changes.
    const roundTrip = await steno(
      'directory',
      'import',
      'clients',
      await file('export.csv', exported.stdout),
      '--json',
    );
    expect(JSON.parse(roundTrip.stdout)).toMatchObject({ changed: 0, unchanged: 2 });
    // Four directory records in the ledger, all verified.
    const verified = await steno('verify');
    expect(verified.stdout).toContain('OK: 4 record(s)');
  });

  it('refuses a file with bad rows, naming each line, and stores nothing', async () => {
    const bad = `${CLIENTS.trim()}\nC3,New Client,,whatsapp:12345,,,,,\nC1,Duplicate,,,,,,,\n`;
    const result = await steno('directory', 'import', 'clients', await file('bad.csv', bad));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 4.handles: "12345" is not a phone number in international form');
    expect(result.stderr).toContain('line 5.client_id: repeats the id on line 2');
    expect(result.stderr).toContain('nothing was stored');
    expect((await steno('directory', 'export', 'clients')).stdout).not.toContain('New Client');

    // Usage mistakes are refused with what to give, and change nothing.
    const badHandle = await steno('directory', 'resolve', 'fax:123');
    expect(badHandle.code).toBe(2);
    expect(badHandle.stderr).toContain('"fax" is not a platform');
    const badDate = await steno('directory', 'resolve', 'whatsapp:+85291234567', '--at', 'yesterday');
    expect(badDate.stderr).toContain('--at: "yesterday" is not an ISO 8601 date');
    expect((await steno('directory', 'import', 'partners', 'x.csv')).code).toBe(2);
    expect((await steno('directory', 'import', 'staff', join(backend.dataDir, 'missing.csv'))).code).toBe(2);
    expect((await steno('directory', 'export', 'clients')).stdout).toContain('Chan Tai Man');
  });

  it('resolves senders as of when they wrote, selects by client or staff, and marks unregistered senders', async () => {
    const chat = [
      '01/04/2026, 09:00 - +852 9123 4567: Buy 2000 HSBC at market',
      '01/04/2026, 09:01 - +852 9876 5432: Noted, buying 2000 HSBC',
      '01/04/2026, 09:02 - +852 6000 0000: also buy 500 0700 for my account',
    ].join('\n');
    const imported = await steno(
      'import',
      'whatsapp',
      await file('WhatsApp Chat with Chan Tai Man.txt', chat),
      '--tz',
      'Asia/Hong_Kong',
      '--account',
      '+852 9876 5432',
    );
    expect(imported.stderr).toBe('');
    const all = await search('buy OR buying');
    const bySender = Object.fromEntries(all.map((h) => [h.content.text.slice(0, 10), h.resolved]));
    expect(bySender['Buy 2000 H']).toEqual({
      sender: { kind: 'client', id: 'C1', name: 'Chan Tai Man' },
      recipients: [],
      flags: [],
    });
    expect(bySender['Noted, buy']?.sender).toMatchObject({ kind: 'staff', id: 'E1' });
    expect(bySender['also buy 5']).toEqual({ sender: null, recipients: [], flags: ['unregistered-sender'] });

    expect((await search('buy', '--client', 'C1')).map((h) => h.content.text)).toEqual(['Buy 2000 HSBC at market']);
    expect((await search('buy OR buying', '--staff', 'E1')).map((h) => h.content.text)).toEqual([
      'Noted, buying 2000 HSBC',
    ]);
    expect(await search('buy', '--client', 'C2')).toEqual([]);
    const unknown = await steno('search', 'buy', '--client', 'C404');
    expect(unknown.stderr).toContain('no client C404 in the directory');

    // A group chat exported without --account: staff write in it, so a stranger in it is flagged too.
    const group = [
      '02/04/2026, 10:00 - +852 9111 2222: Morning all, HSBC results today',
      '02/04/2026, 10:05 - +852 6111 1111: can you sell my 0700 position',
    ].join('\n');
    const groupFile = await file('WhatsApp Chat with Desk Group.txt', group);
    expect((await steno('import', 'whatsapp', groupFile, '--tz', 'Asia/Hong_Kong')).code).toBe(0);
    const [stranger] = await search('sell', '--conversation', 'whatsapp-export:Desk Group');
    expect(stranger!.resolved).toEqual({ sender: null, recipients: [], flags: ['unregistered-sender'] });

    // An evidence package for one client holds that client's messages only.
    const out = join(backend.dataDir, 'package-C1');
    const exported = await steno('export', '--out', out, '--client', 'C1', '--json');
    expect(exported.stderr).toBe('');
    expect(JSON.parse(exported.stdout)).toMatchObject({ records: 1 });
    expect(await readFile(join(out, 'content.jsonl'), 'utf8')).toContain('Buy 2000 HSBC at market');

    // C1's number passes to C2: C1's older message stays C1's.
    const moved = CLIENTS.replace('whatsapp:+852 9123 4567', '').replace(
      'whatsapp:+85290001111',
      'whatsapp:+85291234567',
    );
    expect((await steno('directory', 'import', 'clients', await file('moved.csv', moved))).code).toBe(0);
    expect((await search('buy', '--client', 'C1')).map((h) => h.content.text)).toEqual(['Buy 2000 HSBC at market']);
    expect(await search('buy', '--client', 'C2')).toEqual([]);
    const now = JSON.parse((await steno('directory', 'resolve', 'whatsapp:+85291234567', '--json')).stdout);
    expect(now.party).toMatchObject({ kind: 'client', id: 'C2' });
    const then = JSON.parse(
      (await steno('directory', 'resolve', 'whatsapp:+85291234567', '--at', '2026-04-01T09:00:00+08:00', '--json'))
        .stdout,
    );
    expect(then.party).toMatchObject({ kind: 'client', id: 'C1' });
  });
});
