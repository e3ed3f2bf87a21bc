/**
 * The ingest message: the contract in architecture.md ("Ingest message (JSON)"). Validation errors
 * name the field (`[3].sentAt`) so a connector author can fix the payload without reading our code.
 */
import { z } from 'zod';
import { canonicalBytes } from '../core/canonical-json.js';
import type { Problem } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';

export const PLATFORMS = [
  'whatsapp',
  'wechat',
  'telegram',
  'slack',
  'symphony',
  'bloomberg',
  'signal',
  'sms',
  'matrix',
  'email',
  'other',
] as const;
export type Platform = (typeof PLATFORMS)[number];

export const MESSAGE_KINDS = ['message', 'edit', 'delete', 'recall', 'system'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Bounds on hostile content; generous for real chat, small enough that one request cannot exhaust memory. */
export const LIMITS = {
  batch: 1000,
  handle: 512,
  text: 256 * 1024,
  recipients: 5000,
  attachments: 100,
  filename: 1024,
} as const;

const handle = z.string().min(1, 'must not be empty').max(LIMITS.handle, `must be at most ${LIMITS.handle} characters`);
const optionalLabel = z.string().max(LIMITS.handle, `must be at most ${LIMITS.handle} characters`).optional();

export const attachmentSchema = z
  .object({
    filename: z.string().min(1).max(LIMITS.filename),
    contentType: z.string().min(1).max(255),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (SHA-256 of the bytes)')
      .optional(),
    size: z.number().int().nonnegative().optional(),
    /** The bytes, base64, when a sender inlines them instead of uploading to /api/v1/attachments. */
    data: z.base64('must be base64').optional(),
  })
  .strict()
  .refine((a) => a.data !== undefined || (a.sha256 !== undefined && a.size !== undefined), {
    message: 'needs sha256 and size, or the bytes inline as data',
  });

const KNOWN_FIELDS = new Set([
  'platform',
  'conversationId',
  'sender',
  'sentAt',
  'kind',
  'platformMessageId',
  'text',
  'recipients',
  'refersTo',
  'attachments',
  'senderName',
  'conversationTitle',
  'account',
  'direction',
  'raw',
]);

export const ingestMessageSchema = z
  .object({
    platform: z.enum(PLATFORMS, { error: `must be one of ${PLATFORMS.join(', ')}` }),
    conversationId: handle,
    sender: handle,
    sentAt: z.iso.datetime({
      offset: true,
      error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-05-04T09:30:00+08:00',
    }),
    kind: z.enum(MESSAGE_KINDS, { error: `must be one of ${MESSAGE_KINDS.join(', ')}` }),
    platformMessageId: handle.optional(),
    text: z.string().max(LIMITS.text, `must be at most ${LIMITS.text} characters`).optional(),
    recipients: z.array(handle).max(LIMITS.recipients).optional(),
    refersTo: handle.optional(),
    attachments: z.array(attachmentSchema).max(LIMITS.attachments).optional(),
    senderName: optionalLabel,
    conversationTitle: optionalLabel,
    account: optionalLabel,
    direction: z.enum(['inbound', 'outbound']).optional(),
    raw: z.unknown().optional(),
  })
  .passthrough()
  .superRefine((m, ctx) => {
    if ((m.kind === 'edit' || m.kind === 'delete' || m.kind === 'recall') && m.refersTo === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['refersTo'],
        message: `is required for kind ${m.kind} (the platformMessageId it acts on)`,
      });
    }
    if (m.kind === 'edit' && m.text === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'is required for kind edit (the new text)' });
    }
  });

export type IngestAttachmentInput = z.infer<typeof attachmentSchema>;
type ParsedIngest = z.infer<typeof ingestMessageSchema>;

export interface AttachmentRef {
  filename: string;
  contentType: string;
  sha256: string;
  size: number;
}

/** The content of a message record, as committed in the ledger (canonical JSON of this object). */
export interface MessageContent {
  platform: Platform;
  conversationId: string;
  sender: string;
  sentAt: string;
  kind: MessageKind;
  platformMessageId?: string;
  text?: string;
  recipients?: string[];
  refersTo?: string;
  attachments?: AttachmentRef[];
  senderName?: string;
  conversationTitle?: string;
  account?: string;
  direction?: 'inbound' | 'outbound';
  raw?: unknown;
  /** Fields the sender supplied that the contract does not name: kept, never dropped. */
  unknownFields?: Record<string, unknown>;
}

