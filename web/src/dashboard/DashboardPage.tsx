/**
 * The dashboard, where everyone lands: messages per day by platform, the alert queue by type, state and
 * age, the ledger's state and its last full verification, and the health of the capture channels. The
 * server sends each role only the figures it may see, counted over its desks.
 */
import { useId } from 'react';
import { query } from '../api/client';
import { type ChannelState, type Dashboard, PLATFORMS, type Verification } from '../api/types';
import { href, navigate, type Route } from '../app/router';
import { READER_ROLES, useSession } from '../app/session';
import { BarChart } from '../ui/charts';
import { SelectField } from '../ui/Field';
import { formatNumber, formatTime, utcDay, words } from '../ui/format';
import { useLoad } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';

const PERIODS = [7, 30, 90] as const;
const DEFAULT_PERIOD = 30;
const DAY_MS = 86_400_000;

export function DashboardPage({ route }: { route: Route }) {
  const { session } = useSession();
  const readsMessages = READER_ROLES.includes(session.user.role);
  const asked = Number(route.params.get('days'));
  const days = (PERIODS as readonly number[]).includes(asked) ? asked : DEFAULT_PERIOD;
  const dashboard = useLoad<Dashboard>(`/api/v1/dashboard${query({ days })}`);
  const data = dashboard.data;
  return (
    <>
      <PageHeading title="Dashboard" />
      <div className="toolbar">
        <SelectField
          label="Period"
          value={String(days)}
          onChange={(value) => navigate(href(['dashboard'], { days: value }))}
          options={PERIODS.map((p) => ({ value: String(p), label: `Last ${p} days` }))}
        />
      </div>
      <StatusLine>{dashboard.loading ? 'Loading the dashboard…' : ''}</StatusLine>
      <ErrorMessage error={dashboard.error} />
      {data !== undefined && (
        <>
          {readsMessages ? (
            <>
              <MessagesPerDay rows={data.messagesPerDay} days={data.days} />
              <AlertFigures alerts={data.alerts} />
            </>
          ) : (
            <p className="muted">Message and alert figures are shown to the roles that read messages.</p>
          )}
          <div className="dashboard-pair">
            <LedgerState ledger={data.ledger} />
            <Channels channels={data.channels} />
          </div>
        </>
      )}
    </>
  );
}

/** Platforms in the order the archive lists them; one it does not know counts as `other`. */
function platformIndex(platform: string): number {
  const i = (PLATFORMS as readonly string[]).indexOf(platform);
  return i === -1 ? PLATFORMS.length - 1 : i;
}

/** A platform's colour in the chart (styles.css). */
const platformClass = (platform: string) => `series-${platformIndex(platform)}`;

/** Every UTC day of the period, oldest first, as the server counts them. */
function periodDays(days: number, seen: readonly string[]): string[] {
  const today = Math.floor(Date.now() / DAY_MS);
  const all = new Set(Array.from({ length: days }, (_, i) => utcDay((today - days + 1 + i) * DAY_MS)));
  // A day the server counted that this clock does not put in the period (the clocks differ) still shows.
  for (const day of seen) all.add(day);
  return [...all].sort();
}

function MessagesPerDay({ rows, days }: { rows: Dashboard['messagesPerDay']; days: number }) {
  const headingId = useId();
  const platforms = [...new Set(rows.map((r) => r.platform))].sort(
    (a, b) => platformIndex(a) - platformIndex(b) || a.localeCompare(b),
  );
  const counts = new Map(rows.map((r) => [`${r.day} ${r.platform}`, r.count]));
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const bars = periodDays(
    days,
    rows.map((r) => r.day),
  ).map((day) => ({
    label: day,
    axisLabel: day.slice(5),
    values: platforms.map((p) => counts.get(`${day} ${p}`) ?? 0),
  }));
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Messages per day</h2>
      {total === 0 ? (
        <p className="empty">No messages were archived in this period.</p>
      ) : (
        <BarChart
          title={`Messages per day by platform, last ${days} days (UTC)`}
          summary={`${formatNumber(total)} messages in all`}
          categoryHeader="Day (UTC)"
          bars={bars}
          series={platforms.map((p) => ({ label: p, className: platformClass(p) }))}
          legend
          height={200}
        />
      )}
    </section>
  );
}

