/**
 * Orders read from chat, newest first, filtered through the route (`#/orders?symbol=700`) so that a
 * list can be reloaded and returned to; each links to its trail. Older orders are appended page by page.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { api, query } from '../api/client';
import type { OrderView } from '../api/types';
import { conversationHref, href, navigate, orderHref, type Route } from '../app/router';
import { Field, optionsOf, SelectField } from '../ui/Field';
import { formatNumber, formatTime } from '../ui/format';
import { useAction } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';
import { describeOrder } from './describe';

const PAGE_SIZE = 50;
const FILTERS = ['symbol', 'side', 'action', 'client', 'staff', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function filtersFrom(params: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? ''])) as Filters;
}

const setOnly = (f: Filters) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ''));

interface Page {
  /** The route it answers: a page shows only under its own filters. */
  key: string;
  orders: OrderView[];
  more: boolean;
}

export function OrdersPage({ route }: { route: Route }) {
  const routeKey = route.params.toString();
  const [filters, setFilters] = useState(() => filtersFrom(route.params));
  const [page, setPage] = useState<Page | null>(null);
  const load = useAction();
  const older = useAction();

  // Back and forward change the route: the form follows it.
  useEffect(() => setFilters(filtersFrom(new URLSearchParams(routeKey))), [routeKey]);

  const { run } = load;
  useEffect(() => {
    const applied = setOnly(filtersFrom(new URLSearchParams(routeKey)));
    let current = true;
    void run(async () => {
      const answer = await api<{ orders: OrderView[] }>(
        'GET',
        `/api/v1/orders${query({ ...applied, limit: PAGE_SIZE })}`,
      );
      if (!current) return;
      setPage({ key: routeKey, orders: answer.orders, more: answer.orders.length === PAGE_SIZE });
    });
    return () => {
      current = false;
    };
  }, [routeKey, run]);

  const shown = page !== null && page.key === routeKey ? page : null;

  const loadOlder = () =>
    void older.run(async () => {
      const last = shown?.orders.at(-1);
      if (shown === null || last === undefined) return;
      const applied = setOnly(filtersFrom(new URLSearchParams(routeKey)));
      const answer = await api<{ orders: OrderView[] }>(
        'GET',
        `/api/v1/orders${query({ ...applied, limit: PAGE_SIZE, before: last.messageIndex })}`,
      );
      setPage({ ...shown, orders: [...shown.orders, ...answer.orders], more: answer.orders.length === PAGE_SIZE });
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(href(['orders'], setOnly(filters)));
  };
  const set = (key: keyof Filters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));

  return (
    <>
      <PageHeading title="Orders" />
      <form onSubmit={submit}>
        <fieldset className="filters">
          <legend>Filters</legend>
          <Field
            label="Symbol"
            value={filters.symbol}
            onChange={set('symbol')}
            hint="As written: 700, Tencent, 0700.HK."
          />
          <SelectField
            label="Side"
            value={filters.side}
            onChange={set('side')}
            options={optionsOf(['buy', 'sell'])}
            anyLabel="Any side"
          />
          <SelectField
            label="Action"
            value={filters.action}
            onChange={set('action')}
            options={optionsOf(['new', 'amend', 'cancel'])}
            anyLabel="Any action"
          />
          <Field label="Client (client id)" value={filters.client} onChange={set('client')} />
          <Field label="Staff (employee id)" value={filters.staff} onChange={set('staff')} />
          <Field label="From" type="date" value={filters.from} onChange={set('from')} />
          <Field label="To (inclusive)" type="date" value={filters.to} onChange={set('to')} />
        </fieldset>
        <button type="submit" className="primary">
          Filter
        </button>
      </form>
      <StatusLine>
        {shown === null
          ? load.busy && 'Loading orders…'
          : `${formatNumber(shown.orders.length)}${shown.more ? '+' : ''} order${shown.orders.length === 1 ? '' : 's'}`}
      </StatusLine>
      <ErrorMessage error={load.error} />
      {shown !== null && shown.orders.length === 0 && <p className="empty">No orders match.</p>}
      {shown !== null && shown.orders.length > 0 && (
        <>
          <table className="data">
            <caption className="visually-hidden">Orders read from chat, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Sent</th>
                <th scope="col">Order</th>
                <th scope="col">Client</th>
                <th scope="col">Staff</th>
                <th scope="col">Conversation</th>
                <th scope="col">Warnings</th>
              </tr>
            </thead>
            <tbody>
              {shown.orders.map((o) => (
                <tr key={o.id}>
                  <td>
                    <time dateTime={o.sentAt}>{formatTime(o.sentAt)}</time>
                  </td>
                  <th scope="row">
                    <a href={orderHref(o.id)}>{describeOrder(o)}</a>
                    {o.revisedByOrderId !== null && <span className="tag">edited later</span>}
                  </th>
                  <td>{o.clientId ?? <span className="muted">unknown</span>}</td>
                  <td>{o.staffId ?? <span className="muted">unknown</span>}</td>
                  <td className="wrap">
                    <a href={conversationHref(o.conversationId, o.messageIndex)}>{o.conversationId}</a>
                  </td>
                  <td>{o.warnings.map((w) => w.message).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ErrorMessage error={older.error} />
          {shown.more ? (
            <button type="button" onClick={loadOlder} disabled={older.busy}>
              {older.busy ? 'Loading…' : 'Older orders'}
            </button>
          ) : (
            <p className="end">No older orders.</p>
          )}
        </>
      )}
    </>
  );
}
