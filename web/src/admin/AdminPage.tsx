import { href, type Route } from '../app/router';
import { PageHeading } from '../ui/PageHeading';
import { TokensPanel } from './TokensPanel';
import { UsersPanel } from './UsersPanel';

const TABS = [
  { path: 'users', label: 'Users' },
  { path: 'tokens', label: 'API tokens' },
] as const;

/** Administration: people (`#/admin/users`) and machines (`#/admin/tokens`). */
export function AdminPage({ route }: { route: Route }) {
  const tab = route.segments[1] === 'tokens' ? 'tokens' : 'users';
  return (
    <>
      <PageHeading title="Administration" />
      <nav aria-label="Administration" className="tabs">
        <ul className="nav-list">
          {TABS.map((t) => (
            <li key={t.path}>
              <a href={href(['admin', t.path])} aria-current={t.path === tab ? 'page' : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {tab === 'users' ? <UsersPanel /> : <TokensPanel />}
    </>
  );
}