const AGES: Record<string, string> = {
  '<1d': 'under a day',
  '1-3d': '1 to 3 days',
  '3-7d': '3 to 7 days',
  '>7d': 'over a week',
};

function AlertFigures({ alerts }: { alerts: Dashboard['alerts'] }) {
  const headingId = useId();
  const open = alerts.openByAge.reduce((sum, a) => sum + a.count, 0);
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Alerts</h2>
      <p className="hint">Every alert, whenever it was raised: the period above counts messages only.</p>
      <div className="dashboard-pair">
        {alerts.byType.length === 0 ? (
          <p className="empty">No alerts.</p>
        ) : (
          <table className="data figures">
            <caption>By type and state</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Open</th>
                <th scope="col">In review</th>
                <th scope="col">Escalated</th>
                <th scope="col">Closed</th>
              </tr>
            </thead>
            <tbody>
              {alerts.byType.map((row) => (
                <tr key={row.type}>
                  <th scope="row">{words(row.type)}</th>
                  <td>{formatNumber(row.open)}</td>
                  <td>{formatNumber(row.inReview)}</td>
                  <td>{formatNumber(row.escalated)}</td>
                  <td>{formatNumber(row.closed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div>
          <h3>Not closed, by age</h3>
          <BarChart
            title="Alerts not closed, by age"
            summary={`${formatNumber(open)} not closed`}
            categoryHeader="Raised"
            bars={alerts.openByAge.map((a) => ({ label: AGES[a.age] ?? a.age, values: [a.count] }))}
            series={[{ label: 'Alerts', className: 'series-bar' }]}
            height={170}
          />
        </div>
      </div>
    </section>
  );
}

function LedgerState({ ledger }: { ledger: Dashboard['ledger'] }) {
  const headingId = useId();
  const checkpoint = ledger.latestCheckpoint;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Ledger</h2>
      <dl className="facts">
        <dt>Records</dt>
        <dd>{formatNumber(ledger.treeSize)}</dd>
        <dt>Latest checkpoint</dt>
        <dd>
          {checkpoint === null ? (
            'none signed yet'
          ) : (
            <>
              {formatNumber(checkpoint.size)} records, signed{' '}
              <time dateTime={checkpoint.createdAt}>{formatTime(checkpoint.createdAt)}</time>
            </>
          )}
        </dd>
        <dt>Last full verification</dt>
        <dd>
          <VerificationText verification={ledger.lastVerification} />
        </dd>
      </dl>
    </section>
  );
}

function VerificationText({ verification }: { verification: Verification | null }) {
  if (verification === null) {
    return (
      <>
        Never verified: run <code>steno verify</code>.
      </>
    );
  }
  const problems = `${formatNumber(verification.problems)} problem${verification.problems === 1 ? '' : 's'}`;
  return (
    <>
      <span className={verification.ok ? 'tag tag--ok' : 'tag tag--bad'}>{verification.ok ? 'OK' : 'FAILED'}</span>{' '}
      <time dateTime={verification.at}>{formatTime(verification.at)}</time>: {formatNumber(verification.records)}{' '}
      records checked, {problems}
    </>
  );
}

const STATUS_CLASS: Record<string, string> = { ok: 'tag tag--ok', learning: 'tag' };

function Channels({ channels }: { channels: ChannelState[] | null }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Capture channels</h2>
      {channels === null || channels.length === 0 ? (
        <p className="empty">No capture channel has delivered anything yet.</p>
      ) : (
        <table className="data">
          <caption className="visually-hidden">Capture channels and their health</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Platform</th>
              <th scope="col">Status</th>
              <th scope="col">Why</th>
              <th scope="col">Last event</th>
            </tr>
          </thead>
          <tbody>
            {channels.map((c) => (
              <tr key={c.channel}>
                <th scope="row" className="wrap">
                  {c.channel}
                </th>
                <td>{c.platform}</td>
                <td>
                  <span className={STATUS_CLASS[c.status] ?? 'tag tag--bad'}>{c.status}</span>
                </td>
                <td>{c.reason}</td>
                <td>
                  {c.lastEventAt === null ? 'never' : <time dateTime={c.lastEventAt}>{formatTime(c.lastEventAt)}</time>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
