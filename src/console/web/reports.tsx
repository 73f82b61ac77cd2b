import type { ComponentChildren } from 'preact';
import { api } from './api.js';
import { DurationLines, ShareBar, StackedBars } from './charts.js';
import { formatDay, formatDuration, formatPercent, formatTime } from './format.js';
import { cappedList } from './report-shape.js';
import { navigate } from './router.js';
import { severities, type OnCallAnswer, type Priority, type Severity } from './types.js';
import { Link, Loading, PriorityBadge, Problem, SeverityBadge, useApp, useLoad, useTitle } from './ui.js';

/** The parts of the report summary (src/reports/types.ts) the page shows; lists may come capped. */
interface Stats {
  count: number;
  median: number | null;
  p90: number | null;
}
interface Compliance {
  measured: number;
  met: number;
  missed: number;
  pending: number;
  rate: number | null;
  target: number;
  status: 'met' | 'missed' | 'no_data';
}
interface Summary {
  period: { since: number; until: number; timeZone: string; team: string | null };
  empty: boolean;
  incidents: { total: number; bySeverity: Record<Severity, number>; byPriority: Record<Priority, number>; resolved: number };
  mtta: Stats;
  mttr: Stats;
  sla: { ack: Compliance; resolve: Compliance; byPriority: { priority: Priority; ack: Compliance; resolve: Compliance }[] };
  open: unknown;
  noisiestAlerts: { alertname: string; incidents: number; alerts: number; receives: number }[];
  flapping: unknown;
  selfHealed: unknown;
  runbooks: { runs: number; successRate: number | null };
  escalations: { escalations: number; exhausted: number };
  pages: { total: number; night: number; nightHours: { start: string; end: string }; byPerson: { person: string; name: string; pages: number; nightPages: number; failed: number; share: number }[] };
  info: unknown;
  daily: { date: string; bySeverity: Record<Severity, number>; total: number; mtta: number | null; mttr: number | null }[];
}
interface ListedIncident {
  id: number;
  title: string;
  severity?: Severity;
  priority?: Priority;
  team: string | null;
  service?: string | null;
  ageMs?: number;
  createdAt?: number;
  reopens?: number;
}

const periods = ['1d', '7d', '30d', '90d'] as const;

const isInstant = (v: string | null): boolean => v !== null && /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(v);

