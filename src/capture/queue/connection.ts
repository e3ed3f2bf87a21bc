/**
 * The capture queue's connection to NATS JetStream, and the stream capture is buffered in. Written for
 * nats-server 2.9: one filter subject per consumer, no stream or consumer metadata.
 */
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { QueueConfig } from '../../config/config.js';
import { StenoError } from '../../core/errors.js';

/**
 * How long the stream remembers a message id: a connector's retry, or a second capture node handed the
 * same event, inside this window stores nothing new in the stream. Later copies are still caught by the
 * archive's own de-duplication on the same key.
 */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** How long a publish waits for the stream's acknowledgement. */
export const PUBLISH_TIMEOUT_MS = 5000;

export interface QueueConnection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  /** Every capture subject of this stream starts with it (`steno.capture.STENO_CAPTURE`). */
  readonly subjectRoot: string;
  /** The servers, without any user or password they carry: safe to print. */
  readonly where: string;
  /** Flushes what is pending (acks above all), then closes. */
  close(): Promise<void>;
}

/**
 * The subject root of a stream. It names the stream, so two streams on one server (a staging install
 * beside production, a test run) never claim the same subjects, which JetStream refuses.
 */
export function subjectRoot(stream: string): string {
  return `steno.capture.${stream}`;
}

const TOKEN_UNSAFE = /[^A-Za-z0-9_-]/g;
const MAX_TOKEN_CHARS = 64;

/**
 * The subject a channel's messages are published on: `<root>.whatsapp.<phone number id>`. Each part of
 * the channel (split at ':') becomes one subject token of safe characters only, so a hostile or odd
 * channel name cannot add wildcards or empty tokens. The subject is for operators reading the stream;
 * the payload carries the message whole.
 */
export function captureSubject(root: string, channel: string): string {
  const tokens = channel
    .split(':')
    .slice(0, 4)
    .map((part) => part.replace(TOKEN_UNSAFE, '_').slice(0, MAX_TOKEN_CHARS) || '_');
  return `${root}.${tokens.join('.')}`;
}

/** The servers as an operator may see them: any `user:password@` is left out. */
export function describeServers(servers: readonly string[]): string {
  return servers.map((s) => s.replace(/^(nats:\/\/)[^@/]*@/, '$1')).join(',');
}

/** Connects and makes sure the stream exists; throws StenoError('io') when NATS cannot be reached. */
export async function connectQueue(config: QueueConfig, options: { name: string }): Promise<QueueConnection> {
  const where = describeServers(config.servers);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: config.servers,
      name: options.name,
      // A capture node or writer outlives a NATS restart: it reconnects for as long as it runs.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
  } catch (error) {
    throw new StenoError('io', `cannot reach the capture queue (NATS) at ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: PUBLISH_TIMEOUT_MS });
    const root = subjectRoot(config.stream);
    await ensureStream(jsm, config.stream, root);
    return {
      nc,
      js: jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS }),
      jsm,
      stream: config.stream,
      subjectRoot: root,
      where,
      close: async () => {
        if (!nc.isClosed()) await nc.drain();
      },
    };
  } catch (error) {
    await nc.close();
    if (error instanceof StenoError) throw error;
    throw new StenoError(
      'io',
      `the capture queue (NATS) at ${where} has no usable JetStream stream ${config.stream}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Creates the stream if it is absent; an existing one must take the subjects Steno publishes on. */
async function ensureStream(jsm: JetStreamManager, stream: string, root: string): Promise<void> {
  const wanted = `${root}.>`;
  try {
    const info = await jsm.streams.info(stream);
    if (!(info.config.subjects ?? []).includes(wanted)) {
      throw new StenoError(
        'config',
        `the JetStream stream ${stream} exists but does not take the subjects ${wanted}: name another stream with STENO_QUEUE_STREAM`,
      );
    }
    return;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
  }
  const config: Partial<StreamConfig> & { name: string } = {
    name: stream,
    subjects: [wanted],
    storage: StorageType.File,
    // A buffer, not an archive: a message leaves the stream once the ledger writer has acknowledged it.
    retention: RetentionPolicy.Workqueue,
    // A full stream refuses new messages (the platform retries) rather than dropping unarchived ones.
    discard: DiscardPolicy.New,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // Another node created it at the same moment.
    await jsm.streams.info(stream).catch(() => {
      throw error;
    });
  }
}
