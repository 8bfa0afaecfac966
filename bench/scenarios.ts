import type { Fixtures } from './seed';

/** One kind of request the benchmark measures, repeated by every connection for the whole run. */
export interface Scenario {
  /** Short id for `--scenario` and the JSON report. */
  readonly name: string;
  /** What the table shows. */
  readonly label: string;
  readonly request: (f: Fixtures) => ScenarioRequest;
  /** What one correct answer looks like; checked once before the run, so a broken page is not benchmarked. */
  readonly expect: { readonly status: number; readonly contains?: string };
  /** The server it runs against: Folio (default) or a reference app (bench/reference/). */
  readonly app?: BenchApp;
}

/** Folio, and the two reference points its signed-in list is compared with in the same run. */
export type BenchApp = 'folio' | 'tutorial' | 'hand-written';
export const TUTORIAL_SCENARIO = 'posts-signed-in-tutorial';
export const HAND_WRITTEN_SCENARIO = 'posts-signed-in-hand-written';

export interface ScenarioRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What a browser asks for: the HTML page, not JSON. */
const HTML = { accept: 'text/html,application/xhtml+xml' };
/** State-changing requests go as JSON, which needs no CSRF token (see CONTRACT.md, "Session and security rules"). */
/** What a browser's <img> asks with. */
const IMAGE = { accept: 'image/avif,image/webp,*/*' };
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

export const HEALTHZ = 'healthz';

