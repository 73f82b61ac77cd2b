/** The console's pages are one document; moving between them is the history API (bookmarkable addresses). */

const EVENT = 'vigil:navigate';

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
}

/** Calls back on every change of address (links, back and forward). */
export function onNavigate(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  window.addEventListener(EVENT, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(EVENT, listener);
  };
}

export type Route =
  | { page: 'board' }
  | { page: 'sign-in' }
  | { page: 'incident'; id: number }
  | { page: 'oncall' }
  | { page: 'silences' }
  | { page: 'heartbeats' }
  | { page: 'reports' }
  | { page: 'not-found' };

export function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'board' };
  if (path === '/sign-in') return { page: 'sign-in' };
  if (path === '/oncall') return { page: 'oncall' };
  if (path === '/silences') return { page: 'silences' };
  if (path === '/heartbeats') return { page: 'heartbeats' };
  if (path === '/reports') return { page: 'reports' };
  const incident = /^\/incidents\/(\d{1,15})$/.exec(path);
  if (incident) return { page: 'incident', id: Number(incident[1]) };
  return { page: 'not-found' };
}
