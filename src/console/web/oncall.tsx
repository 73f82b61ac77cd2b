import { api } from './api.js';
import { formatTime, formatZonedTime } from './format.js';
import type { OnCallAnswer, OnCallShift } from './types.js';
import { Loading, Problem, useApp, useLoad, useTitle } from './ui.js';

const NEXT_SHIFTS = 3;

/** Who is on call per team and tier now and next, in the viewer's zone; the schedule's own clock on hover. */
export function OnCallPage() {
  const { t, lang } = useApp();
  useTitle(t('oncall.title'));
  const [loaded, reload] = useLoad((signal) => api<OnCallAnswer>(`/api/v1/oncall?shifts=${NEXT_SHIFTS}`, { signal }), []);
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'error') return <Problem error={loaded.error} retry={reload} />;
  const { at, teams } = loaded.value;

  const When = ({ iso, zone }: { iso: string; zone: string | undefined }) => (
    <time dateTime={iso} title={zone ? t('oncall.zone', { zone, time: formatZonedTime(iso, lang, zone) }) : iso}>
      {formatTime(iso, lang)}
    </time>
  );
  const Who = ({ shift }: { shift: OnCallShift }) => (
    <>
      {shift.person ? shift.person.name : <span class="muted">{t('common.nobody')}</span>}
      {shift.override ? <span class="flag"> {t('oncall.override')}</span> : null}
    </>
  );

  return (
    <section class="oncall">
      <h1>{t('oncall.title')}</h1>
      <p class="muted">{t('oncall.at', { time: formatTime(at, lang) })}</p>
      {teams.map((team) => (
        <section key={team.team} aria-labelledby={`team-${team.team}`}>
          <h2 id={`team-${team.team}`}>{team.team}</h2>
          {team.tiers.length === 0 ? (
            <p class="muted">{t('oncall.noSchedules')}</p>
          ) : (
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">{t('oncall.tier')}</th>
                  <th scope="col">{t('oncall.person')}</th>
                  <th scope="col">{t('oncall.until')}</th>
                  <th scope="col">{t('oncall.next')}</th>
                </tr>
              </thead>
              <tbody>
                {team.tiers.map((tier) => (
                  <tr key={tier.tier}>
                    <th scope="row" data-label={t('oncall.tier')}>
                      {tier.tier}
                      <span class="muted small"> {tier.schedule}</span>
                    </th>
                    <td data-label={t('oncall.person')}>
                      <strong>
                        <Who shift={tier} />
                      </strong>
                      {tier.layer ? <span class="muted small"> ({tier.layer})</span> : null}
                    </td>
                    <td data-label={t('oncall.until')}>
                      <When iso={tier.until} zone={tier.timeZone} />
                    </td>
                    <td data-label={t('oncall.next')}>
                      <ul class="plain">
                        {(tier.next ?? []).map((s) => (
                          <li key={s.from ?? s.until}>
                            <Who shift={s} />
                            <span class="muted small">
                              {' '}
                              {s.from ? <When iso={s.from} zone={tier.timeZone} /> : null} – <When iso={s.until} zone={tier.timeZone} />
                            </span>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </section>
  );
}
