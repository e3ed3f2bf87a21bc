/** The shapes the console reads from the API (docs/console.md, README "HTTP API"). */

export const ROLES = ['admin', 'reviewer', 'supervisor', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export type Stage = 'totp' | 'change-password' | 'enroll-totp' | 'ready';

export interface Session {
  user: { username: string; role: Role; desks: string[] };
  stage: Stage;
  csrfToken: string;
  expiresAt: string;
}

export interface ApiProblem {
  where: string;
  message: string;
}

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

export interface Attachment {
  filename: string;
  contentType: string;
  sha256: string;
  size: number;
}

export interface MessageContent {
  platform: string;
  conversationId: string;
  sender: string;
  sentAt: string;
  kind: string;
  platformMessageId?: string;
  text?: string;
  recipients?: string[];
  refersTo?: string;
  attachments?: Attachment[];
  senderName?: string;
  conversationTitle?: string;
  account?: string;
  direction?: 'inbound' | 'outbound';
}

/** A directory entry as it stood when a message was sent. */
export interface Party {
  kind: 'staff' | 'client';
  id: string;
  name: string;
}

export interface Resolution {
  sender: Party | null;
  recipients: (Party | null)[];
  flags: string[];
}

export interface SearchResult {
  leafIndex: number;
  recordId: string;
  platform: string;
  conversationId: string;
  sender: string;
  sentAt: string;
  kind: string;
  content: MessageContent | null;
  resolved?: Resolution;
}

export interface SearchAnswer {
  results: SearchResult[];
  /** The words the query matched on, to highlight. */
  terms: string[];
}

export type OrderField = 'action' | 'side' | 'symbol' | 'quantity' | 'orderType' | 'limitPrice' | 'timeInForce';

/** An order read from a message, with where in its text (UTF-16 offsets, end exclusive) each field was read. */
export interface Order {
  id: string;
  action: 'new' | 'amend' | 'cancel';
  side: 'buy' | 'sell' | null;
  symbol: string;
  quantity: number | null;
  orderType: 'market' | 'limit' | 'unspecified' | null;
  limitPrice: number | null;
  timeInForce: string | null;
  spans: Partial<Record<OrderField, [start: number, end: number]>>;
}

export interface ConversationMessage {
  leafIndex: number;
  recordId: string;
  sentAt: string;
  sender: string;
  kind: string;
  content: MessageContent | null;
  resolved: Resolution;
  orders: Order[];
  /** Media fetched from the platform after the message was captured, each a ledger record of its own. */
  media: FetchedMedia[];
}

export interface FetchedMedia {
  leafIndex: number;
  outcome: 'fetched' | 'failed';
  attachment: Attachment | null;
  error: string | null;
}

export interface Conversation {
  conversationId: string;
  platform: string | null;
  title: string | null;
  desks: string[];
  messages: ConversationMessage[];
  more: boolean;
}

export const ALERT_STATES = ['open', 'in_review', 'escalated', 'closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const TASK_OUTCOMES = ['confirmed', 'not_confirmed', 'unreachable', 'not_needed'] as const;

export interface AlertEvent {
  leafIndex: number;
  recordId: string;
  at: string;
  by: string;
  action: string;
  details: Record<string, unknown>;
}

export interface Alert {
  id: string;
  leafIndex: number;
  updatedIndex: number;
  type: string;
  rule: string;
  severity: Severity;
  policyVersion: number;
  state: AlertState;
  assignee: string | null;
  raisedAt: string;
  raisedBy: string;
  subject: {
    messageId: string | null;
    platformMessageId: string | null;
    conversationId: string | null;
    clientId: string | null;
    orderId: string | null;
  };
  spans: { start: number; end: number; what: string }[];
  evidence: Record<string, unknown>;
  task: {
    kind: string;
    target: string | null;
    instruction: string;
    outcome: { outcome: string; note: string | null; by: string; at: string } | null;
  } | null;
  approval: { by: string; at: string; note: string | null } | null;
  closeReason: string | null;
  history: AlertEvent[];
}

export interface User {
  username: string;
  role: Role;
  desks: string[];
  totpEnrolled: boolean;
  locked: boolean;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export const TOKEN_SCOPES = ['ingest', 'read', 'review', 'admin'] as const;

export interface ApiToken {
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt?: string | null;
}

export interface AuditEvent {
  index: number;
  action: string;
  actor: string;
  at: string;
  from: string | null;
  target: string | null;
  detail: unknown;
}

export interface OrderWarning {
  code: string;
  message: string;
}

/** An order as /api/v1/orders lists it: the order, the message it was read from, and who took part. */
export interface OrderView extends Order {
  messageIndex: number;
  messageId: string;
  ordinal: number;
  platform: string;
  conversationId: string;
  platformMessageId: string | null;
  sentAt: string;
  messageKind: string;
  revises: string | null;
  revisedByOrderId: string | null;
  sender: string;
  clientId: string | null;
  staffId: string | null;
  confidence: number;
  changesOrderId: string | null;
  ackMessageIndex: number | null;
  warnings: OrderWarning[];
  language: string;
}

/** A reconciliation exception: what does not agree between a chat order and the firm's order book. */
export interface ReconcileException {
  type: string;
  messageId: string | null;
  platformMessageId: string | null;
  /** The firm's order id, when a firm order is involved. */
  orderId: string | null;
  details: Record<string, unknown>;
}

/** The firm order a chat order was entered as: its entry, changes, cancellation and fills. */
export interface FirmOrder {
  orderId: string;
  account: string | null;
  symbol: string;
  side: string | null;
  entered: { quantity: number | null; orderType: string | null; limitPrice: number | null } | null;
  enteredAt: string;
  channel: string | null;
  status: string | null;
  changes: { at: string | null; quantity: number | null; orderType: string | null; limitPrice: number | null }[];
  cancelledAt: string | null;
  fills: { execId: string; quantity: number; price: number; at: string | null }[];
}

export interface OrderTrail {
  order: OrderView;
  /** The message's text, which the order's spans point into. */
  text: string | null;
  firmOrder: FirmOrder | null;
  delayMs: number | null;
  exceptions: ReconcileException[];
  acknowledgement: { language: string; text: string } | null;
}

export interface ChannelState {
  channel: string;
  platform: string;
  status: string;
  reason: string;
  lastEventAt: string | null;
}

/** What `steno verify` found the last time it checked the whole ledger. */
export interface Verification {
  at: string;
  ok: boolean;
  records: number;
  checkpoints?: number;
  problems: number;
  seconds?: number;
}

export interface Dashboard {
  days: number;
  messagesPerDay: { day: string; platform: string; count: number }[];
  alerts: {
    byType: { type: string; open: number; inReview: number; escalated: number; closed: number }[];
    openByAge: { age: string; count: number }[];
  };
  ledger: {
    treeSize: number;
    latestCheckpoint: { size: number; createdAt: string } | null;
    lastVerification: Verification | null;
  };
  channels: ChannelState[] | null;
}

export interface ExceptionRow extends ReconcileException {
  desk: string | null;
  day: string | null;
  conversationId: string | null;
}

export interface Reconciliation {
  period: { from: string; to: string };
  chatOrders: number;
  /** Firm-wide: null for a reader behind a desk's barrier. */
  firmOrders: number | null;
  exceptions: ExceptionRow[];
  byType: Record<string, number>;
  byDesk: Record<string, number>;
  byDay: { day: string; type: string; count: number }[];
  delays: {
    count: number;
    p50: number | null;
    p90: number | null;
    p99: number | null;
    max: number | null;
    /** Matched orders by delay; the last bucket (upToMinutes null) is everything slower. */
    histogram: { upToMinutes: number | null; count: number }[];
  };
  /** Firm-wide: null for a reader behind a desk's barrier. */
  unreconciled: { noClient: number; noAccount: number; changeOfUnknownOrder: number } | null;
}

export interface StaffEntry {
  kind: 'staff';
  id: string;
  name: string;
  desk: string;
  supervisorId: string | null;
  handles: string[];
}

export interface ClientEntry {
  kind: 'client';
  id: string;
  name: string;
  accounts: string[];
  handles: string[];
  verifiedAt: string | null;
  verifiedBy: string | null;
  verificationMethod: string | null;
  acknowledgement: string | null;
  imInstructed: boolean;
}

export interface PolicyInForce {
  /** The ledger index of the record that set it. */
  version: number;
  recordId: string;
  recordedAt: string;
  by: string;
  file: string | null;
  policy: Record<string, unknown>;
}

/** The filters an evidence export takes, each optional (docs/console.md). */
export const EXPORT_FILTERS = ['conversation', 'q', 'platform', 'from', 'to', 'client', 'staff', 'desk'] as const;
export type ExportFilters = Record<(typeof EXPORT_FILTERS)[number], string>;

export interface ExportPreview {
  messages: number;
  conversations: number;
  attachments: number;
}
