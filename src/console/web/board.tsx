import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, errorText, post } from './api.js';
import { boardSearch, defaultSort, incidentsRequest, parseBoardQuery, patchRows, tabs, type BoardQuery, type Tab } from './board-query.js';
import { formatNumber } from './format.js';
import type { MessageKey } from './i18n.js';
import { live } from './live.js';
import { navigate } from './router.js';
import { severities, type Incident, type OnCallAnswer } from './types.js';
import { Flags, Link, PriorityBadge, Problem, SeverityBadge, SlaText, StatusBadge, Time, useApp, useNow, useTitle } from './ui.js';

/** Rows per page: the board pages on the server (keyset cursor), so 10,000 open incidents cost one page. */
const PAGE = 100;
const MAX_PAGE = 500;

type Counts = Record<Tab, number>;
interface IncidentPage {
  incidents: Incident[];
  next: string | null;
  counts?: Counts;
}

const tabLabel: Record<Tab, MessageKey> = {
  open: 'status.open',
  triggered: 'status.triggered',
  acknowledged: 'status.acknowledged',
  resolved: 'status.resolved',
  all: 'status.all',
};

/** The board: open incidents most urgent first, patched in place from live events; tabs and filters in the URL. */
export function Board({ search }: { search: string }) {
  const { t, lang, viewer } = useApp();
  useTitle(null);
  const query = useMemo(() => parseBoardQuery(search), [search]);
  const [rows, setRowsState] = useState<Incident[]>([]);
  const [next, setNextState] = useState<string | null>(null);
  const [counts, setCounts] = useState<Counts | null>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | { error: unknown }>('loading');
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [bulk, setBulk] = useState<{ busy: boolean; message: string }>({ busy: false, message: '' });
  const [teams, setTeams] = useState<string[]>([]);
  const now = useNow();

  // Live batches and paging act on the latest rows, not the ones of the last render.
  const current = useRef({ rows, next, query, generation: 0 });
  current.current.query = query;
  const setRows = (r: Incident[]) => {
    current.current.rows = r;
    setRowsState(r);
  };
  const setNext = (n: string | null) => {
    current.current.next = n;
    setNextState(n);
  };

  const loadFirst = useCallback(async (keep: number) => {
    const generation = current.current.generation;
    const q = current.current.query;
    const page = await api<IncidentPage>(incidentsRequest(q, { limit: Math.min(MAX_PAGE, Math.max(PAGE, keep)), counts: true }));
    if (generation !== current.current.generation) return;
    setRows(page.incidents);
    setNext(page.next);
    setCounts(page.counts ?? null);
  }, []);

  useEffect(() => {
    current.current.generation++;
    setStatus('loading');
    setSelected(new Set());
    setBulk({ busy: false, message: '' });
    loadFirst(PAGE).then(
      () => setStatus('ready'),
      (error: unknown) => setStatus({ error }),
    );
  }, [query, loadFirst]);

  useEffect(() => {
    api<OnCallAnswer>('/api/v1/oncall').then(
      (a) => setTeams(a.teams.map((x) => x.team)),
      () => setTeams([]),
    );
  }, []);

  useEffect(() => {
    let refetch: number | undefined;
    let recount: number | undefined;
    const scheduleRefetch = () => {
      window.clearTimeout(refetch);
      refetch = window.setTimeout(() => void loadFirst(current.current.rows.length).catch(() => undefined), 300);
    };
    const scheduleRecount = () => {
      recount ??= window.setTimeout(() => {
        recount = undefined;
        const generation = current.current.generation;
        api<IncidentPage>(incidentsRequest(current.current.query, { limit: 1, counts: true })).then(
          (p) => generation === current.current.generation && p.counts && setCounts(p.counts),
          () => undefined,
        );
      }, 1000);
    };
    const off = live.subscribe({
      batch(b) {
        const { rows: loaded, next: more, query: q } = current.current;
        const patched = patchRows(loaded, b.incidents, q, more === null);
        setRows(patched.rows);
        if (patched.refetch) scheduleRefetch();
        scheduleRecount();
      },
      reset: scheduleRefetch,
    });
    return () => {
      off();
      window.clearTimeout(refetch);
      window.clearTimeout(recount);
    };
  }, [loadFirst]);

  // A selection only holds rows that are still shown.
  useEffect(() => {
    if ([...selected].some((id) => !rows.some((r) => r.id === id))) setSelected(new Set([...selected].filter((id) => rows.some((r) => r.id === id))));
  }, [rows, selected]);

  const loadMore = async () => {
    const generation = current.current.generation;
    try {
      const page = await api<IncidentPage>(incidentsRequest(query, { cursor: current.current.next, limit: PAGE, counts: false }));
      if (generation !== current.current.generation) return;
      const have = new Set(current.current.rows.map((r) => r.id));
      setRows([...current.current.rows, ...page.incidents.filter((i) => !have.has(i.id))]);
      setNext(page.next);
    } catch (error) {
      setBulk({ busy: false, message: t('common.error', { message: errorText(error) }) });
    }
  };

  const apply = (change: Partial<BoardQuery>, push = false) => navigate(`/${boardSearch({ ...query, ...change })}`, { replace: !push });

  const act = async (action: 'acknowledge' | 'resolve') => {
    const ids = [...selected];
    if (ids.length === 0) return;
    setBulk({ busy: true, message: '' });
    let ok = 0;
    const failed: string[] = [];
    // A few at a time: each is its own action on the timeline, under the viewer's name.
    for (let i = 0; i < ids.length; i += 4) {
      await Promise.all(
        ids.slice(i, i + 4).map(async (id) => {
          try {
            const incident = await post<Incident>(`/api/v1/incidents/${id}/${action}`);
            ok++;
            setRows(patchRows(current.current.rows, [incident], current.current.query, current.current.next === null).rows);
          } catch (err) {
            failed.push(`#${id}: ${errorText(err)}`);
          }
        }),
      );
    }
    setSelected(new Set());
    const label = t(action === 'acknowledge' ? 'board.ackSelected' : 'board.resolveSelected');
    setBulk({ busy: false, message: [t('board.bulkDone', { action: label, ok, failed: failed.length }), ...failed].join(' · ') });
  };

  const toggle = (id: number, on: boolean) => {
    const s = new Set(selected);
    if (on) s.add(id);
    else s.delete(id);
    setSelected(s);
  };
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const total = counts ? counts[query.tab] : null;
  const canMine = viewer.person !== null && !viewer.admin;
  const teamOptions = query.team && !teams.includes(query.team) ? [...teams, query.team] : teams;

  return (
    <section class="board">
      <h1 class="sr-only">{t('board.title')}</h1>
      <nav class="tabs" aria-label={t('board.tabs')}>
        <ul>
          {tabs.map((tab) => (
            <li key={tab}>
              <Link href={`/${boardSearch({ ...query, tab, sort: defaultSort(tab) })}`} aria-current={tab === query.tab ? 'page' : undefined}>
                {t(tabLabel[tab])}
                {counts ? <span class="count"> {formatNumber(counts[tab], lang)}</span> : null}
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      <form class="filters" aria-label={t('board.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t('board.severity')}</span>
          <select value={query.severity ?? ''} onChange={(e) => apply({ severity: (e.currentTarget.value || null) as BoardQuery['severity'] })}>
            <option value="">{t('board.anySeverity')}</option>
            {severities.map((s) => (
              <option key={s} value={s}>
                {t(`severity.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('board.team')}</span>
          <select value={query.team ?? ''} onChange={(e) => apply({ team: e.currentTarget.value || null })}>
            <option value="">{t('board.anyTeam')}</option>
            {teamOptions.map((team) => (
              <option key={team} value={team}>
                {team}
              </option>
            ))}
          </select>
        </label>
        <TextFilter label={t('board.service')} value={query.service ?? ''} onChange={(v) => apply({ service: v || null })} />
        <TextFilter label={t('board.search')} value={query.q} type="search" onChange={(v) => apply({ q: v })} />
        <label>
          <span>{t('board.sort')}</span>
          <select value={query.sort} onChange={(e) => apply({ sort: e.currentTarget.value as BoardQuery['sort'] })}>
            <option value="urgency">{t('board.sort.urgency')}</option>
            <option value="newest">{t('board.sort.newest')}</option>
          </select>
        </label>
        {canMine ? (
          <label class="check">
            <input type="checkbox" checked={query.mine} onChange={(e) => apply({ mine: e.currentTarget.checked })} />
            <span>{t('board.mine')}</span>
          </label>
        ) : null}
        {boardSearch({ ...query, tab: 'open', sort: defaultSort('open') }) !== '' ? (
          <button type="button" class="link-button" onClick={() => navigate(`/${boardSearch({ ...parseBoardQuery(''), tab: query.tab, sort: defaultSort(query.tab) })}`)}>
            {t('board.clear')}
          </button>
        ) : null}
      </form>

      <div class="bulk">
        <span>{t('board.selected', { count: selected.size })}</span>
        <button type="button" disabled={selected.size === 0 || bulk.busy} onClick={() => void act('acknowledge')}>
          {t('board.ackSelected')}
        </button>
        <button type="button" disabled={selected.size === 0 || bulk.busy} onClick={() => void act('resolve')}>
          {t('board.resolveSelected')}
        </button>
        <span class="bulk-result" aria-live="polite">
          {bulk.message}
        </span>
      </div>

      {typeof status === 'object' ? (
        <Problem error={status.error} retry={() => void loadFirst(PAGE).then(() => setStatus('ready'), (error: unknown) => setStatus({ error }))} />
      ) : status === 'loading' && rows.length === 0 ? (
        <p class="muted">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p class="empty">{t('board.empty')}</p>
      ) : (
        <table class="incidents" aria-busy={status === 'loading'}>
          <caption class="sr-only">{t('board.title')}</caption>
          <thead>
            <tr>
              <th scope="col" class="select">
                <input type="checkbox" aria-label={t('board.selectAll')} checked={allSelected} onChange={(e) => setSelected(e.currentTarget.checked ? new Set(rows.map((r) => r.id)) : new Set())} />
              </th>
              <th scope="col">{t('board.col.incident')}</th>
              <th scope="col">{t('board.col.severity')}</th>
              <th scope="col">{t('board.col.team')}</th>
              <th scope="col">{t('board.col.age')}</th>
              <th scope="col">{t('board.col.alerts')}</th>
              <th scope="col">{t('board.col.status')}</th>
              <th scope="col">{t('board.col.sla')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((i) => (
              <Row key={i.id} incident={i} now={now} selected={selected.has(i.id)} onSelect={(on) => toggle(i.id, on)} />
            ))}
          </tbody>
        </table>
      )}
      {rows.length > 0 ? (
        <p class="paging">
          <span>{t('board.showing', { shown: formatNumber(rows.length, lang), total: formatNumber(Math.max(total ?? rows.length, rows.length), lang) })}</span>
          {next ? (
            <button type="button" onClick={() => void loadMore()}>
              {t('board.loadMore')}
            </button>
          ) : null}
        </p>
      ) : null}
    </section>
  );
}

function Row({ incident: i, now, selected, onSelect }: { incident: Incident; now: number; selected: boolean; onSelect: (on: boolean) => void }) {
  const { t } = useApp();
  return (
    <tr class={`sev-${i.severity}${selected ? ' selected' : ''}`}>
      <td class="select">
        <input type="checkbox" checked={selected} aria-label={t('board.select', { id: i.id })} onChange={(e) => onSelect(e.currentTarget.checked)} />
      </td>
      <td class="title" data-label={t('board.col.incident')}>
        <Link href={`/incidents/${i.id}`}>
          <span class="id">#{i.id}</span> {i.title}
        </Link>
        <span class="flags">
          <Flags incident={i} />
        </span>
      </td>
      <td data-label={t('board.col.severity')}>
        <SeverityBadge severity={i.severity} /> <PriorityBadge priority={i.priority} />
      </td>
      <td data-label={t('board.col.team')}>
        {i.team ?? t('common.none')}
        {i.service ? <span class="muted"> / {i.service}</span> : null}
      </td>
      <td data-label={t('board.col.age')}>
        <Time iso={i.createdAt} relative now={now} />
      </td>
      <td data-label={t('board.col.alerts')}>{i.alertCount}</td>
      <td data-label={t('board.col.status')}>
        <StatusBadge status={i.status} />
        {i.status === 'acknowledged' && i.acknowledgedBy ? <span class="muted"> {t('board.ackedBy', { who: i.acknowledgedBy })}</span> : null}
        {i.status !== 'resolved' && i.escalationTier > 1 ? <span class="tier"> {t('board.tier', { tier: i.escalationTier })}</span> : null}
      </td>
      <td data-label={t('board.col.sla')}>
        <SlaText incident={i} now={now} />
      </td>
    </tr>
  );
}

/** A text filter that applies after a pause in typing (or on Enter), so each key press is not a request. */
function TextFilter({ label, value, onChange, type = 'text' }: { label: string; value: string; onChange: (v: string) => void; type?: 'text' | 'search' }) {
  const [text, setText] = useState(value);
  const timer = useRef<number | undefined>(undefined);
  // The latest props, for a timer set during an earlier render (other filters may have changed since).
  const latest = useRef({ value, onChange });
  latest.current = { value, onChange };
  useEffect(() => setText(value), [value]);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const commit = (v: string) => {
    window.clearTimeout(timer.current);
    if (v.trim() !== latest.current.value) latest.current.onChange(v.trim());
  };
  return (
    <label>
      <span>{label}</span>
      <input
        type={type}
        value={text}
        onInput={(e) => {
          const v = e.currentTarget.value;
          setText(v);
          window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => commit(v), 400);
        }}
        onKeyDown={(e) => e.key === 'Enter' && commit(e.currentTarget.value)}
        onBlur={(e) => commit(e.currentTarget.value)}
      />
    </label>
  );
}
