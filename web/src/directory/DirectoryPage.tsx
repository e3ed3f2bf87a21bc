/**
 * The directory as it stands: staff with their desks and handles, clients with their accounts, handles
 * and how those handles were verified. It is what names the people in a conversation and decides its
 * desks. One filter box narrows both tables.
 */
import { useDeferredValue, useId, useState } from 'react';
import type { ClientEntry, StaffEntry } from '../api/types';
import { Field } from '../ui/Field';
import { formatNumber } from '../ui/format';
import { useLoad } from '../ui/hooks';
import { ErrorMessage, StatusLine } from '../ui/Messages';
import { PageHeading } from '../ui/PageHeading';

/** Whether any of the entry's values holds the filter text. */
function matches(entry: StaffEntry | ClientEntry, filter: string): boolean {
  if (filter === '') return true;
  const values = Object.values(entry).flatMap((v) => (Array.isArray(v) ? v : [v]));
  return values.some((v) => typeof v === 'string' && v.toLowerCase().includes(filter));
}

export function DirectoryPage() {
  const staff = useLoad<{ entries: StaffEntry[] }>('/api/v1/directory/staff');
  const clients = useLoad<{ entries: ClientEntry[] }>('/api/v1/directory/clients');
  const [filter, setFilter] = useState('');
  const needle = useDeferredValue(filter.trim().toLowerCase());
  const shownStaff = staff.data?.entries.filter((e) => matches(e, needle));
  const shownClients = clients.data?.entries.filter((e) => matches(e, needle));
  const names = new Map(staff.data?.entries.map((e) => [e.id, e.name]));
  const staffId = useId();
  const clientsId = useId();
  const counted = (shown: unknown[] | undefined, all: unknown[] | undefined, what: string) =>
    shown === undefined || all === undefined
      ? ''
      : `${formatNumber(shown.length)} of ${formatNumber(all.length)} ${what}`;

  return (
    <>
      <PageHeading title="Directory" />
      <div className="toolbar">
        <Field
          label="Filter"
          type="search"
          value={filter}
          onChange={setFilter}
          hint="Any part of a name, id, desk, account or handle."
        />
      </div>
      <StatusLine>
        {staff.loading || clients.loading
          ? 'Loading the directory…'
          : [counted(shownStaff, staff.data?.entries, 'staff'), counted(shownClients, clients.data?.entries, 'clients')]
              .filter((t) => t !== '')
              .join(', ')}
      </StatusLine>
      <ErrorMessage error={staff.error ?? clients.error} />
      {shownStaff !== undefined && (
        <section aria-labelledby={staffId}>
          <h2 id={staffId}>Staff</h2>
          {shownStaff.length === 0 ? (
            <p className="empty">No staff match.</p>
          ) : (
            <table className="data">
              <caption className="visually-hidden">Staff</caption>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Name</th>
                  <th scope="col">Desk</th>
                  <th scope="col">Supervisor</th>
                  <th scope="col">Handles</th>
                </tr>
              </thead>
              <tbody>
                {shownStaff.map((e) => (
                  <tr key={e.id}>
                    <td>{e.id}</td>
                    <th scope="row">{e.name}</th>
                    <td>{e.desk}</td>
                    <td>
                      {e.supervisorId === null
                        ? ''
                        : `${names.get(e.supervisorId) ?? 'not in the directory'} (${e.supervisorId})`}
                    </td>
                    <td>
                      <Handles handles={e.handles} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {shownClients !== undefined && (
        <section aria-labelledby={clientsId}>
          <h2 id={clientsId}>Clients</h2>
          {shownClients.length === 0 ? (
            <p className="empty">No clients match.</p>
          ) : (
            <table className="data">
              <caption className="visually-hidden">Clients</caption>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Name</th>
                  <th scope="col">Accounts</th>
                  <th scope="col">Handles</th>
                  <th scope="col">Verified</th>
                  <th scope="col">By</th>
                  <th scope="col">How</th>
                  <th scope="col">Orders by IM</th>
                </tr>
              </thead>
              <tbody>
                {shownClients.map((e) => (
                  <tr key={e.id}>
                    <td>{e.id}</td>
                    <th scope="row">{e.name}</th>
                    <td>{e.accounts.join(', ')}</td>
                    <td>
                      <Handles handles={e.handles} />
                    </td>
                    <td>{e.verifiedAt ?? <span className="muted">not verified</span>}</td>
                    <td>{e.verifiedBy ?? ''}</td>
                    <td>{e.verificationMethod ?? ''}</td>
                    <td>{e.imInstructed ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </>
  );
}

function Handles({ handles }: { handles: string[] }) {
  return (
    <ul className="plain-list">
      {handles.map((h) => (
        <li key={h} className="handle">
          {h}
        </li>
      ))}
    </ul>
  );
}
