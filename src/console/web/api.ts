/**
 * The console's only way to the server: same-origin fetch with the session cookie. The browser sends Origin on
 * every POST and DELETE, which is what the server's cross-site check reads.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly retryAfter: number | null,
  ) {
    super(message);
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called when the server no longer knows the session (expired, revoked): the app shows the sign-in page. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

async function failure(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  let code: string | null = null;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
  } catch {
    // Not JSON (a proxy's page): the status line says enough.
  }
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(res.status, message, code, Number.isFinite(retry) && retry > 0 ? retry : null);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** For the sign-in call itself: a 401 is its answer, not a lost session. */
  quiet401?: boolean;
  signal?: AbortSignal;
}

export async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
  const res = await fetch(path, {
    method: opts.method ?? 'GET',
    credentials: 'same-origin',
    headers: opts.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });
  if (res.ok) return res;
  if (res.status === 401 && !opts.quiet401) for (const l of signedOutListeners) l();
  throw await failure(res);
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await request(path, opts);
  return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
}

export const post = <T>(path: string, body: unknown = {}) => api<T>(path, { method: 'POST', body });

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
