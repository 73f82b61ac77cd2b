import { useState } from 'preact/hooks';
import { api, errorText } from './api.js';
import { navigate } from './router.js';
import { SilenceForm } from './silence-form.js';
import type { Silence } from './types.js';
import { Link, ListBody, TableHead, Time, useApp, useLoad, useTitle } from './ui.js';

const states = ['active', 'pending', 'expired'] as const;
type State = (typeof states)[number];

/** Silences by state (in the URL), expiring one, and a form to create one with a preview. */
export function SilencesPage({ search }: { search: string }) {
  const { t } = useApp();
  useTitle(t('silences.title'));
  const raw = new URLSearchParams(search).get('state');
  const state: State = (states as readonly string[]).includes(raw ?? '') ? (raw as State) : 'active';
  const [loaded, reload] = useLoad((signal) => api<{ silences: Silence[] }>(`/api/v1/silences?state=${state}`, { signal }), [state]);
  const [problem, setProblem] = useState<string | null>(null);

  const expire = async (id: string) => {
    setProblem(null);
    try {
      await api(`/api/v1/silences/${encodeURIComponent(id)}`, { method: 'DELETE' });
      reload();
    } catch (err) {
      setProblem(errorText(err));
    }
  };

  return (
    <section class="silences">
      <h1>{t('silences.title')}</h1>
      <nav class="tabs" aria-label={t('silences.states')}>
        <ul>
          {states.map((s) => (
            <li key={s}>
              <Link href={s === 'active' ? '/silences' : `/silences?state=${s}`} aria-current={s === state ? 'page' : undefined}>
                {t(`silences.state.${s}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ListBody problem={problem} loaded={loaded} retry={reload} empty={(v) => (v.silences.length === 0 ? t('silences.none') : null)}>
        {(value) => (
          <table class="stack">
            <TableHead columns={[t('silences.col.matchers'), t('silences.col.from'), t('silences.col.until'), t('silences.col.by'), t('silences.col.comment')]} />
            <tbody>
              {value.silences.map((s) => (
                <tr key={s.id}>
                  <td data-label={t('silences.col.matchers')}>
                    <ul class="plain">
                      {s.matchers.map((m) => (
                        <li key={m}>
                          <code>{m}</code>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td data-label={t('silences.col.from')}>
                    <Time iso={s.startsAt} />
                  </td>
                  <td data-label={t('silences.col.until')}>
                    <Time iso={s.endsAt} />
                  </td>
                  <td data-label={t('silences.col.by')}>{s.createdBy}</td>
                  <td data-label={t('silences.col.comment')}>{s.comment}</td>
                  <td>
                    {s.state !== 'expired' ? (
                      <button type="button" onClick={() => void expire(s.id)}>
                        {t('silences.expire')}
                        <span class="sr-only"> {s.matchers.join(', ')}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
      <section aria-labelledby="new-silence">
        <h2 id="new-silence">{t('silences.new')}</h2>
        <SilenceForm matchers={[]} idPrefix="new-silence" onCreated={() => (state === 'expired' ? navigate('/silences') : reload())} />
      </section>
    </section>
  );
}
