import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText, post, request } from './api.js';
import { formatDuration, formatTime } from './format.js';
import { knownKey } from './i18n.js';
import { live } from './live.js';
import { Markdown } from './markdown-view.js';
import { prefillMatchers } from './matchers.js';
import { SilenceForm } from './silence-form.js';
import type { Alert, Delivery, IncidentDetail, Runbook, RunbookRun, TimelineEvent } from './types.js';
import { Flags, Link, Loading, PriorityBadge, Problem, SeverityBadge, SlaText, StatusBadge, Time, useApp, useLoad, useNow, useTitle } from './ui.js';
import { webHref } from './web-link.js';

interface Everything {
  incident: IncidentDetail;
  deliveries: Delivery[];
  runs: RunbookRun[];
}

async function loadEverything(id: number, signal: AbortSignal): Promise<Everything> {
  const [incident, deliveries, runs] = await Promise.all([
    api<IncidentDetail>(`/api/v1/incidents/${id}`, { signal }),
    api<{ notifications: Delivery[] }>(`/api/v1/notifications?incident=${id}&attempts=true`, { signal }),
    api<{ runs: RunbookRun[] }>(`/api/v1/runbooks/runs?incident=${id}`, { signal }).catch(() => ({ runs: [] })),
  ]);
  return { incident, deliveries: deliveries.notifications, runs: runs.runs };
}

/** Everything about one incident on one page; it follows live changes to the incident. */
export function IncidentPage({ id }: { id: number }) {
  const { t } = useApp();
  const [loaded, reload] = useLoad((signal) => loadEverything(id, signal), [id]);
  const now = useNow();
  useTitle(loaded.state === 'ready' ? `#${id} ${loaded.value.incident.title}` : `#${id}`);

  useEffect(() => {
    let timer: number | undefined;
    const soon = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(reload, 250);
    };
    const off = live.subscribe({ batch: (b) => b.incidents.some((i) => i.id === id) && soon(), reset: soon });
    return () => {
      off();
      window.clearTimeout(timer);
    };
  }, [id, reload]);

  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'error') {
    if (loaded.error instanceof ApiError && loaded.error.status === 404) {
      return (
        <section class="narrow">
          <h1>{t('incident.notFound', { id })}</h1>
          <Link href="/">{t('incident.back')}</Link>
        </section>
      );
    }
    return <Problem error={loaded.error} retry={reload} />;
  }
  const { incident, deliveries, runs } = loaded.value;
  const classified = incident.timeline.find((e) => e.kind === 'classified');
  return (
    <article class="incident">
      <p>
        <Link href="/">← {t('incident.back')}</Link>
      </p>
      <header class={`incident-head sev-${incident.severity}`}>
        <h1>
          <span class="id">#{incident.id}</span> {incident.title}
        </h1>
        <p class="badges">
          <SeverityBadge severity={incident.severity} /> <PriorityBadge priority={incident.priority} /> <StatusBadge status={incident.status} /> <Flags incident={incident} />{' '}
          <SlaText incident={incident} now={now} />
        </p>
      </header>
      <div class="columns">
        <div class="main-column">
          <Facts incident={incident} now={now} />
          <Actions incident={incident} onDone={reload} />
          <Why event={classified} />
          <Alerts alerts={incident.alerts} />
          <Timeline events={incident.timeline} />
          <NoteForm id={incident.id} onDone={reload} />
        </div>
        <div class="side-column">
          <Pages deliveries={deliveries} />
          <Runbooks incidentId={incident.id} runs={runs} onDone={reload} />
          <section aria-labelledby="silence-heading">
            <h2 id="silence-heading">{t('incident.silence')}</h2>
            <SilenceForm key={incident.id} matchers={prefillMatchers(incident.alerts)} idPrefix="incident-silence" />
          </section>
          {incident.priority === 'P1' || incident.priority === 'P2' ? <Review id={incident.id} updatedAt={incident.updatedAt ?? ''} /> : null}
        </div>
      </div>
    </article>
  );
}

