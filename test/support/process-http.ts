/**
 * Plain HTTP against a spawned server (no supertest: it needs an app or one fixed URL, while these tests
 * carry one cookie between processes and time their requests).
 */

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** `name=value` of the session cookie (or else the first Set-Cookie), if any: what a browser sends back. */
  readonly cookie: string | undefined;
  /** How long the request took, in milliseconds. */
  readonly ms: number;
}

export interface CallOptions {
  readonly method?: string;
  /** Sent as a JSON body (Content-Type: application/json), which also makes the app answer JSON. */
  readonly json?: unknown;
  readonly cookie?: string | undefined;
  /** Defaults to JSON, so answers are easy to assert on. */
  readonly accept?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export async function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {
    Accept: options.accept ?? 'application/json',
    // What the TLS-terminating proxy in front of a production process adds (see productionEnv); a process
    // that trusts no proxy ignores it.
    'X-Forwarded-Proto': 'https',
    ...options.headers,
  };
  if (options.json !== undefined) headers['Content-Type'] = 'application/json';
  if (options.cookie) headers.Cookie = options.cookie;
  const started = performance.now();
  const res = await fetch(new URL(path, baseUrl), {
    method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    redirect: 'manual',
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const setCookies = res.headers.getSetCookie();
  const cookie = (setCookies.find((c) => /^(__Host-)?folio\.sid=/.test(c)) ?? setCookies[0])?.split(';')[0];
  return { status: res.status, headers: res.headers, text, json, cookie, ms };
}

/** Polls `probe` until it returns true or the deadline passes; returns whether it succeeded. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
