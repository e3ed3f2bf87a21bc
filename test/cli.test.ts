/** The `steno` command as a child process on a real store (STENO_TEST_DB). */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSteno } from '../src/context.js';
import { sha256Hex } from '../src/core/hash.js';
import { createTestBackend, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';
import { CHAT, message } from './support/messages.js';

describe(`steno CLI on ${TEST_DB}`, () => {
  let backend: TestBackend;
  const steno = (...args: string[]) => runSteno(args, backend.env);
  const jsonl = (items: unknown[]) => `${items.map((m) => JSON.stringify(m)).join('\n')}\n`;

  beforeAll(async () => {
    backend = await createTestBackend();
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('refuses a file with a bad line, naming the line, and stores nothing', async () => {
    const file = join(backend.dataDir, 'bad.jsonl');
    // Line 4 is valid JSON and passes the schema, but holds a lone surrogate that canonical JSON refuses.
    const loneSurrogate = `${JSON.stringify(CHAT[2]).slice(0, -1)},"raw":{"a":"\\ud800"}}`;
    await writeFile(
      file,
      `${JSON.stringify(CHAT[0])}\n{"platform": "whatsapp"\n${JSON.stringify({ ...CHAT[1], sentAt: 'soon' })}\n${loneSurrogate}\n`,
    );
    const result = await steno('ingest', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 2: not valid JSON');
    expect(result.stderr).toContain('line 3.sentAt');
    expect(result.stderr).toContain('line 4: $.raw.a: string holds a lone UTF-16 surrogate');
    expect(result.stderr).toContain('nothing was stored');
    const search = await steno('search', 'hsbc', '--json');
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout)).toEqual([]);
  });

  it('imports a file, idempotently, and stores the good lines with --skip-invalid', async () => {
    const file = join(backend.dataDir, 'chat.jsonl');
    await writeFile(file, jsonl(CHAT));
    const first = await steno('ingest', file, '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ created: CHAT.length, duplicates: 0, skipped: 0 });
    if (TEST_DB === 'sqlite') {
      // Message content is on disk: readable by the user running Steno only.
      expect((await stat(join(backend.dataDir, 'steno.db'))).mode & 0o077).toBe(0);
    }
    const again = await steno('ingest', file, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, duplicates: CHAT.length });

    const mixed = join(backend.dataDir, 'mixed.jsonl');
    await writeFile(mixed, `${JSON.stringify(message({ platformMessageId: 'good-1' }))}\nnot json\n`);
    const skipped = await steno('ingest', mixed, '--skip-invalid', '--json');
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ created: 1, skipped: 1 });
  });

  it('checks a large file on worker threads, naming a bad line deep inside, and stores nothing', async () => {
    const file = join(backend.dataDir, 'large.jsonl');
    const lines = Array.from({ length: 15_000 }, (_, i) =>
      JSON.stringify(
        message({ conversationId: 'bulk', platformMessageId: `bulk-${i}`, text: `order ${i} ${'x'.repeat(200)}` }),
      ),
    );
    lines[12_345] = JSON.stringify({ ...message(), platformMessageId: 'broken', sender: '' });
    await writeFile(file, `${lines.join('\n')}\n`);
    const result = await steno('ingest', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('1 bad line(s)');
    expect(result.stderr).toContain('line 12346.sender: must not be empty');
    const search = await steno('search', 'order', '--conversation', 'bulk', '--json');
    expect(JSON.parse(search.stdout)).toEqual([]);
  });

  it('stores a large file prepared on worker threads, the same whether kept between passes or read twice', async () => {
    const attachment = Buffer.from('contract note 0700.HK');
    const linesOf = (conversationId: string) =>
      Array.from({ length: 12_000 }, (_, i) =>
        JSON.stringify(
          message({
            conversationId,
            platformMessageId: `${conversationId}-${i}`,
            text: i % 400 === 0 ? `幫我買匯豐 ${i} 股 ${'y'.repeat(200)}` : `order ${i} ${'x'.repeat(200)}`,
            ...(i % 3000 === 7
              ? {
                  attachments: [
                    { filename: `note-${i}.txt`, contentType: 'text/plain', data: attachment.toString('base64') },
                  ],
                }
              : {}),
          }),
        ),
      );
    const ingest = async (conversationId: string, env: Record<string, string> = {}) => {
      const file = join(backend.dataDir, `${conversationId}.jsonl`);
      await writeFile(file, `${linesOf(conversationId).join('\n')}\n`);
      expect((await stat(file)).size).toBeGreaterThan(4 * 1024 * 1024); // large enough for the worker pool
      const result = await runSteno(['ingest', file, '--json'], { ...backend.env, ...env });
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as { created: number; duplicates: number };
    };
    const found = async (conversationId: string) => {
      const result = await steno('search', '匯豐', '--conversation', conversationId, '--limit', '1000', '--json');
      const hits = JSON.parse(result.stdout) as { content: { platformMessageId: string; text: string } }[];
      return hits.map((h) => h.content.platformMessageId).sort();
    };
    const expected = (conversationId: string) =>
      Array.from({ length: 30 }, (_, k) => `${conversationId}-${k * 400}`).sort();

    expect(await ingest('bulk-kept')).toMatchObject({ created: 12_000, duplicates: 0 });
    // A budget of nothing: the storing pass reads and checks the file again.
    expect(await ingest('bulk-twice', { STENO_INGEST_MEMORY_BYTES: '0' })).toMatchObject({ created: 12_000 });
    expect(await found('bulk-kept')).toEqual(expected('bulk-kept'));
    expect(await found('bulk-twice')).toEqual(expected('bulk-twice'));
    // The dedup keys the workers computed recognise every message the second time.
    expect(await ingest('bulk-kept')).toMatchObject({ created: 0, duplicates: 12_000 });
    const digest = sha256Hex(attachment);
    expect(await readFile(join(backend.dataDir, 'blobs', digest.slice(0, 2), digest))).toEqual(attachment);
    const verified = await steno('verify');
    expect(verified.stdout).toContain('OK:');
    expect(verified.code).toBe(0);
  });

  it('reports usage and I/O errors with exit code 2', async () => {
    expect((await steno('ingest')).code).toBe(2);
    expect((await steno('ingest', join(backend.dataDir, 'missing.jsonl'))).code).toBe(2);
    expect((await steno('frobnicate')).code).toBe(2);
    // Names that every object has are not commands either.
    for (const name of ['toString', 'constructor', '__proto__']) {
      const result = await steno(name);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`unknown command "${name}"`);
    }
    expect((await steno('search', 'x', '--bogus-flag')).code).toBe(2);
  });

  it('searches, including Chinese, and prints hostile text harmlessly', async () => {
    const result = await steno('search', '騰訊');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('幫我買騰訊 100手 @ 380');
    expect(result.stdout).toContain('騰訊控股今日點睇？');
    const filtered = await steno('search', 'sell', '--platform', 'slack', '--json');
    const hits = JSON.parse(filtered.stdout) as { content: { text: string } }[];
    expect(hits.map((h) => h.content.text)).toEqual(['<script>alert("x")</script> & sell 5 lots']);
    const bad = await steno('search', '"unclosed');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('column');
    // Each search read the archive, and says so in the access log: by whom, what, with what filters.
    const opened = await openSteno(backend.config(), { createKey: false });
    try {
      const searches = (await opened.access.list({ action: 'search', limit: 2 })).map((e) => e.detail);
      expect(searches).toEqual([
        { q: 'sell', platform: 'slack', results: 1 },
        { q: '騰訊', results: expect.any(Number) },
      ]);
      const [latest] = await opened.access.list({ action: 'search', limit: 1 });
      expect(latest!.actor).toMatch(/^cli:/);
    } finally {
      await opened.close();
    }
  });

  it('prints the checkpoint and the verifier key', async () => {
    const key = await steno('checkpoint', '--key');
    expect(key.stdout.trim()).toMatch(/^test\.steno\.local\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/);
    const note = await steno('checkpoint');
    expect(note.stdout).toMatch(/^test\.steno\.local\/log\n\d+\n[A-Za-z0-9+/=]{44}\n\n— test\.steno\.local\/log /);
  });

  it('verifies the ledger', async () => {
    const result = await steno('verify');
    expect(result.stdout).toContain('OK:');
    expect(result.code).toBe(0);
  });

  it('exports an evidence package that verifies offline, and fails when it is altered', async () => {
    const out = join(backend.dataDir, 'package');
    const exported = await steno('export', '--out', out, '--conversation', 'conv-hk-001');
    expect(exported.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ format: 'steno-evidence/1', origin: 'test.steno.local/log', records: 7 });
    const key = (await steno('checkpoint', '--key')).stdout.trim();
    const verified = await runSteno(['verify-package', out, '--key', key], {});
    expect(verified.stdout).toContain('OK: 7 record(s)');
    expect(verified.code).toBe(0);

    const transcript = await readFile(join(out, 'transcript.html'), 'utf8');
    expect(transcript).toContain('幫我買騰訊');
    expect(transcript).not.toContain('<script>');

    const content = join(out, 'content.jsonl');
    await writeFile(content, (await readFile(content, 'utf8')).replace('Buy 2000 HSBC', 'Buy 9000 HSBC'));
    const tampered = await runSteno(['verify-package', out], {});
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('content.jsonl does not match its SHA-256');
    expect(tampered.stdout).toContain('the content was changed');

    expect((await runSteno(['verify-package', join(backend.dataDir, 'nope')], {})).code).toBe(2);
    expect((await steno('export', '--out', out)).code).toBe(1);
  });

  it('rejects a package whose transcript or lines were rewritten, even with the manifest updated to match', async () => {
    const key = (await steno('checkpoint', '--key')).stdout.trim();
    const forge = async (name: string, edit: (dir: string) => Promise<void>) => {
      const dir = join(backend.dataDir, `forged-${name}`);
      expect((await steno('export', '--out', dir, '--conversation', 'conv-hk-001')).code).toBe(0);
      await edit(dir);
      // A forger recomputes the manifest's hashes: only the proofs and the transcript check can catch it.
      const manifestPath = join(dir, 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
        files: Record<string, string>;
        records: number;
      };
      for (const file of Object.keys(manifest.files)) manifest.files[file] = sha256Hex(await readFile(join(dir, file)));
      manifest.records = (await readFile(join(dir, 'records.jsonl'), 'utf8')).trim().split('\n').length;
      await writeFile(manifestPath, JSON.stringify(manifest));
      return runSteno(['verify-package', dir, '--key', key], {});
    };
    const transcript = await forge('transcript', async (dir) => {
      const path = join(dir, 'transcript.html');
      await writeFile(path, (await readFile(path, 'utf8')).replace('100手', '900手'));
    });
    expect(transcript.code).toBe(1);
    expect(transcript.stdout).toContain('transcript.html does not show the proved records');

    const duplicated = await forge('duplicated', async (dir) => {
      for (const file of ['records.jsonl', 'proofs.jsonl']) {
        const lines = (await readFile(join(dir, file), 'utf8')).trim().split('\n');
        await writeFile(join(dir, file), `${[lines[0], ...lines].join('\n')}\n`);
      }
    });
    expect(duplicated.code).toBe(1);
    expect(duplicated.stdout).toContain('is not after the previous line');

    const ambiguous = await forge('ambiguous', async (dir) => {
      const path = join(dir, 'content.jsonl');
      await writeFile(path, (await readFile(path, 'utf8')).replace('"content":{', '"content":{"text":"sell 9000",'));
    });
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stdout).toContain('not in canonical form');
  });

  it('creates, lists and revokes tokens without ever storing the secret', async () => {
    const created = await steno('token', 'create', '--name', 'bloomberg-connector', '--json');
    expect(created.code).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expect(token).toMatch(/^steno_/);
    const listed = await steno('token', 'list', '--json');
    expect(listed.stdout).toContain('bloomberg-connector');
    expect(listed.stdout).not.toContain(token);
    expect((await steno('token', 'revoke', '--name', 'bloomberg-connector')).code).toBe(0);
    expect((await steno('token', 'create', '--name', 'bad name!')).code).toBe(1);
  });
});
