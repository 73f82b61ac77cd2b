import { useState } from 'preact/hooks';
import { errorText, post } from './api.js';
import { formatTime } from './format.js';
import { matcherLines } from './matchers.js';
import type { Alert, Silence } from './types.js';
import { Link, useApp } from './ui.js';

/** "Until they resolve": a silence needs an end, so this one lasts long, and the form says so. */
const UNTIL_RESOLVED = '30d';
const durations = ['1h', '2h', '4h', '8h', '24h', '3d'];

/** Create a silence: matchers (Alertmanager syntax), a duration, a comment; a preview of what it mutes now. */
export function SilenceForm({ matchers, idPrefix, onCreated }: { matchers: string[]; idPrefix: string; onCreated?: (s: Silence) => void }) {
  const { t, lang } = useApp();
  const [text, setText] = useState(matchers.join('\n'));
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  const [preview, setPreview] = useState<{ total: number; alerts: Alert[] } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [created, setCreated] = useState<Silence | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await what();
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const doPreview = () => run(async () => setPreview(await post('/api/v1/silences/preview', { matchers: matcherLines(text) })));
  const create = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const silence = await post<Silence>('/api/v1/silences', { matchers: matcherLines(text), duration, comment: comment.trim() });
      setCreated(silence);
      onCreated?.(silence);
      setComment('');
      setPreview(null);
    });
  };

  const id = (name: string) => `${idPrefix}-${name}`;
  return (
    <form class="silence-form" onSubmit={create}>
      <label for={id('matchers')}>{t('silence.matchers')}</label>
      <textarea id={id('matchers')} rows={Math.min(8, Math.max(3, text.split('\n').length + 1))} required spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <label for={id('duration')}>{t('silence.duration')}</label>
      <select id={id('duration')} value={duration} onChange={(e) => setDuration(e.currentTarget.value)}>
        {durations.map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
        <option value={UNTIL_RESOLVED}>{t('silence.untilResolved')}</option>
      </select>
      <label for={id('comment')}>{t('silence.comment')}</label>
      <input id={id('comment')} required value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => void doPreview()}>
          {t('silence.preview')}
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {t('silence.create')}
        </button>
      </div>
      <div aria-live="polite">
        {preview ? (
          <div class="preview">
            <p>{t('silence.previewResult', { total: preview.total })}</p>
            <ul>
              {preview.alerts.slice(0, 10).map((a) => (
                <li key={a.id}>
                  <code>{Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ')}</code>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {created ? (
          <p class="done">
            {t('silence.created', { id: created.id, time: formatTime(created.endsAt, lang) })} <Link href="/silences">{t('nav.silences')}</Link>
          </p>
        ) : null}
        {problem ? (
          <p class="problem" role="alert">
            {problem}
          </p>
        ) : null}
      </div>
    </form>
  );
}
