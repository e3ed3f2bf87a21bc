/**
 * Configuration in stages: flags and environment → validated, typed config. Secrets (the signing key,
 * token hashes) live in the data directory and the database, never in config or logs.
 */
import { readFileSync } from 'node:fs';
import { hostname, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { zodProblems } from '../capture/model.js';
import { describeProblems, StenoError } from '../core/errors.js';
import { type CaptureConfig, loadCaptureConfig } from './capture.js';

export type StoreConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema: string };

export interface Config {
  dataDir: string;
  store: StoreConfig;
  /** The log's identity in checkpoints; fixed at first start. */
  origin: string;
  /** True when STENO_ORIGIN was set: then it must match the origin the log was created with. */
  originExplicit: boolean;
  host: string;
  port: number;
  checkpointIntervalMs: number;
  maxBodyBytes: number;
  maxAttachmentBytes: number;
  /** How much of a checked file `steno ingest` keeps for its storing pass; beyond it, the file is read twice. */
  ingestMemoryBytes: number;
  /** The signed webhook's sources and each one's secrets (two while one is rotated). Never logged. */
  webhookSources: Record<string, string[]>;
  /** The platform connectors' settings and secrets. Never logged. */
  capture: CaptureConfig;
  /** Waits before each retry of a failed media fetch; their count is the number of retries. */
  mediaRetryDelaysMs: number[];
  /** Where capture buffers events between connector nodes and the ledger writer; null: in this process. */
  queue: QueueConfig | null;
  /** Marks the session cookie Secure even on plain HTTP (TLS ends at a proxy in front). */
  secureCookies: boolean;
  /** A file holding the first admin's password, read on first start instead of printing a one-time one. */
  adminPasswordFile: string | null;
  /** Proxies whose X-Forwarded-For/-Proto are believed (client address, TLS); false: none. */
  trustProxy: boolean | string[];
}

export interface QueueConfig {
  kind: 'nats';
  /** nats://host:port[,nats://…] */
  servers: string[];
  /** The JetStream stream capture publishes to (created if absent). */
  stream: string;
}

/** Every environment variable Steno reads; the README's configuration table mirrors this. */
export const ENV_VARS = {
  STENO_DATA: 'data directory (signing key, SQLite database, attachments); default ./data',
  STENO_STORE: 'sqlite (default) or postgres',
  STENO_DATABASE_URL: 'PostgreSQL connection string, e.g. postgres://postgres@127.0.0.1:5432/steno (postgres store)',
  STENO_PG_SCHEMA: 'PostgreSQL schema for Steno tables; default steno',
  STENO_ORIGIN: 'log origin in checkpoints, fixed at first start; default steno.local/<hostname>',
  STENO_HOST: 'address the server listens on; default 127.0.0.1',
  STENO_PORT: 'port the server listens on; default 8080',
  STENO_CHECKPOINT_INTERVAL_MS: 'how often a new checkpoint is signed while records arrive; default 2000',
  STENO_MAX_BODY_BYTES: 'largest accepted request body; default 33554432 (32 MiB)',
  STENO_MAX_ATTACHMENT_BYTES: 'largest accepted attachment; default 104857600 (100 MiB)',
  STENO_INGEST_MEMORY_BYTES:
    'how much of a checked file steno ingest keeps in memory for storing it (a larger file is read twice); default 1 GiB or an eighth of the memory, whichever is less',
  STENO_WEBHOOK_SECRETS_FILE:
    'a JSON file of the signed webhook\'s sources and their secrets, {"crm": ["secret", "next secret"]}; default none (the webhook refuses every request)',
  STENO_CAPTURE_FILE:
    "a JSON file of the platform connectors' settings and secrets (WhatsApp, Telegram, Slack, Matrix; see docs/capture.md); default none (no connector is served)",
  STENO_QUEUE:
    'nats://host:4222 to buffer capture in NATS JetStream between connector nodes and the ledger writer; default none (one process)',
  STENO_QUEUE_STREAM: 'the JetStream stream capture uses; default STENO_CAPTURE',
  STENO_SECURE_COOKIES:
    'true to mark the console session cookie Secure even over plain HTTP (TLS ends at a proxy in front); default false (Secure whenever the request came over TLS)',
  STENO_ADMIN_PASSWORD_FILE:
    "a file holding the first admin's password, used on first start; default none (a one-time password is printed once)",
  STENO_TRUST_PROXY:
    'the reverse proxies in front (addresses or CIDRs, comma-separated, or true for any): their X-Forwarded-For and X-Forwarded-Proto give the client address (sign-in limits, the access log) and TLS; default none',
} as const;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  STENO_DATA: z.string().min(1).default('./data'),
  STENO_STORE: z.enum(['sqlite', 'postgres']).default('sqlite'),
  STENO_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional(),
  STENO_PG_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('steno'),
  STENO_ORIGIN: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._/:-]{0,200}$/,
      'must be a URL-like name without spaces or "+" (e.g. logs.example.com/steno)',
    )
    .optional(),
  STENO_HOST: z.string().min(1).default('127.0.0.1'),
  STENO_PORT: int(0, 65535).default(8080),
  STENO_CHECKPOINT_INTERVAL_MS: int(100, 3_600_000).default(2000),
  STENO_MAX_BODY_BYTES: int(1024, 1024 ** 3).default(32 * 1024 * 1024),
  STENO_MAX_ATTACHMENT_BYTES: int(1, 10 * 1024 ** 3).default(100 * 1024 * 1024),
  STENO_INGEST_MEMORY_BYTES: int(0, 1024 ** 4).default(Math.floor(Math.min(1024 ** 3, totalmem() / 8))),
  STENO_WEBHOOK_SECRETS_FILE: z.string().min(1).optional(),
  STENO_CAPTURE_FILE: z.string().min(1).optional(),
  STENO_QUEUE: z
    .string()
    .regex(/^nats:\/\/[^\s,]+(,nats:\/\/[^\s,]+)*$/, 'must be nats://host:port (several separated by commas)')
    .optional(),
  STENO_QUEUE_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"')
    .default('STENO_CAPTURE'),
  STENO_SECURE_COOKIES: z.enum(['true', 'false']).optional(),
  STENO_ADMIN_PASSWORD_FILE: z.string().min(1).optional(),
  STENO_TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/,
      'must be true, false, or addresses/CIDRs separated by commas',
    )
    .optional(),
});

