/**
 * The evidence export builder: a selection of messages (prefilled from the route, as the search page's
 * "Export these results" gives it), counted first, then downloaded as an evidence package (ZIP) that
 * anyone can check offline. Exports are narrowed to the reader's desks, and each is in the access log.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { api, download } from '../api/client';
import { EXPORT_FILTERS, type ExportFilters, type ExportPreview, PLATFORMS } from '../api/types';
import type { Route } from '../app/router';
import { Field, optionsOf, SelectField } from '../ui/Field';
import { formatNumber, formatSize } from '../ui/format';
import { useAction, useLoad } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';
import { saveBlob } from '../ui/save';

function filtersFrom(params: URLSearchParams): ExportFilters {
  return Object.fromEntries(EXPORT_FILTERS.map((name) => [name, params.get(name) ?? ''])) as ExportFilters;
}

/** The request body: the filters that are set, as the server takes them. */
function selectionOf(filters: ExportFilters): Partial<ExportFilters> {
  return Object.fromEntries(
    Object.entries(filters)
      .map(([name, value]) => [name, value.trim()])
      .filter(([, value]) => value !== ''),
  );
}

export function ExportPage({ route }: { route: Route }) {
  const routeKey = route.params.toString();
  const [filters, setFilters] = useState(() => filtersFrom(route.params));
  const [preview, setPreview] = useState<{ selection: string; counts: ExportPreview } | null>(null);
  const [outcome, setOutcome] = useState('');
  const desks = useLoad<{ desks: string[] }>('/api/v1/desks');
  const counting = useAction();
  const building = useAction();

  useEffect(() => setFilters(filtersFrom(new URLSearchParams(routeKey))), [routeKey]);

  const selection = selectionOf(filters);
  const selectionKey = JSON.stringify(selection);
  // Counts answer the selection they were made for; once the form changes they no longer hold.
  const counts = preview !== null && preview.selection === selectionKey ? preview.counts : null;

  const submitPreview = (event: FormEvent) => {
    event.preventDefault();
    void counting.run(async () => {
      const answer = await api<ExportPreview>('POST', '/api/v1/exports/preview', selection);
      setPreview({ selection: selectionKey, counts: answer });
    });
  };

  const downloadPackage = () =>
    void building.run(async () => {
      setOutcome('');
      const { blob, filename } = await download('/api/v1/exports', selection);
      const name = filename ?? 'steno-evidence.zip';
      saveBlob(blob, name);
      setOutcome(`Downloaded ${name} (${formatSize(blob.size)}).`);
    });

  const set = (key: keyof ExportFilters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));
  const deskOptions = [...new Set([...(desks.data?.desks ?? []), ...(filters.desk === '' ? [] : [filters.desk])])];

  return (
    <>
      <PageHeading title="Evidence export" />
      <p>
        An evidence package holds the selected messages, their attachments, a readable transcript and a proof that each
        record is in the signed ledger. The ZIP unzips to a folder that <code>steno verify-package DIR</code> checks
        offline.
      </p>
      <form onSubmit={submitPreview}>
        <fieldset className="filters">
          <legend>Selection (every filter that is set must match)</legend>
          <Field
            label="Search words"
            type="search"
            value={filters.q}
            onChange={set('q')}
            hint={
              <>
                As on the search page: <code>"exact phrase"</code>, <code>a OR b</code>, <code>-exclude</code>.
              </>
            }
          />
          <Field label="Conversation id" value={filters.conversation} onChange={set('conversation')} />
          <SelectField
            label="Platform"
            value={filters.platform}
            onChange={set('platform')}
            options={optionsOf(PLATFORMS)}
            anyLabel="Any platform"
          />
          <SelectField
            label="Desk"
            value={filters.desk}
            onChange={set('desk')}
            options={optionsOf(deskOptions)}
            anyLabel="Every desk you may see"
          />
          <Field label="Staff (employee id)" value={filters.staff} onChange={set('staff')} />
          <Field label="Client (client id)" value={filters.client} onChange={set('client')} />
          <Field label="From" type="date" value={filters.from} onChange={set('from')} />
          <Field label="To (inclusive)" type="date" value={filters.to} onChange={set('to')} />
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={counting.busy}>
            Preview
          </button>
          <button type="button" className="primary" disabled={building.busy} onClick={downloadPackage}>
            {building.busy ? 'Building…' : 'Download package'}
          </button>
        </div>
      </form>
      <ErrorMessage error={desks.error ?? counting.error ?? building.error} />
      <StatusLine>{counting.busy ? 'Counting…' : counts !== null && <PreviewText counts={counts} />}</StatusLine>
      <StatusLine>{building.busy ? 'Building the package…' : outcome}</StatusLine>
    </>
  );
}

const plural = (n: number, word: string) => `${word}${n === 1 ? '' : 's'}`;

function PreviewText({ counts }: { counts: ExportPreview }) {
  return (
    <>
      The package would hold <strong data-testid="preview-messages">{formatNumber(counts.messages)}</strong>{' '}
      {plural(counts.messages, 'message')} from <strong>{formatNumber(counts.conversations)}</strong>{' '}
      {plural(counts.conversations, 'conversation')}, with <strong>{formatNumber(counts.attachments)}</strong>{' '}
      {plural(counts.attachments, 'attachment')}.
    </>
  );
}
