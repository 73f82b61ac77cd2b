import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText, onSignedOut } from './api.js';
import { askForNotifications, listenForFirstGesture, notificationState, type NotificationState } from './attention.js';
import { tabTitle } from './alerting.js';
import { Board } from './board.js';
import { pickLanguage, translator, type Lang } from './i18n.js';
import { IncidentPage } from './incident.js';
import { live, type LiveState } from './live.js';
import { OnCallPage } from './oncall.js';
import { Alarms } from './alarms.js';
import { ReportsPage } from './reports.js';
import { navigate, onNavigate, routeOf } from './router.js';
import { SignIn } from './sign-in.js';
import { SilencesPage } from './silences.js';
import { HeartbeatsPage } from './heartbeats.js';
import type { Viewer } from './types.js';
import { App, Link, PageTitle, useApp } from './ui.js';

const LANG_KEY = 'vigil.lang';

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

function rememberLanguage(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Private mode without storage: the switch lasts for this page.
  }
}

const here = () => location.pathname + location.search;

function Root() {
  const [lang, setLang] = useState<Lang>(() => pickLanguage(storedLanguage(), navigator.languages ?? [navigator.language]));
  const t = useMemo(() => translator(lang), [lang]);
  const [session, setSession] = useState<Viewer | 'signed-out' | null>(null);
  const [sessionError, setSessionError] = useState<string | null>(null);
  const [address, setAddress] = useState(here);
  const [pageTitle, setPageTitle] = useState<string | null>(null);
  const [waiting, setWaiting] = useState(0);

  useEffect(() => onNavigate(() => setAddress(here())), []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    document.title = tabTitle(waiting, pageTitle);
  }, [waiting, pageTitle]);

  const loadSession = useCallback(() => {
    api<Viewer>('/api/v1/session', { quiet401: true }).then(
      (v) => {
        setSessionError(null);
        setSession(v);
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) setSession('signed-out');
        else setSessionError(errorText(err));
      },
    );
  }, []);
  useEffect(loadSession, [loadSession]);
  useEffect(() => onSignedOut(() => setSession('signed-out')), []);
  useEffect(listenForFirstGesture, []);

  const pathname = new URL(address, location.origin).pathname;
  const route = routeOf(pathname);
  // A new page takes the focus (as a page load would), so screen readers start at its content; filters that only
  // change the query keep it where it is.
  const firstPath = useRef(pathname);
  useEffect(() => {
    if (pathname === firstPath.current) return;
    firstPath.current = '';
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [pathname]);
  useEffect(() => {
    if (session === 'signed-out' && route.page !== 'sign-in') navigate(`/sign-in?next=${encodeURIComponent(here())}`, { replace: true });
    if (session && session !== 'signed-out' && route.page === 'sign-in') navigate(nextAfterSignIn(), { replace: true });
  }, [session, route.page]);

  const viewer = session && session !== 'signed-out' ? session : null;
  useEffect(() => {
    if (!viewer) return;
    live.start();
    return () => live.stop();
  }, [viewer?.person, viewer?.via]);

  const switchLanguage = () => {
    const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
    rememberLanguage(other);
    setLang(other);
  };

  if (sessionError) {
    return (
      <main id="main" class="narrow">
        <div class="problem" role="alert">
          <p>{t('common.error', { message: sessionError })}</p>
          <button type="button" onClick={loadSession}>
            {t('common.retry')}
          </button>
        </div>
      </main>
    );
  }
  if (session === null) return <p class="muted boot">{t('common.loading')}</p>;
  const context = { lang, t, viewer: viewer ?? { person: null, name: '', admin: false, via: 'none', open: false } };
  return (
    <App.Provider value={context}>
      <PageTitle.Provider value={setPageTitle}>
        <a class="skip" href="#main">
          {t('app.skip')}
        </a>
        {viewer ? (
          <Header
            viewer={viewer}
            path={route.page}
            onSignOut={() => {
              live.stop();
              setSession('signed-out');
            }}
            onLanguage={switchLanguage}
          />
        ) : (
          <header class="top">
            <span class="brand">Vigil</span>
            <button type="button" class="link-button" lang={lang === 'en' ? 'zh-CN' : 'en'} onClick={switchLanguage}>
              {t('nav.language')}
            </button>
          </header>
        )}
        {viewer?.open ? (
          <p class="banner-open" role="note">
            {t('banner.open')}
          </p>
        ) : null}
        <main id="main" tabIndex={-1}>
          {!viewer ? (
            <SignIn onSignedIn={setSession} />
          ) : route.page === 'board' ? (
            <Board search={new URL(address, location.origin).search} />
          ) : route.page === 'incident' ? (
            <IncidentPage id={route.id} />
          ) : route.page === 'oncall' ? (
            <OnCallPage />
          ) : route.page === 'silences' ? (
            <SilencesPage search={new URL(address, location.origin).search} />
          ) : route.page === 'heartbeats' ? (
            <HeartbeatsPage />
          ) : route.page === 'reports' ? (
            <ReportsPage search={new URL(address, location.origin).search} />
          ) : route.page === 'sign-in' ? null : (
            <NotFound />
          )}
        </main>
        {viewer ? <Alarms onWaiting={setWaiting} /> : null}
      </PageTitle.Provider>
    </App.Provider>
  );
}

/** Where sign-in leads: the page that asked for it (same origin only), else the board. */
function nextAfterSignIn(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}

function Header(props: { viewer: Viewer; path: string; onSignOut: () => void; onLanguage: () => void }) {
  const { t, lang } = useApp();
  const [liveState, setLiveState] = useState<LiveState>(live.current);
  const [permission, setPermission] = useState<NotificationState>(notificationState);
  useEffect(() => live.subscribe({ state: setLiveState }), []);
  const signOut = async () => {
    try {
      await api('/api/v1/session', { method: 'DELETE' });
    } finally {
      props.onSignOut();
    }
  };
  const item = (page: string, href: string, label: string) => (
    <li>
      <Link href={href} aria-current={props.path === page ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );
  return (
    <header class="top">
      <Link href="/" class="brand">
        Vigil
      </Link>
      <nav aria-label={t('nav.label')}>
        <ul>
          {item('board', '/', t('nav.board'))}
          {item('oncall', '/oncall', t('nav.oncall'))}
          {item('silences', '/silences', t('nav.silences'))}
          {item('heartbeats', '/heartbeats', t('nav.heartbeats'))}
          {item('reports', '/reports', t('nav.reports'))}
        </ul>
      </nav>
      <div class="tools">
        <span class={`live live-${liveState}`}>{t(liveState === 'polling' ? 'live.polling' : liveState === 'live' ? 'live.live' : 'live.offline')}</span>
        {permission === 'default' ? (
          <button type="button" class="link-button" onClick={() => void askForNotifications().then(setPermission)}>
            {t('nav.notifications')}
          </button>
        ) : null}
        <button type="button" class="link-button" lang={lang === 'en' ? 'zh-CN' : 'en'} onClick={props.onLanguage}>
          {t('nav.language')}
        </button>
        {props.viewer.open ? null : (
          <>
            <span class="who">{t('nav.signedInAs', { name: props.viewer.name })}</span>
            <button type="button" class="link-button" onClick={() => void signOut()}>
              {t('nav.signOut')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}

function NotFound() {
  const { t } = useApp();
  return (
    <section class="narrow">
      <h1>{t('notFound.title')}</h1>
      <p>
        <Link href="/">{t('incident.back')}</Link>
      </p>
    </section>
  );
}

const root = document.getElementById('app');
if (root) render(<Root />, root);
