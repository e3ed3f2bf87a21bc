/**
 * Search: the query and filters live in the route (`#/search?q=…`), so a search can be reloaded,
 * shared and returned to with Back; older results are appended page by page.
 */
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { api, query } from '../api/client';
import { PLATFORMS, type SearchAnswer, type SearchResult } from '../api/types';
import { conversationHref, href, navigate, type Route } from '../app/router';
import { useSession } from '../app/session';
import { CheckField, Field, optionsOf, SelectField } from '../ui/Field';
import { formatNumber, formatTime } from '../ui/format';
import { highlightTerms, termMatcher } from '../ui/highlight';
import { useAction } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';
import { PartyName } from '../ui/PartyName';

const PAGE_SIZE = 50;

interface Filters {
  q: string;
  platform: string;
  desk: string;
  staff: string;
  client: string;
  from: string;
  to: string;
  hasOrder: boolean;
  hasAlert: boolean;
}

function filtersFrom(params: URLSearchParams): Filters {
  const text = (name: string) => params.get(name) ?? '';
  return {
    q: text('q'),
    platform: text('platform'),
    desk: text('desk'),
    staff: text('staff'),
    client: text('client'),
    from: text('from'),
    to: text('to'),
    hasOrder: params.get('hasOrder') === 'true',
    hasAlert: params.get('hasAlert') === 'true',
  };
}

/** The route's parameters; q is always present once searched, so an empty query lists everything. */
function routeParams(f: Filters): Record<string, string | undefined> {
  const set = (value: string) => (value === '' ? undefined : value);
  return {
    q: f.q,
    platform: set(f.platform),
    desk: set(f.desk),
    staff: set(f.staff),
    client: set(f.client),
    from: set(f.from),
    to: set(f.to),
    hasOrder: f.hasOrder ? 'true' : undefined,
    hasAlert: f.hasAlert ? 'true' : undefined,
  };
}

interface Page {
  /** The route it answers: a page shows only under its own search, never under the next one's. */
  key: string;
  query: string;
  results: SearchResult[];
  terms: string[];
  more: boolean;
}

export function SearchPage({ route }: { route: Route }) {
  const { session } = useSession();
  const routeKey = route.params.toString();
  const searched = route.params.has('q');
  const [filters, setFilters] = useState(() => filtersFrom(route.params));
  const [page, setPage] = useState<Page | null>(null);
  const load = useAction();
  const older = useAction();
  const deskListId = useId();

  // Back and forward change the route: the form follows it.
  useEffect(() => setFilters(filtersFrom(new URLSearchParams(routeKey))), [routeKey]);

  const { run } = load;
  useEffect(() => {
    if (!searched) return;
    const f = filtersFrom(new URLSearchParams(routeKey));
    let current = true;
    void run(async () => {
      const answer = await api<SearchAnswer>('GET', `/api/v1/search${query({ ...routeParams(f), limit: PAGE_SIZE })}`);
      if (!current) return;
      const more = answer.results.length === PAGE_SIZE;
      setPage({ key: routeKey, query: f.q, results: answer.results, terms: answer.terms, more });
    });
    return () => {
      current = false;
    };
  }, [routeKey, searched, run]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(href(['search'], routeParams(filters)));
  };

  const shown = page !== null && page.key === routeKey ? page : null;

  const loadOlder = () =>
    void older.run(async () => {
      const last = shown?.results.at(-1);
      if (shown === null || last === undefined) return;
      const f = filtersFrom(new URLSearchParams(routeKey));
      const answer = await api<SearchAnswer>(
        'GET',
        `/api/v1/search${query({ ...routeParams(f), limit: PAGE_SIZE, before: last.leafIndex })}`,
      );
      setPage({
        ...shown,
        results: [...shown.results, ...answer.results],
        more: answer.results.length === PAGE_SIZE,
      });
    });

  const set =
    <K extends keyof Filters>(key: K) =>
    (value: Filters[K]) =>
      setFilters((f) => ({ ...f, [key]: value }));
  const matcher = useMemo(() => termMatcher(shown?.terms), [shown?.terms]);

  return (
    <>
      <PageHeading title="Search" />
      <search>
        <form className="search-form" onSubmit={submit}>
          <div className="search-box">
            <Field
              label="Search messages"
              type="search"
              value={filters.q}
              onChange={set('q')}
              hint={
                <>
                  Words must all match; <code>"exact phrase"</code>, <code>a OR b</code>, <code>-exclude</code>,{' '}
                  <code>prefix*</code>. Chinese works as typed.
                </>
              }
            />
            <button type="submit" className="primary">
              Search
            </button>
          </div>
          <fieldset className="filters">
            <legend>Filters</legend>
            <SelectField
              label="Platform"
              value={filters.platform}
              onChange={set('platform')}
              options={optionsOf(PLATFORMS)}
              anyLabel="Any platform"
            />
            <Field label="Desk" value={filters.desk} onChange={set('desk')} list={deskListId} />
            <datalist id={deskListId}>
              {session.user.desks.map((d) => (
                <option key={d} value={d} />
              ))}
            </datalist>
            <Field label="Staff (employee id)" value={filters.staff} onChange={set('staff')} />
            <Field label="Client (client id)" value={filters.client} onChange={set('client')} />
            <Field label="From" type="date" value={filters.from} onChange={set('from')} />
            <Field label="To (inclusive)" type="date" value={filters.to} onChange={set('to')} />
            <CheckField label="Gives an order" checked={filters.hasOrder} onChange={set('hasOrder')} />
            <CheckField label="Has an alert" checked={filters.hasAlert} onChange={set('hasAlert')} />
          </fieldset>
        </form>
      </search>

      <StatusLine>
        {searched && shown === null && load.error === null ? 'Searching…' : shown && describe(shown)}
      </StatusLine>
      <ErrorMessage error={load.error} />
      {shown !== null && shown.results.length > 0 && <ExportLink routeKey={routeKey} />}
      {shown !== null && shown.results.length === 0 && <p className="empty">Nothing matches.</p>}
      {shown !== null && shown.results.length > 0 && (
        <section aria-label="Results">
          <ol className="results">
            {shown.results.map((r) => (
              <ResultItem key={r.leafIndex} result={r} matcher={matcher} />
            ))}
          </ol>
          <ErrorMessage error={older.error} />
          {shown.more ? (
            <button type="button" onClick={loadOlder} disabled={older.busy}>
              {older.busy ? 'Loading…' : 'Older results'}
            </button>
          ) : (
            <p className="end">No older results.</p>
          )}
        </section>
      )}
    </>
  );
}

