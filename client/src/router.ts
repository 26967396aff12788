// Hash routing: #/landscapes, #/landscapes/<id>, #/paths/<id>, #/runs. Bookmarkable and shareable
// without any server-side routing.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'landscapes' }
  | { view: 'landscape'; id: string }
  | { view: 'path'; id: string }
  | { view: 'runs' }
  | { view: 'unknown'; hash: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts[0] === 'landscapes' && parts.length === 1)) return { view: 'landscapes' };
  if (parts[0] === 'landscapes' && parts.length === 2) return { view: 'landscape', id: parts[1] };
  if (parts[0] === 'paths' && parts.length === 2) return { view: 'path', id: parts[1] };
  if (parts[0] === 'runs' && parts.length === 1) return { view: 'runs' };
  return { view: 'unknown', hash };
}

export const href = {
  landscapes: () => '#/landscapes',
  landscape: (id: string) => `#/landscapes/${encodeURIComponent(id)}`,
  path: (id: string) => `#/paths/${encodeURIComponent(id)}`,
  runs: () => '#/runs',
};

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
