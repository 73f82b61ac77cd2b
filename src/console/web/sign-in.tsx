import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from './api.js';
import type { Viewer } from './types.js';
import { useApp, useTitle } from './ui.js';

/** Sign-in with a personal token or the API token; the server answers with an HttpOnly session cookie. */
export function SignIn({ onSignedIn }: { onSignedIn: (v: Viewer) => void }) {
  const { t } = useApp();
  useTitle(t('signIn.title'));
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!token.trim()) return;
    setBusy(true);
    setProblem(null);
    try {
      const viewer = await api<Viewer>('/api/v1/session', { method: 'POST', body: { token: token.trim() }, quiet401: true });
      setToken('');
      onSignedIn(viewer);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setProblem(t('signIn.wrong'));
      else if (err instanceof ApiError && err.status === 429) setProblem(t('signIn.limited', { seconds: err.retryAfter ?? 60 }));
      else setProblem(t('common.error', { message: errorText(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="narrow sign-in">
      <h1>{t('signIn.title')}</h1>
      <p>{t('signIn.intro')}</p>
      <form onSubmit={(e) => void submit(e)}>
        <label for="token">{t('signIn.token')}</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby={problem ? 'sign-in-problem' : undefined}
          aria-invalid={problem ? true : undefined}
        />
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
        {problem ? (
          <p id="sign-in-problem" class="problem" role="alert">
            {problem}
          </p>
        ) : null}
      </form>
    </section>
  );
}