/** Opens the export builder with this search's query and filters (those an export takes). */
function ExportLink({ routeKey }: { routeKey: string }) {
  const f = filtersFrom(new URLSearchParams(routeKey));
  const set = (value: string) => (value === '' ? undefined : value);
  const target = href(['export'], {
    q: set(f.q),
    platform: set(f.platform),
    desk: set(f.desk),
    staff: set(f.staff),
    client: set(f.client),
    from: set(f.from),
    to: set(f.to),
  });
  return (
    <p className="export-link">
      <a href={target}>Export these results</a>
      {(f.hasOrder || f.hasAlert) && (
        <span className="hint">
          {' '}
          An export does not filter on orders or alerts: it holds every message the other filters match.
        </span>
      )}
    </p>
  );
}

/** `3 results for “hsbc”`: the count and the query it answers, read out when it arrives. */
function describe(page: Page): string {
  const count = `${formatNumber(page.results.length)}${page.more ? '+' : ''} result${page.results.length === 1 ? '' : 's'}`;
  return page.query === '' ? count : `${count} for “${page.query}”`;
}

function ResultItem({ result, matcher }: { result: SearchResult; matcher: RegExp | null }) {
  const content = result.content;
  const conversation = content?.conversationTitle ?? result.conversationId;
  const flags = result.resolved?.flags ?? [];
  return (
    <li className="result">
      <div className="result-meta">
        <time dateTime={result.sentAt}>{formatTime(result.sentAt)}</time>
        <span className="tag">{result.platform}</span>
        <a href={conversationHref(result.conversationId, result.leafIndex)}>{conversation}</a>
        <span className="sender">
          <PartyName party={result.resolved?.sender ?? null} handle={result.sender} senderName={content?.senderName} />
        </span>
        {result.kind !== 'message' && <span className="tag">{result.kind}</span>}
        {flags.map((flag) => (
          <span key={flag} className="tag tag--warn">
            {flag.replaceAll('-', ' ')}
          </span>
        ))}
      </div>
      <p className="result-text">
        {content?.text === undefined ? <span className="muted">(no text)</span> : highlightTerms(content.text, matcher)}
      </p>
      {content?.attachments !== undefined && content.attachments.length > 0 && (
        <p className="muted">Attachments: {content.attachments.map((a) => a.filename).join(', ')}</p>
      )}
    </li>
  );
}
