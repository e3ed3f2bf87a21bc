/**
 * Acknowledged means durable: the server is killed with SIGKILL at random moments while four clients
 * ingest; after each restart every acknowledged message is present exactly once, and the ledger verifies.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBackend, rawQuery, TEST_DB, type TestBackend } from './support/backend.js';
import { runSteno } from './support/cli.js';
import { message } from './support/messages.js';
import { killHard, startServer } from './support/server.js';

const ROUNDS = 4;
const CLIENTS = 4;
const BATCH = 20;

describe(`crash safety on ${TEST_DB}`, () => {
  let backend: TestBackend;

  beforeAll(async () => {
    backend = await createTestBackend();
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('loses no acknowledged message across repeated SIGKILLs', async () => {
    const acknowledged = new Set<string>();
    let seq = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServer(backend.env);
      const token = (await readFile(join(backend.dataDir, 'initial-ingest-token.txt'), 'utf8')).trim();
      let stop = false;
      const client = async () => {
        while (!stop) {
          const ids = Array.from({ length: BATCH }, () => `crash-${seq++}`);
          try {
            const res = await fetch(`${server.base}/api/v1/messages`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify(
                ids.map((id) => message({ conversationId: 'crash', platformMessageId: id, text: `order ${id}` })),
              ),
            });
            if (res.status === 201 || res.status === 200) for (const id of ids) acknowledged.add(id);
            else if (res.status < 500) throw new Error(`unexpected ${res.status}: ${await res.text()}`);
          } catch (error) {
            if (!stop) await new Promise((r) => setTimeout(r, 5));
            if ((error as Error).message.startsWith('unexpected')) throw error;
          }
        }
      };
      const clients = Array.from({ length: CLIENTS }, client);
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
      await killHard(server);
      stop = true;
      await Promise.all(clients);
    }
    expect(acknowledged.size).toBeGreaterThan(0);

    // Restart once more so recovery runs, then check the store.
    const server = await startServer(backend.env);
    await killHard(server);
    const rows = await rawQuery<{ platform_message_id: string }>(
      backend,
      "SELECT platform_message_id FROM messages WHERE conversation_id = 'crash'",
    );
    const stored = rows.map((r) => r.platform_message_id);
    expect(new Set(stored).size).toBe(stored.length);
    const storedSet = new Set(stored);
    const lost = [...acknowledged].filter((id) => !storedSet.has(id));
    expect(lost).toEqual([]);

    const verify = await runSteno(['verify'], backend.env);
    expect(verify.stdout).toContain('OK:');
    expect(verify.code).toBe(0);
  });
});
