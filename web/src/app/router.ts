/**
 * A hash router: `#/search?q=…`, `#/conversations/<id>`. The server serves one index.html, so routes
 * live after the `#` and every screen keeps working on reload, back and forward.
 */
import { useSyncExternalStore } from 'react';

export interface Route {
  /** The decoded path segments: `#/conversations/a%2Fb` is ['conversations', 'a/b']. */
  segments: string[];
  params: URLSearchParams;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const currentHash = () => window.location.hash;

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash);
  return parseRoute(hash);
}

export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const questionMark = body.indexOf('?');
  const path = questionMark === -1 ? body : body.slice(0, questionMark);
  const search = questionMark === -1 ? '' : body.slice(questionMark + 1);
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, params: new URLSearchParams(search) };
}

/** The href of a route: segments are encoded one by one, so an id may hold `/`, `#` or `?`. */
export function href(segments: readonly string[], params?: Record<string, string | undefined>): string {
  const path = segments.map(encodeURIComponent).join('/');
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined) search.set(key, value);
  const text = search.toString();
  return `#/${path}${text === '' ? '' : `?${text}`}`;
}

/** Goes to a route; `replace` leaves no history entry (a redirect). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const hash = to.startsWith('#') ? to : `#${to}`;
  if (options.replace) window.location.replace(hash);
  else window.location.hash = hash;
}

export function conversationHref(conversationId: string, at?: number): string {
  return href(['conversations', conversationId], { at: at === undefined ? undefined : String(at) });
}

export function orderHref(orderId: string): string {
  return href(['orders', orderId]);
}
