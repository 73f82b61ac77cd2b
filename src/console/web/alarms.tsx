import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, post } from './api.js';
import { nextPopup, raisedBy, withoutStale } from './alerting.js';
import { notify, playAlertSound } from './attention.js';
import { age } from './format.js';
import { live } from './live.js';
import { navigate } from './router.js';
import type { Incident, IncidentStatus } from './types.js';
import { Link, useApp, useNow } from './ui.js';

interface Waiting {
  incident: Incident;
  escalated: boolean;
  problem?: string;
}

const MAX_NOTICES = 5;

/**
 * What interrupts the person looking, on every page: the critical pop-up (a modal alertdialog listing every
 * critical incident that waits, with a sound and a browser notification) and the warnings' non-modal notices.
 * Closing the pop-up acknowledges nothing; the tab title keeps the count until someone acknowledges.
 */
export function Alarms({ onWaiting }: { onWaiting: (count: number) => void }) {
  const { t, lang } = useApp();
  const [waiting, setWaiting] = useState<Waiting[]>([]);
  const [open, setOpen] = useState(false);
  const [notices, setNotices] = useState<Incident[]>([]);
  const dialog = useRef<HTMLDialogElement>(null);
  const now = useNow(10_000);
  // Incidents known to be acknowledged or resolved (from the server's answers and the stream), see withoutStale.
  const settled = useRef(new Map<number, IncidentStatus>());
  const words = useRef({ t, lang });
  words.current = { t, lang };

  useEffect(
    () =>
      live.subscribe({
        batch(fresh) {
          const checked = withoutStale(fresh, settled.current);
          settled.current = checked.settled;
          const b = checked.batch;
          const raised = raisedBy(b);
          setWaiting((current) => nextPopup(current, b, raised.critical));
          const changed = new Map(b.incidents.map((i) => [i.id, i]));
          setNotices((current) => {
            const kept = current.filter((n) => !raised.warnings.some((w) => w.id === n.id) && changed.get(n.id)?.status !== 'resolved');
            return [...raised.warnings, ...kept].slice(0, MAX_NOTICES);
          });
          if (raised.critical.length > 0) {
            setOpen(true);
            playAlertSound();
            const { t: tr } = words.current;
            for (const { incident } of raised.critical) {
              notify(tr('popup.title'), `${incident.title} — ${incident.service ?? incident.team ?? ''} · ${incident.priority}`, `vigil-incident-${incident.id}`, () =>
                navigate(`/incidents/${incident.id}`),
              );
            }
          }
        },
      }),
    [],
  );

  useEffect(() => onWaiting(waiting.length), [waiting.length, onWaiting]);

  const shown = open && waiting.length > 0;
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (shown && !d.open) d.showModal();
    if (!shown && d.open) d.close();
  }, [shown]);

  const acknowledge = async (ids: number[]) => {
    await Promise.all(
      ids.map(async (id) => {
        try {
          const incident = await post<Incident>(`/api/v1/incidents/${id}/acknowledge`);
          if (incident.status !== 'triggered') settled.current.set(incident.id, incident.status);
          setWaiting((current) => current.filter((w) => w.incident.id !== incident.id || incident.status === 'triggered'));
        } catch (err) {
          setWaiting((current) => current.map((w) => (w.incident.id === id ? { ...w, problem: errorText(err) } : w)));
        }
      }),
    );
  };

  const openIncident = (id: number) => {
    setOpen(false);
    navigate(`/incidents/${id}`);
  };

  return (
    <>
      <dialog ref={dialog} class="alarm" role="alertdialog" aria-modal="true" aria-labelledby="alarm-title" aria-describedby="alarm-list" onClose={() => setOpen(false)}>
        <h2 id="alarm-title">{waiting.length > 1 ? t('popup.titleMany', { count: waiting.length }) : t('popup.title')}</h2>
        <ul id="alarm-list" class="alarm-list">
          {waiting.map((w, index) => (
            <li key={w.incident.id}>
              <p class="alarm-incident">
                <span class="badge sev-critical">{t('severity.critical')}</span> <strong>{w.incident.title}</strong>
                {w.escalated ? <span class="flag">{t('popup.escalated')}</span> : null}
              </p>
              <dl class="facts inline">
                <dt>{t('popup.service')}</dt>
                <dd>{w.incident.service ?? t('common.none')}</dd>
                <dt>{t('popup.priority')}</dt>
                <dd>{t(`priority.${w.incident.priority}`)}</dd>
                <dt>{t('popup.age')}</dt>
                <dd>{age(w.incident.createdAt, now, lang)}</dd>
              </dl>
              {w.problem ? (
                <p class="problem" role="alert">
                  {t('common.error', { message: w.problem })}
                </p>
              ) : null}
              <div class="actions">
                <button type="button" class="primary" autofocus={index === 0} onClick={() => void acknowledge([w.incident.id])}>
                  {t('popup.ack')}
                </button>
                <button type="button" onClick={() => openIncident(w.incident.id)}>
                  {t('popup.open')}
                </button>
              </div>
            </li>
          ))}
        </ul>
        <div class="actions dialog-end">
          {waiting.length > 1 ? (
            <button type="button" class="primary" onClick={() => void acknowledge(waiting.map((w) => w.incident.id))}>
              {t('popup.ackAll')}
            </button>
          ) : null}
          <button type="button" onClick={() => setOpen(false)}>
            {t('popup.close')}
          </button>
        </div>
      </dialog>
      <div class="notices" role="status">
        {notices.map((n) => (
          <div class="notice" key={n.id}>
            <p>
              {t('notice.warning', { title: n.title })}
              {n.service ? <span class="muted"> · {n.service}</span> : null}
            </p>
            <div class="actions">
              <Link href={`/incidents/${n.id}`}>{t('popup.open')}</Link>
              <button type="button" onClick={() => setNotices((current) => current.filter((c) => c.id !== n.id))}>
                {t('common.dismiss')}
              </button>
            </div>
          </div>
        ))}
      </div>
    </>
  );
}
