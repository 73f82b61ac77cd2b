import { useState } from 'preact/hooks';
import { api, errorText } from './api.js';
import type { Heartbeat } from './types.js';
import { ListBody, TableHead, Time, useApp, useLoad, useTitle } from './ui.js';

/** Heartbeat monitors: state, last ping, next due time; pausing and resuming one. */
export function HeartbeatsPage() {
  const { t } = useApp();
  useTitle(t('heartbeats.title'));
  const [loaded, reload] = useLoad((signal) => api<{ heartbeats: Heartbeat[] }>('/api/v1/heartbeats', { signal }), []);
  const [problem, setProblem] = useState<string | null>(null);

  const toggle = async (h: Heartbeat) => {
    setProblem(null);
    try {
      await api(`/api/v1/heartbeats/${encodeURIComponent(h.name)}/${h.paused ? 'resume' : 'pause'}`, { method: 'POST', body: {} });
      reload();
    } catch (err) {
      setProblem(errorText(err));
    }
  };

  return (
    <section class="heartbeats">
      <h1>{t('heartbeats.title')}</h1>
      <ListBody problem={problem} loaded={loaded} retry={reload} empty={(v) => (v.heartbeats.length === 0 ? t('heartbeats.none') : null)}>
        {(value) => (
          <table class="stack">
            <TableHead columns={[t('heartbeats.col.name'), t('heartbeats.col.state'), t('heartbeats.col.lastPing'), t('heartbeats.col.nextDue'), t('heartbeats.col.schedule')]} />
            <tbody>
              {value.heartbeats.map((h) => (
                <tr key={h.name} class={`heartbeat-${h.state}`}>
                  <th scope="row" data-label={t('heartbeats.col.name')}>
                    {h.name}
                  </th>
                  <td data-label={t('heartbeats.col.state')}>
                    <span title={h.muted ?? undefined}>{t(`heartbeats.state.${h.state}`)}</span>
                  </td>
                  <td data-label={t('heartbeats.col.lastPing')}>
                    <Time iso={h.lastPingAt} />
                  </td>
                  <td data-label={t('heartbeats.col.nextDue')}>{h.state === 'down' || h.paused ? t('common.none') : <Time iso={h.nextDueAt} />}</td>
                  <td data-label={t('heartbeats.col.schedule')}>
                    {h.schedule} · {t('heartbeats.grace', { grace: h.grace ?? '' })}
                  </td>
                  <td>
                    <button type="button" onClick={() => void toggle(h)}>
                      {t(h.paused ? 'heartbeats.resume' : 'heartbeats.pause')}
                      <span class="sr-only"> {h.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
    </section>
  );
}
