/**
 * The CLI's way into a running Vigil: its HTTP API, at --url ($VIGIL_URL) with --token ($VIGIL_TOKEN: a personal
 * token or the API token). A failure carries the API's own message, which the commands print as they exit 1.
 */
export interface ApiTarget {
  url?: string;
  token?: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function defaultUrl(): string {
  return process.env.VIGIL_URL ?? `http://localhost:${process.env.VIGIL_PORT ?? '9095'}`;
}

export function defaultToken(): string | undefined {
  return process.env.VIGIL_TOKEN ?? process.env.VIGIL_API_TOKEN?.split(',')[0]?.trim() ?? undefined;
}

export class ApiClient {
  readonly base: string;
  private readonly token: string | undefined;

  constructor(target: ApiTarget = {}) {
    this.base = (target.url ?? defaultUrl()).replace(/\/+$/, '');
    this.token = target.token ?? defaultToken();
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new ApiError(`could not reach Vigil at ${this.base}: ${(err as Error).message}`, null);
    }
    const text = await res.text();
    if (!res.ok) throw new ApiError(`Vigil answered ${res.status}: ${messageOf(text)}`, res.status);
    return (text === '' ? null : JSON.parse(text)) as T;
  }
}

/** The message of Vigil's error body ({"error": {"message"}}), else the body as it came. */
function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } } | string;
    if (typeof parsed === 'string') return parsed;
    if (parsed?.error?.message) return parsed.error.message;
  } catch {
    // Not JSON: show it as it is.
  }
  return text.slice(0, 500);
}
