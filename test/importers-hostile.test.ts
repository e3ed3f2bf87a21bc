/**
 * Whatever bytes an export holds, an importer answers with its own error (a StenoError naming what is
 * wrong), never a crash or a stray exception. Real files, read as `steno import` reads them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatExport } from '../src/capture/importers/importer.js';
import { SlackExport } from '../src/capture/importers/slack/export.js';
import { TelegramExport } from '../src/capture/importers/telegram/export.js';
import { TimeZone } from '../src/capture/importers/time-zone.js';
import { WhatsAppExport } from '../src/capture/importers/whatsapp/export.js';
import { isStenoError } from '../src/core/errors.js';
import { makeZip } from './support/zip.js';

const zone = new TimeZone('Asia/Hong_Kong');

/** Opens and reads the export as an import would; an error must be Steno's own. */
async function readAll(open: () => Promise<ChatExport>): Promise<void> {
  let exp: ChatExport | undefined;
  try {
    exp = await open();
    await exp.check();
    for await (const m of exp.messages()) expect(typeof m.message).toBe('object');
  } catch (error) {
    if (!isStenoError(error)) throw error;
  } finally {
    await exp?.[Symbol.asyncDispose]();
  }
}

const TELEGRAM_FIELDS = ['id', 'type', 'date', 'date_unixtime', 'from', 'from_id', 'text', 'photo', 'file', 'actor'];

describe('importers on arbitrary input', () => {
  let dir: string;
  let n = 0;
  const file = async (name: string, bytes: Buffer | string) => {
    const path = join(dir, `${n++}-${name}`);
    await writeFile(path, bytes);
    return path;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steno-hostile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('Telegram: any JSON values as messages, and any text as the file', async () => {
    const message = fc.dictionary(fc.constantFrom(...TELEGRAM_FIELDS), fc.jsonValue({ maxDepth: 2 }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }).map((messages) => JSON.stringify({ messages })),
          fc.array(message, { maxLength: 5 }).map((messages) => JSON.stringify({ name: 'x', id: 1, messages })),
          fc.string({ maxLength: 80 }),
        ),
        async (text) => {
          const path = await file('result.json', text);
          await readAll(async () => new TelegramExport({ file: path, zone }));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('Slack: any JSON values as messages and metadata, in a zip', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
        fc.jsonValue({ maxDepth: 2 }),
        async (messages, users) => {
          const path = await file(
            'export.zip',
            makeZip([
              { name: 'users.json', data: JSON.stringify(users) },
              { name: 'channels.json', data: JSON.stringify([{ id: 'C1', name: 'desk' }]) },
              { name: 'desk/2024-01-01.json', data: JSON.stringify(messages) },
            ]),
          );
          await readAll(async () => new SlackExport({ file: path, zone }));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('WhatsApp: any bytes as the text, or inside a zip', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), fc.boolean(), async (bytes, zipped) => {
        const data = Buffer.from(bytes);
        const path = zipped
          ? await file('chat.zip', makeZip([{ name: '_chat.txt', data }]))
          : await file('chat.txt', data);
        await readAll(() => WhatsAppExport.open({ file: path, zone }));
      }),
      { numRuns: 150 },
    );
  });
});
