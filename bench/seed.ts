import { seedImage } from './images';

/**
 * Seeds the benchmark's data through Folio's own JSON API (register, then POST /posts), so the posts are
 * exactly what the app itself writes, however the post model evolves. JSON requests need no CSRF token
 * (a cross-site page cannot send them); the session cookie comes from registering.
 */

export interface Fixtures {
  readonly username: string;
  readonly password: string;
  /** `folio.sid=…`, a signed-in session for the signed-in scenarios. */
  readonly cookie: string;
  /** A post in the middle of the list, for GET /posts/:id. */
  readonly postId: string;
  /** The anonymous front page's ETag once seeded, for the 304 scenario (nothing is written before it runs). */
  readonly postsEtag: string;
  /** A 2000 × 1500 picture in a public post (bench/images.ts), `/images/<id>`: its variants are `<path>/<w>.webp`. */
  readonly image: string;
  /** The stylesheet's URL as the front page links it: minified, content-hashed (src/assets). */
  readonly stylesheet: string;
  /** A signed-in session of the reference apps (`connect.sid=…`), when they run (bench/reference/). */
  readonly referenceCookie?: string;
}

const USERNAME = 'bench';
const PASSWORD = 'bench-password-123';
/** Few enough not to swamp the server while it seeds, enough to seed 1,000 posts in seconds. */
const SEED_CONCURRENCY = 8;

/** About 1.5 kB of Markdown with the usual constructs, so rendering and excerpts cost what real posts do. */
export function postBody(n: number): string {
  return [
    `## Notes on session handling, part ${n}`,
    '',
    `This is post number **${n}** of the benchmark. It talks about cookies, sessions and the *small* details`,
    'that decide whether a login survives a restart: where the session lives, when its id changes, and how',
    'long it may stay idle. See [the tutorial](https://example.com/tutorial) for the starting point.',
    '',
    '- `HttpOnly`, so scripts cannot read the cookie',
    '- `SameSite=Lax`, so other sites cannot post with it',
    '- a new id at every sign-in',
    '',
    '> A session is only as safe as the cookie that points at it.',
    '',
    '```js',
    "app.use(session({ name: 'folio.sid', resave: false, saveUninitialized: false }));",
    '```',
    '',
    'The rest of this post is filler text of a realistic length. '.repeat(12).trim(),
  ].join('\n');
}

function sessionCookie(res: Response, cookieName: string): string {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
  if (!line) throw new Error(`registering did not set the ${cookieName} cookie`);
  return line.split(';')[0] ?? line;
}

async function expectStatus(res: Response, status: number, what: string): Promise<void> {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${await res.text()}`);
}

export async function seed(baseUrl: string, options: { posts: number; cookieName: string }): Promise<Fixtures> {
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const registered = await fetch(`${baseUrl}/auth/register`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
  });
  await expectStatus(registered, 201, 'register the benchmark user');
  const cookie = sessionCookie(registered, options.cookieName);

  const ids: string[] = new Array(options.posts);
  let next = 0;
  const worker = async () => {
    while (next < options.posts) {
      const n = next++;
      const res = await fetch(`${baseUrl}/posts`, {
        method: 'POST',
        headers: { ...json, cookie },
        body: JSON.stringify({ title: `Benchmark post ${n + 1}`, body: postBody(n + 1) }),
      });
      await expectStatus(res, 201, `create post ${n + 1}`);
      const created = (await res.json()) as { post: { id: string } };
      ids[n] = created.post.id;
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  const postId = ids[Math.floor(options.posts / 2)];
  if (!postId) throw new Error('seeding created no posts');
  // Before the front page's ETag is taken: the picture's post is on the front page.
  const image = await seedImage(baseUrl, cookie);
  const front = await fetch(`${baseUrl}/posts`, { headers: { accept: 'text/html' } });
  await expectStatus(front, 200, 'read the front page');
  const postsEtag = front.headers.get('etag');
  if (!postsEtag) throw new Error('the front page has no ETag');
  const stylesheet = /<link rel="stylesheet" href="(\/assets\/[^"]+\.css)"/.exec(await front.text())?.[1];
  if (!stylesheet) throw new Error('the front page links no hashed stylesheet under /assets/');
  return { username: USERNAME, password: PASSWORD, cookie, postId, postsEtag, image, stylesheet };
}

/** Signs in to the tutorial app as its form does (POST /auth/login → 302 /posts) and returns its cookie. */
export async function signInToReference(
  baseUrl: string,
  user: { readonly username: string; readonly password: string },
  cookieName: string,
): Promise<string> {
  const res = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(user).toString(),
    redirect: 'manual',
  });
  await expectStatus(res, 302, 'sign in to the tutorial app');
  return sessionCookie(res, cookieName);
}
