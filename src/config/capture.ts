/**
 * The platform connectors' settings and secrets, from one JSON file (STENO_CAPTURE_FILE). A secret is
 * written in the file, or taken from the environment (`{"env": "WA_APP_SECRET"}`) or from a file of its
 * own (`{"file": "/run/secrets/wa"}`), so that the file itself can be kept in version control. Secrets
 * used to check a platform's signature are lists: two are accepted while one is rotated. Problems name
 * the setting (`whatsapp.appSecrets[1]`), never a secret's value.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { zodProblems } from '../capture/model.js';
import { describeProblems, type Problem, StenoError } from '../core/errors.js';

export interface WhatsAppConfig {
  /** The Meta app secret(s) that sign X-Hub-Signature-256. */
  appSecrets: string[];
  /** What Meta must send as hub.verify_token when the webhook is subscribed. */
  verifyTokens: string[];
  /** The Graph API access token media is fetched with; without one, media is recorded as not fetched. */
  accessToken: string | null;
  /** e.g. https://graph.facebook.com/v21.0 */
  graphBaseUrl: string;
}

export interface TelegramBotConfig {
  /** What Telegram sends as X-Telegram-Bot-Api-Secret-Token (set with setWebhook's secret_token). */
  secretTokens: string[];
  /** The bot's token, for getFile; without one, files are recorded as not fetched. */
  botToken: string | null;
  /** e.g. https://api.telegram.org */
  apiBaseUrl: string;
}

export interface SlackConfig {
  /** The Slack app's signing secret(s). */
  signingSecrets: string[];
  /** A bot token with files:read, for files; without one, files are recorded as not fetched. */
  botToken: string | null;
}

export interface MatrixConfig {
  /** The hs_token(s) of the application service registration: the homeserver presents one. */
  hsTokens: string[];
  /** The as_token, for downloading media from the homeserver; without one, media is not fetched. */
  asToken: string | null;
  /** e.g. https://matrix.example.com */
  homeserverUrl: string | null;
}

export interface CaptureConfig {
  whatsapp: WhatsAppConfig | null;
  /** Each bot by the name in its webhook URL, /capture/telegram/<name>. */
  telegram: Record<string, TelegramBotConfig> | null;
  slack: SlackConfig | null;
  matrix: MatrixConfig | null;
}

export const NO_CAPTURE: CaptureConfig = { whatsapp: null, telegram: null, slack: null, matrix: null };

const MIN_SECRET_CHARS = 16;
const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A secret as written in the file: itself, or where to find it. Resolved before the schema sees it. */
function resolveSecret(value: unknown, where: string, problems: Problem[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const ref = value as Record<string, unknown>;
  if (typeof ref.env === 'string' && Object.keys(ref).length === 1) {
    const found = process.env[ref.env];
    if (found === undefined || found === '') {
      problems.push({ where, message: `the environment variable ${ref.env} is not set` });
      return undefined;
    }
    return found;
  }
  if (typeof ref.file === 'string' && Object.keys(ref).length === 1) {
    try {
      return readFileSync(ref.file, 'utf8').trim();
    } catch (error) {
      problems.push({ where, message: `cannot read ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` });
      return undefined;
    }
  }
  return value;
}

const SECRET_KEYS = new Set([
  'appSecrets',
  'verifyTokens',
  'accessToken',
  'secretTokens',
  'botToken',
  'signingSecrets',
  'hsTokens',
  'asToken',
]);

/** Walks the parsed file, replacing each {"env"}/{"file"} reference under a secret's key by its value. */
function resolveSecrets(value: unknown, path: string, problems: Problem[], underSecret = false): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => resolveSecrets(v, `${path}[${i}]`, problems, underSecret));
  }
  if (underSecret) return resolveSecret(value, path, problems);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    out[key] = SECRET_KEYS.has(key) ? resolveSecrets(v, at, problems, true) : resolveSecrets(v, at, problems);
  }
  return out;
}

