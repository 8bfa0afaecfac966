import type { IncomingMessage, ServerResponse } from 'node:http';
import { MongoClient } from 'mongodb';
import { CommandLog, withCommandMonitoring } from '../mongo-commands';
import { BENCH_DB_ENV } from '../protocol';
import { runUnderBench } from '../under-bench';
import {
  NEWEST_FIRST,
  pageOf,
  publishedFilter,
  REFERENCE_COOKIE_NAME,
  REFERENCE_PAGE_SIZE,
  REFERENCE_SESSIONS_COLLECTION,
} from './reference';

/**
 * Reference point "hand-written": the least a signed-in list page can cost in Node — node:http and the
 * mongodb driver, no framework, no security work (the cookie's signature is not checked, no headers, no
 * CSRF, no logging). Two queries: the session document named by the cookie (the tutorial app's, which the
 * benchmark signs in to) and the page of posts; then an HTML page from a template literal.
 */

interface PostRow {
  _id: unknown;
  title: string;
  authorName: string;
  publishedAt: Date;
  excerpt?: string;
  tags?: string[];
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => escapes[c] ?? c);

/** `connect.sid=s%3A<id>.<signature>` → `<id>` (unverified: this app does no security work). */
function sessionIdOf(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== REFERENCE_COOKIE_NAME) continue;
    const raw = decodeURIComponent(value.join('='));
    return raw.startsWith('s:') ? raw.slice(2, raw.lastIndexOf('.')) : undefined;
  }
  return undefined;
}

function page(username: string, posts: readonly PostRow[], n: number): string {
  const items = posts
    .map(
      (p) => `<li><article><h2><a href="/posts/${esc(p._id)}">${esc(p.title)}</a></h2>
<p>by <a href="/users/${esc(p.authorName)}">${esc(p.authorName)}</a> · <time datetime="${p.publishedAt.toISOString()}">${p.publishedAt.toDateString()}</time></p>
<p>${esc(p.excerpt)}</p>
<ul>${(p.tags ?? []).map((t) => `<li><a href="/tags/${esc(t)}">#${esc(t)}</a></li>`).join('')}</ul></article></li>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Latest posts · Blog</title></head>
<body>
<header><a href="/posts">Blog</a><p>Signed in as ${esc(username)}</p></header>
<main><h1>Latest posts</h1>
<ol>${items}</ol>
<nav>${n > 1 ? `<a href="/posts?page=${n - 1}">Newer</a>` : ''}${posts.length === REFERENCE_PAGE_SIZE ? `<a href="/posts?page=${n + 1}">Older</a>` : ''}</nav>
</main></body></html>`;
}

runUnderBench(async () => {
  const uri = process.env.MONGODB_URI;
  const dbName = process.env[BENCH_DB_ENV];
  if (!uri || !dbName) throw new Error(`MONGODB_URI and ${BENCH_DB_ENV} are required`);
  const client = await new MongoClient(withCommandMonitoring(uri)).connect();
  const commands = new CommandLog(client, { keep: false });
  const db = client.db(dbName);
  const sessions = db.collection<{ _id: string; expires: Date; session: string }>(REFERENCE_SESSIONS_COLLECTION);
  const posts = db.collection('posts');

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/posts') {
      res.writeHead(404).end('Not found');
      return;
    }
    const sid = sessionIdOf(req.headers.cookie);
    const stored = sid ? await sessions.findOne({ _id: sid }) : null;
    const user =
      stored && stored.expires > new Date()
        ? (JSON.parse(stored.session) as { user?: { username: string } }).user
        : undefined;
    if (!user) {
      res.writeHead(302, { location: '/auth/login' }).end();
      return;
    }
    const n = pageOf(url.searchParams.get('page'));
    const list = (await posts
      .find(publishedFilter(new Date()), {
        projection: { title: 1, authorName: 1, publishedAt: 1, excerpt: 1, tags: 1 },
      })
      .sort(NEWEST_FIRST)
      .skip((n - 1) * REFERENCE_PAGE_SIZE)
      .limit(REFERENCE_PAGE_SIZE)
      .toArray()) as unknown as PostRow[];
    const html = page(user.username, list, n);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
    res.end(html);
  }

  return {
    handler: (req, res) => {
      serve(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
    },
    commands,
    sessionsCollection: REFERENCE_SESSIONS_COLLECTION,
    close: () => client.close(),
  };
});
