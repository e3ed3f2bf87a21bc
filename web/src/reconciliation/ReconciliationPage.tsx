/**
 * Chat orders reconciled with the firm's order book over a period (the last 30 days unless the route
 * says `#/reconciliation?from=…&to=…`): the exceptions by type, desk and day, how long entry took after
 * the chat, and each exception with its conversation and order. A reviewer sees their desks' only.
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import { query } from '../api/client';
import type { ExceptionRow, Reconciliation } from '../api/types';
import { conversationHref, href, navigate, orderHref, type Route } from '../app/router';
import { exceptionDetails } from '../orders/describe';
import { BarChart } from '../ui/charts';
import { Field } from '../ui/Field';
import { formatDuration, formatNumber, utcDay, words } from '../ui/format';
import { useLoad } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';

const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

interface Period {
  from: string;
  to: string;
}

/** The route's period, or the last 30 UTC days up to today. */
function periodFrom(params: URLSearchParams): Period {
  const now = Date.now();
  return {
    from: params.get('from') ?? utcDay(now - (DEFAULT_DAYS - 1) * DAY_MS),
    to: params.get('to') ?? utcDay(now),
  };
}

export function ReconciliationPage({ route }: { route: Route }) {
  const routeKey = route.params.toString();
  const applied = periodFrom(route.params);
  const [period, setPeriod] = useState(applied);
  const view = useLoad<Reconciliation>(`/api/v1/reconciliation${query({ from: applied.from, to: applied.to })}`);

  // Back and forward change the route: the form follows it.
  useEffect(() => setPeriod(periodFrom(new URLSearchParams(routeKey))), [routeKey]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(href(['reconciliation'], { from: period.from, to: period.to }));
  };
  const data = view.data;
  return (
    <>
      <PageHeading title="Reconciliation" />
      <form className="toolbar" onSubmit={submit} aria-label="Period">
        <Field label="From" type="date" value={period.from} onChange={(from) => setPeriod((p) => ({ ...p, from }))} />
        <Field
          label="To (inclusive)"
          type="date"
          value={period.to}
          onChange={(to) => setPeriod((p) => ({ ...p, to }))}
        />
        <button type="submit" className="primary">
          Reconcile
        </button>
      </form>
      <StatusLine>
        {view.loading
          ? 'Reconciling…'
          : data !== undefined &&
            `${formatNumber(data.exceptions.length)} exception${data.exceptions.length === 1 ? '' : 's'} from ${applied.from} to ${applied.to}.`}
      </StatusLine>
      <ErrorMessage error={view.error} />
      {data !== undefined && <Report view={data} />}
    </>
  );
}

function Report({ view }: { view: Reconciliation }) {
  const { unreconciled } = view;
  return (
    <>
      <dl className="facts summary">
        <dt>Orders given in chat</dt>
        <dd>{formatNumber(view.chatOrders)}</dd>
        {/* Firm-wide totals are not shown to a reader behind a desk's barrier: the server leaves them out. */}
        {view.firmOrders !== null && (
          <>
            <dt>Orders the firm entered</dt>
            <dd>{formatNumber(view.firmOrders)}</dd>
          </>
        )}
        {unreconciled !== null && (
          <>
            <dt>Not reconciled</dt>
            <dd>
              {formatNumber(unreconciled.noClient)} with no client identified, {formatNumber(unreconciled.noAccount)}{' '}
              whose client has no account on record, {formatNumber(unreconciled.changeOfUnknownOrder)} changing an order
              not found
            </dd>
          </>
        )}
      </dl>
      <div className="figure-tables">
        <CountTable
          caption="Exceptions by type"
          header="Type"
          rows={Object.entries(view.byType).map(([type, count]) => [words(type), count])}
        />
        <CountTable caption="Exceptions by desk" header="Desk" rows={Object.entries(view.byDesk)} />
        <ByDay rows={view.byDay} />
      </div>
      <Delays delays={view.delays} />
      <ExceptionList exceptions={view.exceptions} />
    </>
  );
}

