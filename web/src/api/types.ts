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
