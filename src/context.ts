/**
 * The composition root: picks the store from config and wires the services. Everything else receives
 * its dependencies from here.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AccessLog, type RecordsNewestFirst } from './audit/access.js';
import { AccountService, type AccountStorage } from './auth/accounts.js';
import { TokenService, type TokenStorage } from './auth/tokens.js';
import { ActivityArchive, type ActivityStorage } from './capture/activity/archive.js';
import { ChannelMonitor } from './capture/channels/monitor.js';
import { DirectoryService } from './capture/directory/directory.js';
import { IngestService, type MessageWriteTx } from './capture/ingest.js';
import { MediaFetcher } from './capture/media/fetcher.js';
import { mediaSources } from './capture/media/sources.js';
import type { Config } from './config/config.js';
import { loadOrCreateSigningKey } from './config/signing-key.js';
import { StenoError } from './core/errors.js';
import type { AuditStorage } from './ledger/audit.js';
import type { ContentReader, RecordsByType } from './ledger/content.js';
import { Ledger, type LedgerStorage, type StoredCheckpoint } from './ledger/log.js';
import type { EvidenceStorage } from './produce/evidence.js';
import { ConversationService } from './review/conversations.js';
import type { MessageCounts } from './review/dashboard.js';
import { DeskScope } from './review/desks.js';
import { ExportBuilder } from './review/export-builder.js';
import { MediaLookup } from './review/media-lookup.js';
import { type ConversationsByHandle, SearchService, type SearchStorage } from './review/search.js';
import { type BlobStore, FileBlobStore } from './store/blobs/files.js';
import type { MetaStorage } from './store/meta.js';
import type { AlertStorage } from './surveil/alerts/model.js';
import { AlertService } from './surveil/alerts/service.js';
import { OrderArchive, type OrderStorage } from './surveil/orders/archive.js';
import { SecurityMasterService } from './surveil/orders/master.js';
import { ReconcileService } from './surveil/reconcile/service.js';
import { PolicyService } from './surveil/rules/policies.js';
import { TurnoverReference } from './surveil/rules/reference.js';
import { RulesRunner } from './surveil/rules/runner.js';

export type StenoStore = LedgerStorage<MessageWriteTx> &
  SearchStorage &
  ContentReader &
  RecordsByType &
  TokenStorage &
  AccountStorage &
  RecordsNewestFirst &
  ConversationsByHandle &
  MessageCounts &
  MetaStorage &
  AuditStorage &
  EvidenceStorage &
  OrderStorage &
  ActivityStorage &
  AlertStorage & {
    readonly kind: string;
    healthy(): boolean;
    listCheckpoints(): Promise<StoredCheckpoint[]>;
    checkpointAtLeast(size: number): Promise<StoredCheckpoint | null>;
    close(): Promise<void>;
  };

// Each backend is loaded only when chosen: a command pays for one driver, not both.
export async function openStore(config: Config): Promise<StenoStore> {
  if (config.store.kind === 'postgres') {
    const { PostgresStore } = await import('./store/postgres/store.js');
    return PostgresStore.open(config.store);
  }
  const { SqliteStore } = await import('./store/sqlite/store.js');
  return SqliteStore.open({ path: config.store.path });
}

export interface Steno extends AsyncDisposable {
  config: Config;
  store: StenoStore;
  ledger: Ledger<MessageWriteTx>;
  ingest: IngestService<MessageWriteTx>;
  search: SearchService;
  directory: DirectoryService<MessageWriteTx>;
  /** The security master orders are read with. */
  instruments: SecurityMasterService<MessageWriteTx>;
  /** Orders read from archived messages. */
  orders: OrderArchive;
  /** The firm's account activity: orders entered, replaced and cancelled, executions. */
  activity: ActivityArchive<MessageWriteTx>;
  /** Chat orders against the firm's orders and executions. */
  reconcile: ReconcileService;
  /** Surveillance policies, as recorded in the ledger. */
  policies: PolicyService<MessageWriteTx>;
  /** Reference turnover the low-turnover rule reads. */
  turnover: TurnoverReference<MessageWriteTx>;
  /** Alerts raised by the rules and what reviewers did with them. */
  alerts: AlertService<MessageWriteTx>;
  /** The rules over the archive. */
  rules: RulesRunner;
  tokens: TokenService;
  /** People's accounts and sessions for the review console. */
  accounts: AccountService;
  /** Who searched, viewed, exported or changed what: ledger records. */
  access: AccessLog<MessageWriteTx>;
  /** Information barriers: which conversations each desk may see. */
  desks: DeskScope;
  conversations: ConversationService;
  /** Media fetched after its message, by the message it belongs to. */
  capturedMedia: MediaLookup;
  /** Evidence packages built from the console, as ZIP downloads. */
  exports: ExportBuilder;
  blobs: BlobStore;
  /** What each capture channel delivered and what failed: completeness and channel health. */
  channels: ChannelMonitor;
  /** Fetches the media captured messages name, after their text is archived. */
  media: MediaFetcher<MessageWriteTx>;
  origin: string;
  verifierKey: string;
  keyCreated: boolean;
  close(): Promise<void>;
}

