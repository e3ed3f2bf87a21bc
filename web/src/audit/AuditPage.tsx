/**
 * The access log (auditors): who signed in, searched, viewed, exported or changed what, newest first,
 * filtered through the route (`#/audit?actor=…`) and downloadable as JSON Lines.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { api, query } from '../api/client';
import type { AuditEvent } from '../api/types';
import { href, navigate, type Route } from '../app/router';
import { Field } from '../ui/Field';
import { formatTime } from '../ui/format';
import { useAction } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';

const PAGE_SIZE = 100;
const FILTERS = ['actor', 'action', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function filtersFrom(params: URLSearchParams): Filters {
  return {
    actor: params.get('actor') ?? '',
    action: params.get('action') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

const setOnly = (f: Filters) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ''));

export function AuditPage({ route }: { route: Route }) {
  const routeKey = route.params.toString();
  const [filters, setFilters] = useState(() => filtersFrom(route.params));
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [more, setMore] = useState(false);
  const load = useAction();

  useEffect(() => setFilters(filtersFrom(new URLSearchParams(routeKey))), [routeKey]);

  const { run } = load;
  useEffect(() => {
    const applied = filtersFrom(new URLSearchParams(routeKey));
    let current = true;
    setEvents(null);
    void run(async () => {
      const answer = await api<{ events: AuditEvent[] }>(
        'GET',
        `/api/v1/audit${query({ ...applied, limit: PAGE_SIZE })}`,
      );
      if (!current) return;
      setEvents(answer.events);
      setMore(answer.events.length === PAGE_SIZE);
    });
    return () => {
      current = false;
    };
  }, [routeKey, run]);

  const loadOlder = () =>
    void load.run(async () => {
      const last = events?.at(-1);
      if (events === null || last === undefined) return;
      const applied = filtersFrom(new URLSearchParams(routeKey));
      const answer = await api<{ events: AuditEvent[] }>(
        'GET',
        `/api/v1/audit${query({ ...applied, limit: PAGE_SIZE, before: last.index })}`,
      );
      setEvents([...events, ...answer.events]);
      setMore(answer.events.length === PAGE_SIZE);
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(href(['audit'], setOnly(filters)));
  };
  const set = (key: keyof Filters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));

  return (
    <>
      <PageHeading title="Access log" />
      <form className="toolbar" onSubmit={submit} aria-label="Filter the access log">
        <Field label="Actor" value={filters.actor} onChange={set('actor')} />
        <Field label="Action" value={filters.action} onChange={set('action')} />
        <Field label="From" type="date" value={filters.from} onChange={set('from')} />
        <Field label="To (inclusive)" type="date" value={filters.to} onChange={set('to')} />
        <button type="submit" className="primary">
          Filter
        </button>
        <a className="button" href="/api/v1/audit/export" download>
          Download the whole log (JSON Lines)
        </a>
      </form>
      <StatusLine>
        {load.busy ? 'Loading…' : events === null ? '' : `${events.length}${more ? '+' : ''} events`}
      </StatusLine>
      <ErrorMessage error={load.error} />
      {events !== null && events.length > 0 && (
        <>
          <table className="data audit">
            <caption className="visually-hidden">Access events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Ledger</th>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">From</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.index}>
                  <td>#{e.index}</td>
                  <td>
                    <time dateTime={e.at}>{formatTime(e.at)}</time>
                  </td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td className="wrap">{e.target ?? ''}</td>
                  <td>{e.from ?? ''}</td>
                  <td className="wrap detail">{detailText(e.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {more && (
            <button type="button" onClick={loadOlder} disabled={load.busy}>
              Older events
            </button>
          )}
        </>
      )}
      {events !== null && events.length === 0 && <p className="empty">No events match.</p>}
    </>
  );
}

function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}
