/**
 * What every platform connector shares: where captured messages go (the sink), who hears about each
 * channel's traffic and failures (the channel observer), and how a connector's media is fetched later.
 *
 * A connector checks the platform's own authentication on the raw body before parsing it, maps each
 * event to ingest messages (plain objects of the ingest schema, the platform's event kept in `raw` as
 * `{ connector, event }`), hands them to the sink, and answers the platform only once the sink says
 * they are durable.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../model.js';

/** The platform's event, as a connector keeps it in an archived message's `raw`. */
export interface CapturedRaw {
  /** Which connector captured it (`whatsapp`, `telegram`…): how the media fetcher reads `event`. */
  connector: string;
  /** The channel it came through (`telegram:desk1`): which bot's or app's credentials fetch its media. */
  channel: string;
  event: unknown;
}

export function capturedRaw(connector: string, channel: string, event: unknown): CapturedRaw {
  return { connector, channel, event };
}

export function isCapturedRaw(raw: unknown): raw is CapturedRaw {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    typeof (raw as CapturedRaw).connector === 'string' &&
    typeof (raw as CapturedRaw).channel === 'string' &&
    Object.hasOwn(raw, 'event')
  );
}

export interface SinkResult {
  /** Messages new to the archive (or, with a queue, new to the stream). */
  created: number;
  /** Messages the archive (or stream) already had: a platform's retry, a replay. */
  duplicate: number;
}

/**
 * Where a connector delivers: validates every message first (one bad message refuses the delivery and
 * stores nothing), then resolves once they are durable, in the ledger or in the queue's stream.
 */
export interface CaptureSink {
  deliver(source: string, messages: readonly unknown[]): Promise<SinkResult>;
}

/**
 * A channel is one source of capture: `whatsapp:<phone number id>`, `telegram:<bot>`, `slack:<team>`,
 * `matrix:<homeserver>`, `webhook:<source>`. Connectors report what they see; completeness is judged
 * from it (src/capture/channels/).
 */
export interface ChannelObserver {
  /** Events accepted from the channel (messages, edits, statuses…), at a time. */
  received(channel: string, platform: Platform, events: number, atMs: number): void;
  /** A request that failed the platform's authentication. */
  signatureFailed(channel: string, platform: Platform, atMs: number): void;
  /** Media that could not be fetched, after its retries. */
  fetchFailed(channel: string, platform: Platform, atMs: number): void;
  /** A platform sequence number (Telegram's update_id, a webhook's X-Steno-Sequence), for gap tracking. */
  sequence(channel: string, platform: Platform, value: number, atMs: number): void;
}

/** A reference to media a captured message carries, as its connector found it in the event. */
export interface MediaRef {
  /** The platform's id or URL for the bytes (a WhatsApp media id, a Telegram file_id, a Slack url_private). */
  id: string;
  filename: string | null;
  contentType: string | null;
}

export interface FetchedMedia {
  bytes: Buffer;
  contentType: string;
  filename: string;
}

/** How one connector's media is found in its events and fetched from its platform. */
export interface MediaSource {
  connector: string;
  /**
   * Keys of which an event with media holds at least one: the media fetcher passes over, unparsed, a
   * message whose stored event has none of them (most messages carry no media).
   */
  mediaKeys: readonly string[];
  /** The media an archived message's event carries; [] when none. Pure. */
  refs(event: unknown): MediaRef[];
  /**
   * Fetches the bytes of media a message captured through `channel` carries, at most maxBytes; throws
   * with a message that names no secret (download.ts helps).
   */
  fetch(ref: MediaRef, channel: string, options: { maxBytes: number; signal: AbortSignal }): Promise<FetchedMedia>;
}

/** What a connector's routes are given. */
export interface ConnectorDeps {
  sink: CaptureSink;
  channels: ChannelObserver;
  now(): number;
}

/** A connector registers its routes on the capture plugin, where bodies arrive as raw Buffers. */
export type RegisterConnector = (capture: FastifyInstance, deps: ConnectorDeps) => void;
