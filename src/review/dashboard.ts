/**
 * The console's dashboard: messages per day by platform, the alert queue by type and age, the
 * ledger's state (latest checkpoint, last full verification), and capture channel health. Desk-scoped
 * callers see the counts of their desks' conversations only.
 */
import type { ChannelState } from '../capture/channels/health.js';
import type { StoredAlert } from '../surveil/alerts/model.js';

const DAY_MS = 86_400_000;
/** Ages an open alert is counted under, in hours: under a day, under three, under a week, older. */
const AGE_BUCKETS = [
  { label: '<1d', maxHours: 24 },
  { label: '1-3d', maxHours: 72 },
  { label: '3-7d', maxHours: 168 },
  { label: '>7d', maxHours: Number.POSITIVE_INFINITY },
] as const;

/** What the dashboard needs of storage: message counts per UTC day and platform. */
export interface MessageCounts {
  messageCountsByDay(fromMs: number, conversationIds?: readonly string[]): Promise<DayCount[]>;
}

export interface DayCount {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  platform: string;
  count: number;
}

export interface Dashboard {
  days: number;
  messagesPerDay: DayCount[];
  alerts: {
    byType: { type: string; open: number; inReview: number; escalated: number; closed: number }[];
    /** Alerts not closed, by how long ago they were raised. */
    openByAge: { age: string; count: number }[];
  };
  ledger: {
    treeSize: number;
    latestCheckpoint: { size: number; createdAt: string } | null;
    lastVerification: Record<string, unknown> | null;
  };
  channels: ChannelState[] | null;
}

export function dayOf(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** Counts alerts by type and state, and the ones still open by age. */
export function alertFigures(alerts: readonly StoredAlert[], nowMs: number): Dashboard['alerts'] {
  const byType = new Map<string, Dashboard['alerts']['byType'][number]>();
  const ages = AGE_BUCKETS.map((b) => ({ age: b.label, count: 0 }));
  for (const a of alerts) {
    const row = byType.get(a.type) ?? { type: a.type, open: 0, inReview: 0, escalated: 0, closed: 0 };
    if (a.state === 'open') row.open++;
    else if (a.state === 'in_review') row.inReview++;
    else if (a.state === 'escalated') row.escalated++;
    else row.closed++;
    byType.set(a.type, row);
    if (a.state === 'closed') continue;
    const hours = (nowMs - Date.parse(a.raisedAt)) / 3_600_000;
    const bucket = AGE_BUCKETS.findIndex((b) => hours < b.maxHours);
    ages[bucket]!.count++;
  }
  return { byType: [...byType.values()].sort((a, b) => a.type.localeCompare(b.type)), openByAge: ages };
}