function CountTable({
  caption,
  header,
  rows,
}: {
  caption: string;
  header: string;
  rows: readonly (readonly [string, number])[];
}) {
  return (
    <table className="data figures">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{header}</th>
          <th scope="col">Exceptions</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={2} className="empty">
              None
            </td>
          </tr>
        )}
        {rows.map(([label, count]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{formatNumber(count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Exceptions per day, a column per type. */
function ByDay({ rows }: { rows: Reconciliation['byDay'] }) {
  const types = [...new Set(rows.map((r) => r.type))].sort();
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const counts = new Map(rows.map((r) => [`${r.day} ${r.type}`, r.count]));
  return (
    <table className="data figures">
      <caption>Exceptions by day (UTC)</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          {types.map((t) => (
            <th key={t} scope="col">
              {words(t)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {days.length === 0 && (
          <tr>
            <td colSpan={types.length + 1} className="empty">
              None
            </td>
          </tr>
        )}
        {days.map((day) => (
          <tr key={day}>
            <th scope="row">{day}</th>
            {types.map((t) => (
              <td key={t}>{formatNumber(counts.get(`${day} ${t}`) ?? 0)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `up to 1 min`, `2 to 5 min`, `over 30 min`: each bucket from the bound before it. */
function bucketLabels(histogram: Reconciliation['delays']['histogram']): string[] {
  return histogram.map((bucket, i) => {
    const below = i === 0 ? null : (histogram[i - 1]?.upToMinutes ?? null);
    if (bucket.upToMinutes === null) return below === null ? 'any' : `over ${below} min`;
    return below === null ? `up to ${bucket.upToMinutes} min` : `${below} to ${bucket.upToMinutes} min`;
  });
}

function Delays({ delays }: { delays: Reconciliation['delays'] }) {
  const headingId = useId();
  const labels = bucketLabels(delays.histogram);
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>From chat to entry</h2>
      {delays.count === 0 ? (
        <p className="empty">No chat order was matched with a firm order in this period.</p>
      ) : (
        <div className="dashboard-pair">
          <BarChart
            title="Matched orders by how long entry took after the chat"
            summary={`${formatNumber(delays.count)} orders, half within ${formatDuration(delays.p50)}`}
            categoryHeader="Entered"
            bars={delays.histogram.map((bucket, i) => ({ label: labels[i]!, values: [bucket.count] }))}
            series={[{ label: 'Orders', className: 'series-bar' }]}
            height={180}
          />
          <dl className="facts">
            <dt>Matched orders</dt>
            <dd>{formatNumber(delays.count)}</dd>
            <dt>Median (p50)</dt>
            <dd>{formatDuration(delays.p50)}</dd>
            <dt>p90</dt>
            <dd>{formatDuration(delays.p90)}</dd>
            <dt>p99</dt>
            <dd>{formatDuration(delays.p99)}</dd>
            <dt>Slowest</dt>
            <dd>{formatDuration(delays.max)}</dd>
          </dl>
        </div>
      )}
    </section>
  );
}

/** The chat order an exception is about, as the exception's details name it. */
function chatOrderOf(row: ExceptionRow): { id?: string; messageIndex?: number } | null {
  const chat = row.details.chatOrder;
  return typeof chat === 'object' && chat !== null ? (chat as { id?: string; messageIndex?: number }) : null;
}

function ExceptionList({ exceptions }: { exceptions: ExceptionRow[] }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Exceptions</h2>
      {exceptions.length === 0 ? (
        <p className="empty">No exceptions in this period.</p>
      ) : (
        <table className="data">
          <caption className="visually-hidden">Each exception, with its conversation and orders</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Day</th>
              <th scope="col">Desk</th>
              <th scope="col">Conversation</th>
              <th scope="col">Chat order</th>
              <th scope="col">Firm order</th>
              <th scope="col">Message</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {exceptions.map((row, i) => {
              const chat = chatOrderOf(row);
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: exceptions have no id; the list is as the server ordered it
                <tr key={i}>
                  <th scope="row">{words(row.type)}</th>
                  <td className="nowrap">{row.day ?? ''}</td>
                  <td>{row.desk ?? <span className="muted">unknown</span>}</td>
                  <td className="wrap">
                    {row.conversationId === null ? (
                      <span className="muted">none</span>
                    ) : (
                      <a href={conversationHref(row.conversationId, chat?.messageIndex)}>{row.conversationId}</a>
                    )}
                  </td>
                  <td>{chat?.id === undefined ? '' : <a href={orderHref(chat.id)}>{chat.id}</a>}</td>
                  <td>{row.orderId ?? ''}</td>
                  <td className="wrap">{row.messageId ?? ''}</td>
                  <td className="wrap">{exceptionDetails(row.details)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
