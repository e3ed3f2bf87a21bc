import { Fragment, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AccountPage } from '../account/AccountPage';
import { AdminPage } from '../admin/AdminPage';
import { AlertsPage } from '../alerts/AlertsPage';
import { ApiError, api, messageOf, setCsrfToken, whenSessionLost } from '../api/client';
import { ROLES, type Role, type Session } from '../api/types';
import { AuditPage } from '../audit/AuditPage';
import { ConversationPage } from '../conversation/ConversationPage';
import { DashboardPage } from '../dashboard/DashboardPage';
import { DirectoryPage } from '../directory/DirectoryPage';
import { ExportPage } from '../export/ExportPage';
import { OrderPage } from '../orders/OrderPage';
import { OrdersPage } from '../orders/OrdersPage';
import { PolicyPage } from '../policy/PolicyPage';
import { ReconciliationPage } from '../reconciliation/ReconciliationPage';
import { SearchPage } from '../search/SearchPage';
import { SignIn } from '../sign-in/SignIn';
import { href, navigate, type Route, useRoute } from './router';
import { READER_ROLES, SessionContext } from './session';

interface Screen {
  /** The route's first segment. */
  path: string;
  label: string;
  roles: readonly Role[];
  /** Listed in the navigation; the others are reached by links (a conversation from a search result). */
  inNav: boolean;
  render: (route: Route) => ReactNode;
}

/** Every screen and who may use it; the navigation shows a person only theirs, and the first is where they land. */
const SCREENS: readonly Screen[] = [
  { path: 'dashboard', label: 'Dashboard', roles: ROLES, inNav: true, render: (r) => <DashboardPage route={r} /> },
  { path: 'search', label: 'Search', roles: READER_ROLES, inNav: true, render: (r) => <SearchPage route={r} /> },
  { path: 'alerts', label: 'Alerts', roles: READER_ROLES, inNav: true, render: () => <AlertsPage /> },
  {
    path: 'orders',
    label: 'Orders',
    roles: READER_ROLES,
    inNav: true,
    render: (r) => {
      const id = r.segments[1];
      return id === undefined ? <OrdersPage route={r} /> : <OrderPage key={id} orderId={id} />;
    },
  },
  {
    path: 'reconciliation',
    label: 'Reconciliation',
    roles: READER_ROLES,
    inNav: true,
    render: (r) => <ReconciliationPage route={r} />,
  },
  { path: 'export', label: 'Export', roles: READER_ROLES, inNav: true, render: (r) => <ExportPage route={r} /> },
  // Admins keep the directory; readers look people up in it.
  { path: 'directory', label: 'Directory', roles: ROLES, inNav: true, render: () => <DirectoryPage /> },
  { path: 'policy', label: 'Policy', roles: ROLES, inNav: true, render: () => <PolicyPage /> },
  { path: 'audit', label: 'Audit', roles: ['auditor'], inNav: true, render: (r) => <AuditPage route={r} /> },
  { path: 'admin', label: 'Admin', roles: ['admin'], inNav: true, render: (r) => <AdminPage route={r} /> },
  { path: 'account', label: 'Account', roles: ROLES, inNav: false, render: () => <AccountPage /> },
  {
    path: 'conversations',
    label: 'Conversation',
    roles: READER_ROLES,
    inNav: false,
    render: (r) => {
      const id = r.segments[1] ?? '';
      const at = Number(r.params.get('at') ?? Number.NaN);
      return <ConversationPage key={id} conversationId={id} at={Number.isInteger(at) ? at : null} />;
    },
  },
];

export function App() {
  // undefined while the first answer is awaited; null when signed out.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const wasReady = useRef(false);

  const accept = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    if (next === null && wasReady.current) setNotice('Your session ended. Sign in again to continue.');
    if (next !== null) setNotice(null);
    wasReady.current = next?.stage === 'ready';
    setSession(next);
  }, []);

  const reload = useCallback(async () => {
    try {
      accept(await api<Session>('GET', '/api/v1/session'));
      setLoadError(null);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) accept(null);
      else setLoadError(error);
    }
  }, [accept]);

  useEffect(() => {
    whenSessionLost(() => void reload());
    void reload();
  }, [reload]);

  const signOut = useCallback(async () => {
    try {
      await api('DELETE', '/api/v1/session');
    } catch {
      // Signed out either way: the cookie is dropped with the session, or the session was gone already.
    }
    wasReady.current = false;
    accept(null);
  }, [accept]);

  if (session === undefined) {
    return (
      <main id="main" className="loading">
        {loadError === null ? <p role="status">Loading…</p> : <p role="alert">{messageOf(loadError)}</p>}
      </main>
    );
  }
  if (session === null || session.stage !== 'ready') {
    return <SignIn session={session} notice={notice} onSession={accept} onCancel={() => void signOut()} />;
  }
  return (
    <SessionContext.Provider value={{ session, signOut: () => void signOut() }}>
      <Shell session={session} onSignOut={() => void signOut()} />
    </SessionContext.Provider>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const { role, username, desks } = session.user;
  const allowed = useMemo(() => SCREENS.filter((s) => s.roles.includes(role)), [role]);
  const screen = allowed.find((s) => s.path === route.segments[0]);
  const home = allowed.find((s) => s.inNav);

  useEffect(() => {
    if (screen === undefined && home !== undefined) navigate(href([home.path]), { replace: true });
  }, [screen, home]);

  return (
    <>
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <span className="brand">Steno</span>
        <nav aria-label="Main" className="main-nav">
          <ul className="nav-list">
            {allowed
              .filter((s) => s.inNav)
              .map((s) => (
                <li key={s.path}>
                  <a href={href([s.path])} aria-current={s === screen ? 'page' : undefined}>
                    {s.label}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            <a href={href(['account'])} aria-current={screen?.path === 'account' ? 'page' : undefined}>
              <strong>{username}</strong>
              <span className="visually-hidden"> (your account)</span>
            </a>{' '}
            · {role}
            {desks.length > 0 && <> · {desks.join(', ')}</>}
          </span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {screen === undefined ? (
          home === undefined && <p role="alert">The role {role} has no screens in this console.</p>
        ) : (
          <Fragment key={screen.path}>{screen.render(route)}</Fragment>
        )}
      </main>
    </>
  );
}