/** A period's figures for a team, as charts and tables, from the same module as the digests. */
export function ReportsPage({ search }: { search: string }) {
  const { t, lang } = useApp();
  useTitle(t('reports.title'));
  const params = new URLSearchParams(search);
  // A period as the picker offers it, or a fixed one (a digest's link: since and until as RFC 3339 times).
  const fixed = isInstant(params.get('since')) && isInstant(params.get('until'));
  const since = fixed ? params.get('since')! : (periods as readonly string[]).includes(params.get('since') ?? '') ? params.get('since')! : '7d';
  const until = fixed ? params.get('until')! : null;
  const team = params.get('team') || null;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [loaded, reload] = useLoad(
    (signal) => {
      const q = new URLSearchParams({ since, tz: zone });
      if (until) q.set('until', until);
      if (team) q.set('team', team);
      return api<Summary>(`/api/v1/reports/summary?${q.toString()}`, { signal });
    },
    [since, until, team, zone],
  );
  const [teams] = useLoad((signal) => api<OnCallAnswer>('/api/v1/oncall', { signal }), []);
  const teamNames = teams.state === 'ready' ? teams.value.teams.map((x) => x.team) : [];
  const go = (change: { since?: string; team?: string | null }) => {
    const q = new URLSearchParams();
    const s = change.since ?? since;
    const tm = change.team === undefined ? team : change.team;
    if (s !== '7d') q.set('since', s);
    if (until && s === since) q.set('until', until);
    if (tm) q.set('team', tm);
    const text = q.toString();
    navigate(`/reports${text ? `?${text}` : ''}`, { replace: true });
  };

  return (
    <section class="reports">
      <h1>{t('reports.title')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t('reports.period')}</span>
          <select value={since} onChange={(e) => go({ since: e.currentTarget.value })}>
            {fixed && <option value={since}>{t('reports.period.fixed')}</option>}
            {periods.map((p) => (
              <option key={p} value={p}>
                {t(`reports.period.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('reports.team')}</span>
          <select value={team ?? ''} onChange={(e) => go({ team: e.currentTarget.value || null })}>
            <option value="">{t('reports.allTeams')}</option>
            {[...new Set([...teamNames, ...(team ? [team] : [])])].map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {loaded.state === 'loading' ? <Loading /> : loaded.state === 'error' ? <Problem error={loaded.error} retry={reload} /> : <Figures s={loaded.value} lang={lang} />}
    </section>
  );
}

function Card({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="card">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

function Figures({ s, lang }: { s: Summary; lang: 'en' | 'zh-CN' }) {
  const { t } = useApp();
  const d = (ms: number | null) => (ms === null ? t('common.none') : formatDuration(ms, lang));
  const names = Object.fromEntries(severities.map((x) => [x, t(`severity.${x}`)])) as Record<Severity, string>;
  const open = cappedList<ListedIncident>(s.open);
  const info = cappedList<ListedIncident>(s.info);
  const flapping = cappedList<ListedIncident>(s.flapping);
  const compliance = (c: Compliance) =>
    c.status === 'no_data' ? t('reports.sla.noData') : `${formatPercent(c.rate, lang)} · ${t('reports.sla.measured', { met: c.met, measured: c.measured, pending: c.pending })}`;
  return (
    <>
      <p class="muted">
        {t('reports.range', { since: formatTime(s.period.since, lang), until: formatTime(s.period.until, lang), zone: s.period.timeZone })}
      </p>
      {s.empty ? <p class="empty">{t('reports.empty')}</p> : null}
      <div class="cards">
        <Card title={t('reports.incidents')}>
          <p class="big">{s.incidents.total}</p>
          <p class="muted small">{t('reports.resolvedOf', { resolved: s.incidents.resolved })}</p>
        </Card>
        <Card title={t('reports.mtta')}>
          <p class="big">{d(s.mtta.median)}</p>
          <p class="muted small">
            {t('reports.median')} · {t('reports.p90')} {d(s.mtta.p90)}
          </p>
        </Card>
        <Card title={t('reports.mttr')}>
          <p class="big">{d(s.mttr.median)}</p>
          <p class="muted small">
            {t('reports.median')} · {t('reports.p90')} {d(s.mttr.p90)}
          </p>
        </Card>
        <Card title={t('reports.sla.ack')}>
          <p class={`big sla-${s.sla.ack.status}`}>{formatPercent(s.sla.ack.rate, lang)}</p>
          <ShareBar rate={s.sla.ack.rate} target={s.sla.ack.target} className={`sla-${s.sla.ack.status}`} />
          <p class="muted small">{t('reports.sla.target', { target: formatPercent(s.sla.ack.target, lang) })}</p>
        </Card>
        <Card title={t('reports.sla.resolve')}>
          <p class={`big sla-${s.sla.resolve.status}`}>{formatPercent(s.sla.resolve.rate, lang)}</p>
          <ShareBar rate={s.sla.resolve.rate} target={s.sla.resolve.target} className={`sla-${s.sla.resolve.status}`} />
          <p class="muted small">{t('reports.sla.target', { target: formatPercent(s.sla.resolve.target, lang) })}</p>
        </Card>
      </div>

      <section aria-labelledby="per-day">
        <h2 id="per-day">{t('reports.perDay')}</h2>
        <StackedBars days={s.daily} label={t('reports.perDay')} lang={lang} names={names} />
        <details>
          <summary>{t('reports.perDay')}</summary>
          <table class="numbers">
            <thead>
              <tr>
                <th scope="col">{t('reports.col.date')}</th>
                {severities.map((x) => (
                  <th scope="col" key={x}>
                    {names[x]}
                  </th>
                ))}
                <th scope="col">{t('reports.col.total')}</th>
                <th scope="col">MTTA</th>
                <th scope="col">MTTR</th>
              </tr>
            </thead>
            <tbody>
              {s.daily.map((day) => (
                <tr key={day.date}>
                  <th scope="row">{formatDay(day.date, lang)}</th>
                  {severities.map((x) => (
                    <td key={x}>{day.bySeverity[x]}</td>
                  ))}
                  <td>{day.total}</td>
                  <td>{d(day.mtta)}</td>
                  <td>{d(day.mttr)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </section>

      <section aria-labelledby="times-per-day">
        <h2 id="times-per-day">{t('reports.timesPerDay')}</h2>
        <DurationLines
          dates={s.daily.map((x) => x.date)}
          label={t('reports.timesPerDay')}
          lang={lang}
          series={[
            { name: 'MTTA', className: 'line-mtta', values: s.daily.map((x) => x.mtta) },
            { name: 'MTTR', className: 'line-mttr', values: s.daily.map((x) => x.mttr) },
          ]}
        />
      </section>

      <section aria-labelledby="sla">
        <h2 id="sla">{t('reports.sla')}</h2>
        <table class="numbers">
          <thead>
            <tr>
              <th scope="col">{t('reports.col.priority')}</th>
              <th scope="col">{t('reports.sla.ack')}</th>
              <th scope="col">{t('reports.sla.resolve')}</th>
            </tr>
          </thead>
          <tbody>
            {s.sla.byPriority.map((p) => (
              <tr key={p.priority}>
                <th scope="row">
                  <PriorityBadge priority={p.priority} />
                </th>
                <td class={`sla-${p.ack.status}`}>{compliance(p.ack)}</td>
                <td class={`sla-${p.resolve.status}`}>{compliance(p.resolve)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="noisiest">
        <h2 id="noisiest">{t('reports.noisiest')}</h2>
        <table class="numbers">
          <thead>
            <tr>
              <th scope="col">{t('reports.col.alert')}</th>
              <th scope="col">{t('reports.col.incidents')}</th>
              <th scope="col">{t('reports.col.receives')}</th>
            </tr>
          </thead>
          <tbody>
            {(Array.isArray(s.noisiestAlerts) ? s.noisiestAlerts : []).map((n) => (
              <tr key={n.alertname}>
                <th scope="row">{n.alertname}</th>
                <td>{n.incidents}</td>
                <td>{n.receives}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="pages">
        <h2 id="pages">{t('reports.pages')}</h2>
        <p class="muted">{t('reports.pages.total', { total: s.pages.total, night: s.pages.night, start: s.pages.nightHours.start, end: s.pages.nightHours.end })}</p>
        <table class="numbers">
          <thead>
            <tr>
              <th scope="col">{t('reports.pages.person')}</th>
              <th scope="col">{t('reports.pages.pages')}</th>
              <th scope="col">{t('reports.pages.night')}</th>
              <th scope="col">{t('reports.pages.failed')}</th>
              <th scope="col">{t('reports.pages.share')}</th>
            </tr>
          </thead>
          <tbody>
            {s.pages.byPerson.map((p) => (
              <tr key={p.person}>
                <th scope="row">{p.name}</th>
                <td>{p.pages}</td>
                <td>{p.nightPages}</td>
                <td>{p.failed}</td>
                <td class="with-bar">
                  <span>{formatPercent(p.share, lang)}</span>
                  <ShareBar rate={p.share} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="more-figures" class="cards">
        <h2 id="more-figures" class="sr-only">
          {t('reports.escalations')}
        </h2>
        <Card title={t('reports.escalations')}>
          <p>{t('reports.escalations.summary', { count: s.escalations.escalations, exhausted: s.escalations.exhausted })}</p>
        </Card>
        <Card title={t('reports.runbooks')}>
          <p>{t('reports.runbooks.summary', { runs: s.runbooks.runs, rate: formatPercent(s.runbooks.successRate, lang) })}</p>
        </Card>
        <Card title={t('reports.selfHealed')}>
          <p class="big">{cappedList(s.selfHealed).total}</p>
        </Card>
      </section>

      <IncidentList title={t('reports.open')} list={open} />
      <IncidentList title={t('reports.flapping')} list={flapping} />
      <IncidentList title={t('reports.info')} list={info} />
    </>
  );
}

function IncidentList({ title, list }: { title: string; list: { items: ListedIncident[]; total: number } }) {
  const { t, lang } = useApp();
  if (list.total === 0) return null;
  return (
    <section>
      <h2>
        {title} ({list.total})
      </h2>
      <ul class="plain incident-list">
        {list.items.map((i) => (
          <li key={i.id}>
            {i.severity ? <SeverityBadge severity={i.severity} /> : null} <Link href={`/incidents/${i.id}`}>{`#${i.id} ${i.title}`}</Link>{' '}
            <span class="muted small">
              {[i.team, i.service].filter(Boolean).join(' / ')}
              {i.ageMs !== undefined ? ` · ${formatDuration(i.ageMs, lang)}` : ''}
              {i.reopens !== undefined ? ` · ${i.reopens}×` : ''}
            </span>
          </li>
        ))}
      </ul>
      {list.total > list.items.length ? <p class="muted">{t('reports.more', { count: list.total - list.items.length })}</p> : null}
    </section>
  );
}