function Facts({ incident: i, now }: { incident: IncidentDetail; now: number }) {
  const { t } = useApp();
  return (
    <section aria-labelledby="facts-heading">
      <h2 id="facts-heading">{t('incident.facts')}</h2>
      <dl class="facts">
        <dt>{t('board.col.team')}</dt>
        <dd>
          {i.team ?? t('common.none')} / {i.service ?? t('common.none')}
        </dd>
        <dt>{t('incident.opened')}</dt>
        <dd>
          <Time iso={i.createdAt} /> (<Time iso={i.createdAt} relative now={now} />)
        </dd>
        <dt>{t('incident.acknowledged')}</dt>
        <dd>
          {i.acknowledgedAt ? (
            <>
              <Time iso={i.acknowledgedAt} /> {t('board.ackedBy', { who: i.acknowledgedBy ?? '?' })}
            </>
          ) : (
            t('common.none')
          )}
        </dd>
        <dt>{t('incident.resolved')}</dt>
        <dd>
          {i.resolvedAt ? (
            <>
              <Time iso={i.resolvedAt} /> {i.resolvedBy ? t('board.ackedBy', { who: i.resolvedBy }) : null}
            </>
          ) : (
            t('common.none')
          )}
        </dd>
        <dt>{t('incident.tier')}</dt>
        <dd>{i.escalationTier}</dd>
        <dt>{t('incident.ackBy')}</dt>
        <dd>
          <Time iso={i.sla.acknowledgeBy} /> {i.sla.acknowledge === 'missed' ? <strong class="sla-missed">{t('sla.ackMissedShort')}</strong> : null}
        </dd>
        <dt>{t('incident.resolveBy')}</dt>
        <dd>
          <Time iso={i.sla.resolveBy} /> {i.sla.resolve === 'missed' ? <strong class="sla-missed">{t('sla.resolveMissedShort')}</strong> : null}
        </dd>
        <dt>{t('incident.source')}</dt>
        <dd>{i.source ?? t('common.none')}</dd>
      </dl>
    </section>
  );
}