export async function openSteno(config: Config, options: { createKey: boolean }): Promise<Steno> {
  // The data folder holds message content and the signing key: only this user may enter it. A folder
  // that already exists keeps the permissions its operator chose.
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config);
  try {
    // The origin is fixed when the log is created; later starts use it (and refuse a different one).
    const storedOrigin = await store.getMeta('origin');
    if (storedOrigin !== null && config.originExplicit && config.origin !== storedOrigin) {
      throw new StenoError(
        'conflict',
        `this log's origin is "${storedOrigin}"; STENO_ORIGIN="${config.origin}" cannot change it (start a new log instead)`,
      );
    }
    const origin = storedOrigin ?? config.origin;
    const identity = await loadOrCreateSigningKey({ dataDir: config.dataDir, origin, create: options.createKey });
    await store.setMetaIfAbsent('origin', origin);
    const recordedKey = await store.setMetaIfAbsent('verifier_key', identity.verifierKey);
    if (recordedKey !== identity.verifierKey) {
      throw new StenoError(
        'integrity',
        `the signing key at ${identity.keyPath} is not the key this log was created with (${recordedKey}); restore the original key file`,
      );
    }
    const ledger = new Ledger<MessageWriteTx>({ storage: store, signer: identity.signer, origin });
    const directory = new DirectoryService({ ledger, records: store });
    const instruments = new SecurityMasterService(ledger, store);
    const orders = new OrderArchive({ storage: store, masters: instruments, directory });
    const activity = new ActivityArchive(ledger, store);
    const reconcile = new ReconcileService({ orders, activity, directory, masters: instruments });
    const policies = new PolicyService(ledger, store);
    const turnover = new TurnoverReference(ledger, store);
    const alerts = new AlertService(ledger, store);
    const rules = new RulesRunner({
      storage: store,
      orders,
      masters: instruments,
      directory,
      activity,
      reconcile,
      policies,
      alerts,
      turnover,
    });
    const blobs = new FileBlobStore({ root: join(config.dataDir, 'blobs'), maxBytes: config.maxAttachmentBytes });
    const channels = new ChannelMonitor(store);
    const media = new MediaFetcher({
      ledger,
      storage: store,
      blobs,
      sources: mediaSources(config.capture),
      channels,
      retryDelaysMs: config.mediaRetryDelaysMs,
    });
    const desks = new DeskScope({ storage: store, directory });
    const capturedMedia = new MediaLookup(store);
    const exports = new ExportBuilder({
      storage: store,
      contents: store,
      ledger,
      blobs,
      directory,
      desks,
      verifierKey: identity.verifierKey,
      workDir: join(config.dataDir, 'exports'),
    });
    const close = async () => {
      // What this process counted of its channels is kept; a failure to save must not stop the close.
      await channels.save().catch(() => undefined);
      await ledger.flush();
      await store.close();
    };
    return {
      config,
      store,
      ledger,
      ingest: new IngestService({ ledger, blobs }),
      search: new SearchService({ storage: store, contents: store, directory: () => directory.load() }),
      directory,
      instruments,
      orders,
      activity,
      reconcile,
      policies,
      turnover,
      alerts,
      rules,
      tokens: new TokenService(store),
      accounts: new AccountService(store),
      access: new AccessLog(ledger, store),
      desks,
      exports,
      capturedMedia,
      conversations: new ConversationService({
        storage: store,
        contents: store,
        directory: () => directory.load(),
        orders,
        media: capturedMedia,
      }),
      blobs,
      channels,
      media,
      origin,
      verifierKey: identity.verifierKey,
      keyCreated: identity.created,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
