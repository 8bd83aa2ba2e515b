// Calls to the daemon's API from the same origin. The token lives in this
// module's memory only: never in a URL, a cookie or localStorage, so a reload
// asks for it again (web/README.md, "The token").

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

let token: string | null = null;

export function SetToken(t: string | null): void {
  token = t;
}

export function AuthHeaders(): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function Api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...AuthHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
    signal,
  });
  const text = await r.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!r.ok) {
    const message = (json as { error?: string } | null)?.error ?? `HTTP ${r.status}`;
    throw new ApiError(r.status, message);
  }
  return json as T;
}