function Actions({ incident: i, onDone }: { incident: IncidentDetail; onDone: () => void }) {
  const { t } = useApp();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (action: 'acknowledge' | 'resolve' | 'escalate') => {
    setBusy(true);
    setProblem(null);
    try {
      await post(`/api/v1/incidents/${i.id}/${action}`, note.trim() ? { note: note.trim() } : {});
      setNote('');
      onDone();
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">{t('incident.actions')}</h2>
      <label for="action-note">{t('incident.actionNote')}</label>
      <input id="action-note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <div class="actions">
        <button type="button" class="primary" disabled={busy || i.status !== 'triggered'} onClick={() => void act('acknowledge')}>
          {t('incident.ack')}
        </button>
        <button type="button" disabled={busy || i.status === 'resolved'} onClick={() => void act('resolve')}>
          {t('incident.resolve')}
        </button>
        <button type="button" disabled={busy || i.status === 'resolved'} onClick={() => void act('escalate')}>
          {t('incident.escalate')}
        </button>
      </div>
      {problem ? (
        <p class="problem" role="alert">
          {problem}
        </p>
      ) : null}
    </section>
  );
}

interface Decision {
  severity?: string;
  severityFrom?: string;
  priority?: string;
  team?: string | null;
  teamNote?: string | null;
  service?: string | null;
  runbooks?: string[];
  matchedRules?: string[];
  notify?: { role?: string; channels?: string[] }[];
  ackSla?: number | null;
  resolveSla?: number | null;
}

/** "Why was I paged": the rules' decision, from the classified event. */
function Why({ event }: { event: TimelineEvent | undefined }) {
  const { t, lang } = useApp();
  const d = (event?.data ?? {}) as Decision;
  const channel = (c: string) => {
    const key = knownKey(`channel.${c}`);
    return key ? t(key) : c;
  };
  const severityName = (s: string | undefined) => {
    const key = s === undefined ? null : knownKey(`severity.${s}`);
    return key ? t(key) : s;
  };
  return (
    <section aria-labelledby="why-heading" class="why">
      <h2 id="why-heading">{t('incident.why')}</h2>
      {!event ? (
        <p class="muted">{t('incident.why.none')}</p>
      ) : (
        <>
          <dl class="facts">
            <dt>{t('incident.why.severity')}</dt>
            <dd>
              {severityName(d.severity)} {d.priority ? `(${d.priority})` : null} {d.severityFrom ? <span class="muted">— {d.severityFrom}</span> : null}
            </dd>
            <dt>{t('incident.why.team')}</dt>
            <dd>
              {d.team ?? t('common.none')} {d.teamNote ? <span class="muted">({d.teamNote})</span> : null}
              {d.service ? ` / ${d.service}` : null}
            </dd>
            <dt>{t('incident.why.rules')}</dt>
            <dd>{(d.matchedRules ?? []).join(', ') || t('common.none')}</dd>
            <dt>{t('incident.why.runbooks')}</dt>
            <dd>{(d.runbooks ?? []).join(', ') || t('common.none')}</dd>
            <dt>{t('incident.why.notify')}</dt>
            <dd>
              {(d.notify ?? []).length === 0 ? (
                t('common.none')
              ) : (
                <ul class="plain">
                  {(d.notify ?? []).map((n, k) => (
                    <li key={k}>
                      {n.role}: {(n.channels ?? []).map(channel).join(', ')}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>{t('incident.why.sla')}</dt>
            <dd>
              {d.ackSla ? `${t('incident.ackBy')} ${formatDuration(d.ackSla, lang)}` : null}
              {d.ackSla && d.resolveSla ? ' · ' : null}
              {d.resolveSla ? `${t('incident.resolveBy')} ${formatDuration(d.resolveSla, lang)}` : null}
              {!d.ackSla && !d.resolveSla ? t('sla.none') : null}
            </dd>
          </dl>
          <p class="muted small">{event.message}</p>
        </>
      )}
    </section>
  );
}

/** A text that is a web address becomes a link (http(s) only); anything else is shown as it is. */
function Value({ text }: { text: string }) {
  const href = webHref(text);
  return href ? (
    <a href={href} rel="noopener noreferrer nofollow" target="_blank">
      {text}
    </a>
  ) : (
    <span class="value">{text}</span>
  );
}

function Alerts({ alerts }: { alerts: Alert[] }) {
  const { t, lang } = useApp();
  return (
    <section aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">{t('incident.alerts', { count: alerts.length })}</h2>
      <ul class="alerts">
        {alerts.map((a) => {
          const links = [...(a.generatorURL ? [{ href: a.generatorURL, text: 'Source' }] : []), ...a.links].filter(
            (l, k, all) => webHref(l.href) && all.findIndex((o) => o.href === l.href) === k,
          );
          return (
            <li key={a.id} class={`alert alert-${a.status}`}>
              <p class="alert-head">
                <strong>{a.labels.alertname ?? a.fingerprint}</strong> <span class={`badge status-${a.status === 'firing' ? 'triggered' : 'resolved'}`}>{t(`alert.${a.status}`)}</span>{' '}
                {a.suppressed ? <span class="flag suppressed">{t('flag.suppressed')}</span> : null}{' '}
                {a.startsAt ? <span class="muted small">{t('incident.started', { time: formatTime(a.startsAt, lang) })}</span> : null}
              </p>
              <h3 class="sub">{t('incident.labels')}</h3>
              <ul class="labels">
                {Object.entries(a.labels).map(([k, v]) => (
                  <li key={k}>
                    <span class="label-name">{k}</span>=<span class="label-value">{v}</span>
                  </li>
                ))}
              </ul>
              {Object.keys(a.annotations).length > 0 ? (
                <>
                  <h3 class="sub">{t('incident.annotations')}</h3>
                  <dl class="facts annotations">
                    {Object.entries(a.annotations).map(([k, v]) => (
                      <Fragment key={k}>
                        <dt>{k}</dt>
                        <dd>
                          <Value text={v} />
                        </dd>
                      </Fragment>
                    ))}
                  </dl>
                </>
              ) : null}
              {a.values && Object.keys(a.values).length > 0 ? (
                <>
                  <h3 class="sub">{t('incident.values')}</h3>
                  <ul class="labels">
                    {Object.entries(a.values).map(([k, v]) => (
                      <li key={k}>
                        <span class="label-name">{k}</span>=<span class="label-value">{typeof v === 'string' ? v : JSON.stringify(v)}</span>
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
              {links.length > 0 ? (
                <>
                  <h3 class="sub">{t('incident.links')}</h3>
                  <ul class="links">
                    {links.map((l) => (
                      <li key={l.href}>
                        <a href={webHref(l.href)!} rel="noopener noreferrer nofollow" target="_blank">
                          {l.text || l.href}
                        </a>
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

const runbookKind = /^runbook_/;

function Timeline({ events }: { events: TimelineEvent[] }) {
  const { t } = useApp();
  const label = (kind: string) => {
    const key = knownKey(`kind.${kind}`) ?? (runbookKind.test(kind) ? 'kind.runbook' : null);
    return key ? t(key) : kind.replace(/_/g, ' ');
  };
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{t('incident.timeline')}</h2>
      <ol class="timeline">
        {events.map((e) => (
          <li key={e.id} class={`event kind-${runbookKind.test(e.kind) ? 'runbook' : e.kind}`}>
            <span class="when">
              <Time iso={e.at} />
            </span>
            <span class="kind">{label(e.kind)}</span>
            <span class="message">{e.message}</span>
            {e.actor || e.source ? (
              <span class="muted small">
                {e.actor ? t('incident.timelineBy', { who: e.actor }) : null} {e.source ? t('incident.via', { source: e.source }) : null}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function NoteForm({ id, onDone }: { id: number; onDone: () => void }) {
  const { t } = useApp();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setProblem(null);
    try {
      await post(`/api/v1/incidents/${id}/notes`, { text: text.trim() });
      setText('');
      onDone();
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="note-heading">
      <h2 id="note-heading">{t('incident.notes')}</h2>
      <form onSubmit={(e) => void submit(e)}>
        <label for="note-text">{t('incident.noteText')}</label>
        <textarea id="note-text" rows={3} required value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {t('incident.addNote')}
        </button>
        {problem ? (
          <p class="problem" role="alert">
            {problem}
          </p>
        ) : null}
      </form>
    </section>
  );
}

function Pages({ deliveries }: { deliveries: Delivery[] }) {
  const { t } = useApp();
  const channel = (c: string) => {
    const key = knownKey(`channel.${c}`);
    return key ? t(key) : c;
  };
  const status = (s: string) => {
    const key = knownKey(`delivery.${s}`);
    return key ? t(key) : s;
  };
  return (
    <section aria-labelledby="pages-heading">
      <h2 id="pages-heading">{t('incident.pages')}</h2>
      {deliveries.length === 0 ? (
        <p class="muted">{t('incident.pages.none')}</p>
      ) : (
        <table class="pages">
          <thead>
            <tr>
              <th scope="col">{t('incident.pages.to')}</th>
              <th scope="col">{t('incident.pages.channel')}</th>
              <th scope="col">{t('incident.pages.status')}</th>
              <th scope="col">{t('incident.pages.attempts')}</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id} class={`delivery-${d.status}`}>
                <td data-label={t('incident.pages.to')}>
                  {d.recipient.name ?? d.recipient.address ?? d.recipient.person ?? t('common.none')}
                  <span class="muted small">
                    {' '}
                    {d.kind}
                    {d.fallbackOf ? ` · ${t('incident.pages.fallback', { id: d.fallbackOf })}` : null}
                    {d.bundled ? ` · ${t('incident.pages.bundled')}` : null}
                  </span>
                </td>
                <td data-label={t('incident.pages.channel')}>{channel(d.channel)}</td>
                <td data-label={t('incident.pages.status')}>
                  <span class={`badge delivery-${d.status}`}>{status(d.status)}</span>
                  {d.error ? <span class="small"> {d.error.message ?? d.error.kind}</span> : null}
                  <span class="muted small">
                    {' '}
                    <Time iso={d.deliveredAt ?? d.dueAt} />
                  </span>
                </td>
                <td data-label={t('incident.pages.attempts')}>
                  {d.attemptLog && d.attemptLog.length > 0 ? (
                    <details>
                      <summary>
                        {d.attempts}
                        <span class="sr-only"> {t('incident.pages.log', { id: d.id })}</span>
                      </summary>
                      <ol class="plain small">
                        {d.attemptLog.map((a, k) => (
                          <li key={k}>
                            <Time iso={a.at} /> {a.outcome ?? ''} {a.error ? `— ${a.error}` : ''}
                          </li>
                        ))}
                      </ol>
                    </details>
                  ) : (
                    d.attempts
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Runbooks({ incidentId, runs, onDone }: { incidentId: number; runs: RunbookRun[]; onDone: () => void }) {
  const { t } = useApp();
  const [books] = useLoad((signal) => api<{ runbooks: Runbook[] }>('/api/v1/runbooks', { signal }), []);
  const [name, setName] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = books.state === 'ready' ? books.value.runbooks : [];
  const chosen = name || list[0]?.name || '';

  const run = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await what();
      onDone();
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="runbooks-heading">
      <h2 id="runbooks-heading">{t('incident.runbooks')}</h2>
      {runs.length === 0 ? <p class="muted">{t('incident.runs.none')}</p> : null}
      <ul class="runs">
        {runs.map((r) => (
          <li key={r.id}>
            <p>
              <strong>{r.runbook}</strong> <span class="badge">{r.outcome ?? r.status}</span> {r.dryRun ? <span class="flag">dry run</span> : null}{' '}
              <span class="muted small">
                <Time iso={r.createdAt} /> {r.requestedBy ? t('incident.runs.requested', { who: r.requestedBy }) : r.trigger}
              </span>
            </p>
            {r.summary ? <p class="small">{r.summary}</p> : null}
            {r.approvals.map((a) => (
              <div key={a.step} class="approval">
                {a.status === 'pending' ? (
                  <>
                    <p>{t('incident.approval', { prompt: a.prompt ?? a.step })}</p>
                    <label for={`approval-${r.id}`}>{t('incident.approvalComment')}</label>
                    <input id={`approval-${r.id}`} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
                    <div class="actions">
                      <button type="button" class="primary" disabled={busy} onClick={() => void run(() => post(`/api/v1/runbooks/runs/${r.id}/approve`, comment.trim() ? { comment: comment.trim() } : {}))}>
                        {t('incident.approve')}
                      </button>
                      <button type="button" disabled={busy} onClick={() => void run(() => post(`/api/v1/runbooks/runs/${r.id}/reject`, comment.trim() ? { comment: comment.trim() } : {}))}>
                        {t('incident.reject')}
                      </button>
                    </div>
                  </>
                ) : (
                  <p class="small">
                    {a.step}: {a.status} {a.decidedBy ? `(${a.decidedBy}${a.comment ? `: ${a.comment}` : ''})` : null}
                  </p>
                )}
              </div>
            ))}
          </li>
        ))}
      </ul>
      {list.length > 0 ? (
        <form
          class="run-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => post(`/api/v1/incidents/${incidentId}/runbooks/${encodeURIComponent(chosen)}/run`, { dryRun }));
          }}
        >
          <label for="runbook-name">{t('incident.runbook')}</label>
          <select id="runbook-name" value={chosen} onChange={(e) => setName(e.currentTarget.value)}>
            {list.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
                {b.description ? ` — ${b.description}` : ''}
              </option>
            ))}
          </select>
          <label class="check">
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
            <span>{t('incident.dryRun')}</span>
          </label>
          <button type="submit" disabled={busy}>
            {t('incident.run')}
          </button>
        </form>
      ) : null}
      {problem ? (
        <p class="problem" role="alert">
          {problem}
        </p>
      ) : null}
    </section>
  );
}

/** The post-incident review draft (P1/P2), rendered from its Markdown as text. */
function Review({ id, updatedAt }: { id: number; updatedAt: string }) {
  const { t } = useApp();
  // Loaded again when the incident changes: the draft is written from its record.
  const [review] = useLoad(async (signal) => (await request(`/api/v1/incidents/${id}/review`, { signal })).text(), [id, updatedAt]);
  return (
    <section aria-labelledby="review-heading">
      <details class="review">
        <summary>
          <h2 id="review-heading">{t('incident.review')}</h2>
        </summary>
        {review.state === 'ready' ? <Markdown source={review.value} /> : review.state === 'error' ? <Problem error={review.error} /> : <Loading />}
      </details>
    </section>
  );
}