export interface ValidatedMessage {
  content: MessageContent;
  /** RFC 8785 bytes of content: what the ledger commits to. */
  contentBytes: Buffer;
  /** Inline attachment bytes, keyed by sha256, to be written to the blob store before the record. */
  inlineBlobs: Map<string, Buffer>;
}

function pathToString(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(message)' : out;
}

export function zodProblems(prefix: string, error: z.ZodError): Problem[] {
  return error.issues.map((issue) => ({
    where: pathToString(prefix, issue.path),
    message:
      issue.code === 'invalid_type' && issue.message.endsWith('received undefined') ? 'is required' : issue.message,
  }));
}

/**
 * Validates one untrusted value. Returns problems (with `prefix` before each field path, e.g. `[3]` or
 * `line 12`) instead of throwing, so a batch can report every bad item at once.
 */
export function validateMessage(
  input: unknown,
  prefix: string,
  options: { maxAttachmentBytes: number },
): { ok: true; message: ValidatedMessage } | { ok: false; problems: Problem[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ where: prefix || '(message)', message: 'must be a JSON object' }] };
  }
  const parsed = ingestMessageSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: zodProblems(prefix, parsed.error) };
  const m = parsed.data as ParsedIngest & Record<string, unknown>;
  const problems: Problem[] = [];
  const inlineBlobs = new Map<string, Buffer>();
  const attachments: AttachmentRef[] | undefined = m.attachments?.map((a, i) => {
    const where = pathToString(prefix, ['attachments', i]);
    if (a.data === undefined) {
      return { filename: a.filename, contentType: a.contentType, sha256: a.sha256!, size: a.size! };
    }
    const bytes = Buffer.from(a.data, 'base64');
    if (bytes.length > options.maxAttachmentBytes) {
      problems.push({
        where: `${where}.data`,
        message: `is ${bytes.length} bytes, over the ${options.maxAttachmentBytes}-byte limit`,
      });
    }
    const digest = sha256Hex(bytes);
    if (a.sha256 !== undefined && a.sha256 !== digest) {
      problems.push({ where: `${where}.sha256`, message: `does not match the inline data (its SHA-256 is ${digest})` });
    }
    if (a.size !== undefined && a.size !== bytes.length) {
      problems.push({ where: `${where}.size`, message: `is ${a.size} but the inline data has ${bytes.length} bytes` });
    }
    inlineBlobs.set(digest, bytes);
    return { filename: a.filename, contentType: a.contentType, sha256: digest, size: bytes.length };
  });
  if (problems.length > 0) return { ok: false, problems };

  const unknownFields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(m)) if (!KNOWN_FIELDS.has(key)) unknownFields[key] = value;

  const content: MessageContent = {
    platform: m.platform,
    conversationId: m.conversationId,
    sender: m.sender,
    sentAt: m.sentAt,
    kind: m.kind,
  };
  if (m.platformMessageId !== undefined) content.platformMessageId = m.platformMessageId;
  if (m.text !== undefined) content.text = m.text;
  if (m.recipients !== undefined) content.recipients = m.recipients;
  if (m.refersTo !== undefined) content.refersTo = m.refersTo;
  if (attachments !== undefined) content.attachments = attachments;
  if (m.senderName !== undefined) content.senderName = m.senderName;
  if (m.conversationTitle !== undefined) content.conversationTitle = m.conversationTitle;
  if (m.account !== undefined) content.account = m.account;
  if (m.direction !== undefined) content.direction = m.direction;
  if (m.raw !== undefined) content.raw = m.raw;
  if (Object.keys(unknownFields).length > 0) content.unknownFields = unknownFields;
  // Canonical form is part of validity: lone surrogates or absurd nesting (in raw, say) are caught here,
  // with everything else, before anything is stored.
  let contentBytes: Buffer;
  try {
    contentBytes = canonicalBytes(content);
  } catch (error) {
    return { ok: false, problems: [{ where: prefix || '(message)', message: (error as Error).message }] };
  }
  return { ok: true, message: { content, contentBytes, inlineBlobs } };
}
