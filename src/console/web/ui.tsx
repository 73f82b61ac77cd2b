import { createContext, type ComponentChildren, type JSX } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './api.js';
import { age, formatDuration, formatTime, slaClock } from './format.js';
import type { Lang, Translate } from './i18n.js';
import { navigate } from './router.js';
import type { Incident, IncidentStatus, Priority, Severity, Viewer } from './types.js';

export interface AppContext {
  lang: Lang;
  t: Translate;
  viewer: Viewer;
}

export const App = createContext<AppContext>(null as unknown as AppContext);
export const useApp = () => useContext(App);

/** The current time, moving on every `everyMs` (ages and SLA clocks). */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

export type Loaded<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; error: unknown };

/** Loads with `load` whenever `deps` change; `reload` loads again and keeps showing the old value meanwhile. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const controller = new AbortController();
    latest.current(controller.signal).then(
      (value) => !controller.signal.aborted && setLoaded({ state: 'ready', value }),
      (error: unknown) => !controller.signal.aborted && setLoaded({ state: 'error', error }),
    );
    return () => controller.abort();
  }, [...deps, round]);
  return [loaded, useCallback(() => setRound((r) => r + 1), [])];
}

/** The document's title (and the pop-up's count in front of it, see main.tsx). */
export const PageTitle = createContext<(title: string | null) => void>(() => {});
export function useTitle(title: string | null): void {
  const set = useContext(PageTitle);
  useEffect(() => set(title), [title, set]);
}

export function Link(props: { href: string; class?: string; children: ComponentChildren; 'aria-current'?: 'page' | undefined }) {
  const onClick = (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} aria-current={props['aria-current']} onClick={onClick}>
      {props.children}
    </a>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  const { t } = useApp();
  return <span class={`badge sev-${severity}`}>{t(`severity.${severity}`)}</span>;
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  const { t } = useApp();
  return <span class="badge priority">{t(`priority.${priority}`)}</span>;
}

export function StatusBadge({ status }: { status: IncidentStatus }) {
  const { t } = useApp();
  return <span class={`badge status-${status}`}>{t(`status.${status}`)}</span>;
}

/** A moment in the viewer's zone, with the exact ISO time on hover and for machines. */
export function Time({ iso, relative, now }: { iso: string | null; relative?: boolean; now?: number }) {
  const { lang, t } = useApp();
  if (!iso) return <span>{t('common.none')}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {relative && now !== undefined ? age(iso, now, lang) : formatTime(iso, lang)}
    </time>
  );
}

export function Problem({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useApp();
  return (
    <div class="problem" role="alert">
      <p>{t('common.error', { message: errorText(error) })}</p>
      {retry ? (
        <button type="button" onClick={retry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Loading() {
  const { t } = useApp();
  return <p class="muted">{t('common.loading')}</p>;
}

/** A list table's header row: its columns, and an unlabelled last one for the row's buttons. */
export function TableHead({ columns }: { columns: string[] }) {
  const { t } = useApp();
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        <th scope="col">
          <span class="sr-only">{t('incident.actions')}</span>
        </th>
      </tr>
    </thead>
  );
}

/** A list page's body: the action's problem if any, then loading, the load's error, the empty text, or the list. */
export function ListBody<T>(props: { problem: string | null; loaded: Loaded<T>; retry: () => void; empty: (value: T) => string | null; children: (value: T) => ComponentChildren }) {
  const { problem, loaded } = props;
  const empty = loaded.state === 'ready' ? props.empty(loaded.value) : null;
  return (
    <>
      {problem ? (
        <p class="problem" role="alert">
          {problem}
        </p>
      ) : null}
      {loaded.state === 'loading' ? (
        <Loading />
      ) : loaded.state === 'error' ? (
        <Problem error={loaded.error} retry={props.retry} />
      ) : empty !== null ? (
        <p class="empty">{empty}</p>
      ) : (
        props.children(loaded.value)
      )}
    </>
  );
}

export function Flags({ incident }: { incident: Incident }) {
  const { t, lang } = useApp();
  return (
    <>
      {incident.flapping ? <span class="flag flapping">{t('flag.flapping')}</span> : null}
      {incident.suppressed ? <span class="flag suppressed">{t('flag.suppressed')}</span> : null}
      {incident.selfHealed ? <span class="flag healed">{t('flag.selfHealed')}</span> : null}
      {incident.pageHeldUntil && incident.status !== 'resolved' ? (
        <span class="flag held">{t('flag.held', { time: formatTime(incident.pageHeldUntil, lang) })}</span>
      ) : null}
    </>
  );
}

/** The SLA clock in words: time left to acknowledge / resolve, or marked when missed. */
export function SlaText({ incident, now }: { incident: Incident; now: number }) {
  const { t, lang } = useApp();
  const clock = slaClock(incident, now);
  if (clock.phase === null) return clock.state === 'met' ? <span class="sla-met">{t('sla.met')}</span> : <span class="muted">{t('sla.none')}</span>;
  if (clock.state === 'running') {
    const left = formatDuration(clock.leftMs, lang);
    return <span class="sla-running">{t(clock.phase === 'acknowledge' ? 'sla.ackIn' : 'sla.resolveIn', { left })}</span>;
  }
  const text =
    clock.overMs === null
      ? t(clock.phase === 'acknowledge' ? 'sla.ackMissedShort' : 'sla.resolveMissedShort')
      : t(clock.phase === 'acknowledge' ? 'sla.ackMissed' : 'sla.resolveMissed', { over: formatDuration(clock.overMs, lang) });
  return <strong class="sla-missed">{text}</strong>;
}