const secret = z
  .string({ error: 'must be a string, or {"env": "NAME"} or {"file": "PATH"}' })
  .min(MIN_SECRET_CHARS, `must be at least ${MIN_SECRET_CHARS} characters`)
  .max(4096, 'must be at most 4096 characters');
const rotating = z.array(secret).min(1, 'needs one secret').max(2, 'holds one secret, or two while rotating');
const token = z
  .string({ error: 'must be a string, or {"env": "NAME"} or {"file": "PATH"}' })
  .min(8, 'must be at least 8 characters')
  .max(4096, 'must be at most 4096 characters');
const baseUrl = z
  .string()
  .regex(/^https?:\/\/[^\s?#]+$/, 'must be an http(s) URL without query or fragment')
  .transform((s) => s.replace(/\/+$/, ''));

const captureSchema = z
  .object({
    whatsapp: z
      .object({
        appSecrets: rotating,
        verifyTokens: z.array(token).min(1).max(2),
        accessToken: token.optional(),
        graphBaseUrl: baseUrl.default('https://graph.facebook.com/v21.0'),
      })
      .strict()
      .optional(),
    telegram: z
      .record(
        z.string().regex(NAME, 'a bot name is 1-64 lower-case letters, digits, "-" or "_"'),
        z
          .object({
            secretTokens: z
              .array(
                z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z, a-z, 0-9, "_" and "-"'),
              )
              .min(1)
              .max(2),
            botToken: token.optional(),
            apiBaseUrl: baseUrl.default('https://api.telegram.org'),
          })
          .strict(),
      )
      .optional(),
    slack: z.object({ signingSecrets: rotating, botToken: token.optional() }).strict().optional(),
    matrix: z
      .object({ hsTokens: rotating, asToken: token.optional(), homeserverUrl: baseUrl.optional() })
      .strict()
      .optional(),
  })
  .strict();

export function parseCaptureConfig(value: unknown, where: string): CaptureConfig {
  const problems: Problem[] = [];
  const resolved = resolveSecrets(value, '', problems);
  const parsed = captureSchema.safeParse(resolved);
  if (!parsed.success) problems.push(...zodProblems('', parsed.error));
  if (problems.length > 0 || !parsed.success) {
    // zod's messages name keys and expectations, never the values received, so a secret cannot leak here.
    const safe = problems.map((p) => ({
      where: `${where}: ${p.where === '(message)' ? '(top level)' : p.where}`,
      message: p.message,
    }));
    throw new StenoError('config', `invalid capture settings:\n${describeProblems(safe)}`, { problems: safe });
  }
  const c = parsed.data;
  return {
    whatsapp:
      c.whatsapp === undefined
        ? null
        : {
            appSecrets: c.whatsapp.appSecrets,
            verifyTokens: c.whatsapp.verifyTokens,
            accessToken: c.whatsapp.accessToken ?? null,
            graphBaseUrl: c.whatsapp.graphBaseUrl,
          },
    telegram:
      c.telegram === undefined
        ? null
        : Object.fromEntries(
            Object.entries(c.telegram).map(([name, bot]) => [
              name,
              { secretTokens: bot.secretTokens, botToken: bot.botToken ?? null, apiBaseUrl: bot.apiBaseUrl },
            ]),
          ),
    slack:
      c.slack === undefined ? null : { signingSecrets: c.slack.signingSecrets, botToken: c.slack.botToken ?? null },
    matrix:
      c.matrix === undefined
        ? null
        : {
            hsTokens: c.matrix.hsTokens,
            asToken: c.matrix.asToken ?? null,
            homeserverUrl: c.matrix.homeserverUrl ?? null,
          },
  };
}

export function loadCaptureConfig(file: string | undefined): CaptureConfig {
  if (file === undefined) return NO_CAPTURE;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StenoError('config', `STENO_CAPTURE_FILE: cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  return parseCaptureConfig(value, 'STENO_CAPTURE_FILE');
}