const SOURCE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MIN_SECRET_CHARS = 32;

/**
 * The webhook's sources from their file: each a name and one or two secrets of at least 32 characters
 * (two while one is rotated: both are accepted). Problems name the source, never a secret.
 */
function loadWebhookSources(file: string | undefined): Record<string, string[]> {
  if (file === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StenoError(
      'config',
      `STENO_WEBHOOK_SECRETS_FILE: cannot read ${file} as JSON: ${(error as Error).message}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StenoError('config', `STENO_WEBHOOK_SECRETS_FILE: ${file} must hold {"source": ["secret", …]}`);
  }
  const sources: Record<string, string[]> = {};
  const problems: { where: string; message: string }[] = [];
  for (const [source, secrets] of Object.entries(value)) {
    const where = `STENO_WEBHOOK_SECRETS_FILE.${source}`;
    if (!SOURCE_ID.test(source)) {
      problems.push({ where, message: 'a source is 1-64 lower-case letters, digits, "-" or "_"' });
      continue;
    }
    if (!Array.isArray(secrets) || secrets.length < 1 || secrets.length > 2) {
      problems.push({ where, message: 'must be a list of one secret, or two while rotating' });
      continue;
    }
    if (secrets.some((s) => typeof s !== 'string' || s.length < MIN_SECRET_CHARS || s.length > 1024)) {
      problems.push({ where, message: `each secret must be a string of ${MIN_SECRET_CHARS} to 1024 characters` });
      continue;
    }
    sources[source] = secrets as string[];
  }
  if (problems.length > 0) {
    throw new StenoError('config', `invalid webhook secrets:\n${describeProblems(problems)}`, { problems });
  }
  return sources;
}

export function loadConfig(env: NodeJS.ProcessEnv, overrides: { dataDir?: string } = {}): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ENV_VARS)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  if (overrides.dataDir !== undefined) picked.STENO_DATA = overrides.dataDir;
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const problems = zodProblems('', parsed.error);
    throw new StenoError('config', `invalid configuration:\n${describeProblems(problems)}`, { problems });
  }
  const e = parsed.data;
  const dataDir = resolve(e.STENO_DATA);
  let store: StoreConfig;
  if (e.STENO_STORE === 'postgres') {
    if (e.STENO_DATABASE_URL === undefined) {
      throw new StenoError('config', 'STENO_STORE=postgres needs STENO_DATABASE_URL', {
        problems: [{ where: 'STENO_DATABASE_URL', message: 'is required when STENO_STORE=postgres' }],
      });
    }
    store = { kind: 'postgres', url: e.STENO_DATABASE_URL, schema: e.STENO_PG_SCHEMA };
  } else {
    store = { kind: 'sqlite', path: resolve(dataDir, 'steno.db') };
  }
  return {
    dataDir,
    store,
    webhookSources: loadWebhookSources(e.STENO_WEBHOOK_SECRETS_FILE),
    capture: loadCaptureConfig(e.STENO_CAPTURE_FILE),
    mediaRetryDelaysMs: [1000, 5000, 30_000],
    queue:
      e.STENO_QUEUE === undefined
        ? null
        : { kind: 'nats', servers: e.STENO_QUEUE.split(','), stream: e.STENO_QUEUE_STREAM },
    origin: e.STENO_ORIGIN ?? `steno.local/${hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'log'}`,
    originExplicit: e.STENO_ORIGIN !== undefined,
    host: e.STENO_HOST,
    port: e.STENO_PORT,
    checkpointIntervalMs: e.STENO_CHECKPOINT_INTERVAL_MS,
    maxBodyBytes: e.STENO_MAX_BODY_BYTES,
    maxAttachmentBytes: e.STENO_MAX_ATTACHMENT_BYTES,
    ingestMemoryBytes: e.STENO_INGEST_MEMORY_BYTES,
    secureCookies: e.STENO_SECURE_COOKIES === 'true',
    adminPasswordFile: e.STENO_ADMIN_PASSWORD_FILE === undefined ? null : resolve(e.STENO_ADMIN_PASSWORD_FILE),
    trustProxy:
      e.STENO_TRUST_PROXY === undefined || e.STENO_TRUST_PROXY === 'false'
        ? false
        : e.STENO_TRUST_PROXY === 'true' || e.STENO_TRUST_PROXY.split(','),
  };
}