/**
 * In running order. /healthz comes first: the ceiling (Express + helmet + logging, no database) that the
 * others are compared with. Writes come last, so the read scenarios all see the same 1,000 posts.
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: HEALTHZ,
    label: 'GET /healthz (ceiling)',
    request: () => ({ method: 'GET', path: '/healthz', headers: {} }),
    expect: { status: 200, contains: '"ok"' },
  },
  {
    // What every anonymous reader gets: the rendered page from the in-process page cache (PAGE_CACHE_SECONDS).
    name: 'posts-anon',
    label: 'GET /posts (anonymous, page cache)',
    request: () => ({ method: 'GET', path: '/posts', headers: HTML }),
    expect: { status: 200, contains: 'Benchmark post' },
  },
  {
    // As a browser asks: compressed. The page cache keeps the page compressed once per encoding (issue 24).
    name: 'posts-anon-br',
    label: 'GET /posts (anonymous, page cache, br)',
    request: () => ({ method: 'GET', path: '/posts', headers: { ...HTML, 'accept-encoding': 'gzip, deflate, br' } }),
    expect: { status: 200, contains: 'Benchmark post' },
  },
  {
    name: 'posts-304',
    label: 'GET /posts (anonymous, If-None-Match → 304)',
    // As a browser revalidates (max-age=0). Also keeps fetch(), which checks the answer first, from adding
    // `Cache-Control: no-cache` to a request with If-None-Match (the Fetch standard does), which forbids a 304.
    request: (f) => ({
      method: 'GET',
      path: '/posts',
      headers: { ...HTML, 'if-none-match': f.postsEtag, 'cache-control': 'max-age=0' },
    }),
    expect: { status: 304 },
  },
  {
    name: 'posts-signed-in',
    label: 'GET /posts (signed in)',
    request: (f) => ({ method: 'GET', path: '/posts', headers: { ...HTML, cookie: f.cookie } }),
    expect: { status: 200, contains: 'Signed in as' },
  },
  {
    // Reference point: the tutorial's app doing the same work (bench/reference/tutorial.ts). Goal: Folio ≥ 2×.
    name: TUTORIAL_SCENARIO,
    label: 'GET /posts (signed in) — the tutorial app',
    app: 'tutorial',
    request: (f) => ({ method: 'GET', path: '/posts', headers: { ...HTML, cookie: f.referenceCookie ?? '' } }),
    expect: { status: 200, contains: 'Signed in as' },
  },
  {
    // Reference point: node:http + the driver, two queries (bench/reference/hand-written.ts). Goal: Folio > 1×.
    name: HAND_WRITTEN_SCENARIO,
    label: 'GET /posts (signed in) — hand-written node:http',
    app: 'hand-written',
    request: (f) => ({ method: 'GET', path: '/posts', headers: { ...HTML, cookie: f.referenceCookie ?? '' } }),
    expect: { status: 200, contains: 'Signed in as' },
  },
  {
    // The same with br, as a browser asks: a signed-in page is compressed per request (it is per visitor).
    name: 'posts-signed-in-br',
    label: 'GET /posts (signed in, br)',
    request: (f) => ({
      method: 'GET',
      path: '/posts',
      headers: { ...HTML, cookie: f.cookie, 'accept-encoding': 'gzip, deflate, br' },
    }),
    expect: { status: 200, contains: 'Signed in as' },
  },
  {
    name: 'post-show',
    label: 'GET /posts/:id (anonymous)',
    request: (f) => ({ method: 'GET', path: `/posts/${f.postId}`, headers: HTML }),
    expect: { status: 200, contains: 'Benchmark post' },
  },
  {
    // Signed in, so rendered every time (never from the page cache): what a deep page's query costs.
    name: 'posts-page-50',
    label: 'GET /posts?page=50 (signed in)',
    request: (f) => ({ method: 'GET', path: '/posts?page=50', headers: { ...HTML, cookie: f.cookie } }),
    expect: { status: 200, contains: 'Benchmark post' },
  },
  {
    name: 'feed',
    label: 'GET /feed.xml (anonymous, page cache)',
    request: () => ({ method: 'GET', path: '/feed.xml', headers: { accept: 'application/atom+xml' } }),
    expect: { status: 200, contains: '<feed' },
  },
  {
    name: 'search-anon',
    label: 'GET /search?q=session (anonymous, page cache)',
    request: () => ({ method: 'GET', path: '/search?q=session', headers: HTML }),
    expect: { status: 200, contains: 'Benchmark post' },
  },
  {
    // Rendered every time: the text index's cost per query.
    name: 'search-signed-in',
    label: 'GET /search?q=session (signed in)',
    request: (f) => ({ method: 'GET', path: '/search?q=session', headers: { ...HTML, cookie: f.cookie } }),
    expect: { status: 200, contains: 'Benchmark post' },
  },
  {
    // A picture of a public post: answered before any session work, its bytes from the in-process LRU. The
    // variant a phone loads (srcset picks 480 w for a 320–480 CSS px column at 1×, the post column's `sizes`),
    // 480 px WebP. The target (≥ 0.5 × /healthz) is judged on this one.
    name: 'image-variant',
    label: 'GET /images/:id/480.webp (cached variant, phone)',
    request: (f) => ({ method: 'GET', path: `${f.image}/480.webp`, headers: IMAGE }),
    expect: { status: 200 },
  },
  {
    // The same picture as a desktop column or a 2× phone loads it: the same work in Folio, ~3× the bytes for
    // the kernel and the load generator to move (on one machine, both share its 2 cores).
    name: 'image-variant-960',
    label: 'GET /images/:id/960.webp (cached variant, wide)',
    request: (f) => ({ method: 'GET', path: `${f.image}/960.webp`, headers: IMAGE }),
    expect: { status: 200 },
  },
  {
    // The stylesheet as a page links it: the minified file under its content-hashed, immutable URL.
    name: 'static-css',
    label: 'GET /assets/site.<hash>.css',
    request: (f) => ({ method: 'GET', path: f.stylesheet, headers: { accept: 'text/css' } }),
    expect: { status: 200 },
  },
  {
    name: 'create-post',
    label: 'POST /posts (JSON, signed in)',
    request: (f) => ({
      method: 'POST',
      path: '/posts',
      headers: { ...JSON_HEADERS, cookie: f.cookie },
      body: JSON.stringify({ title: 'A post written under load', body: 'Short, **Markdown** body.' }),
    }),
    expect: { status: 201 },
  },
  {
    name: 'login',
    label: 'POST /auth/login (JSON)',
    request: (f) => ({
      method: 'POST',
      path: '/auth/login',
      headers: JSON_HEADERS,
      body: JSON.stringify({ username: f.username, password: f.password }),
    }),
    expect: { status: 200, contains: 'Logged in' },
  },
];

export const SOAK_SCENARIO = 'posts-signed-in';

/** `--scenario a,b`: names or parts of names; the /healthz ceiling always runs, or there is nothing to compare with. */
export function selectScenarios(filter: readonly string[]): Scenario[] {
  if (filter.length === 0) return [...SCENARIOS];
  const chosen = SCENARIOS.filter((s) => s.name === HEALTHZ || filter.some((f) => s.name.includes(f)));
  if (chosen.length === 1 && !filter.some((f) => HEALTHZ.includes(f))) {
    throw new Error(`--scenario ${filter.join(',')} matches none of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return chosen;
}
