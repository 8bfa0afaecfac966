import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicRoute } from '../../src/http/route-access';
import { isAuthenticated } from '../../src/security/is-authenticated';
import { signedInRouter } from '../../src/security/signed-in-router';
import { SESSIONS_COLLECTION } from '../../src/session/session-store';
import { csrfTokenFrom } from '../support/http';
import { type RouteEntry, routeInventory, undeclaredRoutes } from '../support/route-inventory';
import { startTestApp, type TestApp } from '../support/test-app';
import { loginJson, registerJson } from '../support/users';

/**
 * Safe by default, checked against the router itself rather than hand-kept lists: every route the app
 * has — including one added tomorrow — is walked, and
 * 1. every route, GETs included, names a guard: a sign-in guard, or `publicRoute` on purpose;
 * 2. every state-changing route refuses a form post without the CSRF token (403) and changes nothing;
 * 3. no GET changes anything, signed in or anonymous, and an anonymous GET never sets a cookie.
 */

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

let t: TestApp;
let routes: RouteEntry[];
let agent: ReturnType<typeof request.agent>;
let other: ReturnType<typeof request.agent>;
const params: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  routes = routeInventory(t.app);
  agent = request.agent(t.app);
  other = request.agent(t.app);
  await registerJson(agent, 'router');
  await loginJson(other, 'router');
  const post = await agent.post('/posts').send({ title: 'Routed', body: 'A post to aim at', tags: 'walk' });
  params.id = params.postId = String(post.body.post?.id ?? post.body.id);
  const comment = await agent.post(`/posts/${params.id}/comments`).send({ body: 'A comment to aim at' });
  params.commentId = String(comment.body.comment?.id ?? '000000000000000000000000');
  await agent.post(`/reading-list/${params.id}`).send({});
  const list = await agent.get('/account/sessions').set('Accept', 'application/json');
  params.sid = String(
    (list.body.sessions as { publicId: string; current: boolean }[]).find((s) => !s.current)?.publicId,
  );
  params.username = 'router';
  params.tag = 'walk';
  params.token = 'A'.repeat(43);
});
afterAll(() => t.close());

/** `/posts/:id/comments/:commentId/delete` with real ids, so a forged request would hit something real. */
function concrete(path: string): string {
  return path.replace(/:(\w+)/g, (_, name: string) => params[name] ?? 'unknown');
}

/** Every collection but the bookkeeping a request may legitimately touch (counters, throttles, mail). */
async function snapshot() {
  const db = t.connection.db;
  if (!db) throw new Error('not connected');
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    // The security log is an audit trail: it records a download of one's data (GET /account/export) on purpose.
    .filter((n) => !['throttles', 'pageviews', 'security_events', SESSIONS_COLLECTION].includes(n))
    .sort();
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = await db.collection(name).find().sort({ _id: 1 }).toArray();
  // Sessions: who is signed in where and what they saved — not "last seen" or CSRF tokens.
  const sessions = await db.collection(SESSIONS_COLLECTION).find().sort({ _id: 1 }).toArray();
  out.sessions = sessions.map((s) => ({
    id: s._id,
    ended: s.endedAt !== undefined,
    user: s.session?.user,
    readingList: s.session?.readingList,
  }));
  return out;
}

describe('the route inventory', () => {
  it('finds the routes (a sanity check on the walker itself)', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys).toEqual(expect.arrayContaining(['POST /auth/login', 'POST /posts/:id/delete', 'GET /posts']));
    expect(routes.length).toBeGreaterThan(25);
  });

  it('every route, GETs included, is guarded or explicitly public', () => {
    expect(undeclaredRoutes(routes)).toEqual([]);
  });

  it('the check itself: a route without a declaration is caught, whatever its method; a signed-in router guards all', () => {
    const app = express();
    const open = express.Router();
    open.get('/forgot-to-say', (_req, res) => res.end());
    open.get('/said-so', publicRoute, (_req, res) => res.end());
    open.post('/guarded', isAuthenticated, (_req, res) => res.end());
    const own = signedInRouter();
    own.get('/mine', (_req, res) => res.end());
    own.post('/mine', (_req, res) => res.end());
    app.use('/open', open);
    app.use('/account', own);
    app.get('/bare', (_req, res) => res.end());
    expect(undeclaredRoutes(routeInventory(app))).toEqual(['GET /open/forgot-to-say', 'GET /bare']);
  });

  it('account pages need sign-in as a whole: anonymous GETs under /account are refused unless declared public', async () => {
    for (const route of routes.filter((r) => r.method === 'GET' && r.path.startsWith('/account'))) {
      const res = await request(t.app).get(concrete(route.path)).set('Accept', 'application/json');
      if (route.handlers.includes('publicRoute')) continue;
      expect(res.status, route.path).toBe(401);
    }
  });

  it('every state-changing route refuses a form post without the CSRF token, and nothing changes', async () => {
    const page = await agent.get('/posts/new');
    expect(csrfTokenFrom(page.text)).toBeTruthy(); // this session does have a token: it just is not sent
    const before = await snapshot();
    for (const route of routes.filter((r) => !SAFE.has(r.method))) {
      const path = concrete(route.path);
      const res = await agent[route.method.toLowerCase() as 'post'](path)
        .type('form')
        .send({ title: 'forged', body: 'forged', email: 'forged@example.com', password: 'forged-password-1' });
      expect(res.status, `${route.method} ${path}`).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
    expect((await agent.get('/auth/profile')).status).toBe(200);
  });

  it('no GET changes state, signed in or anonymous; anonymous GETs set no cookie', async () => {
    const before = await snapshot();
    for (const route of routes.filter((r) => r.method === 'GET')) {
      const path = concrete(route.path);
      const signedIn = await agent.get(path);
      expect(signedIn.status, path).toBeLessThan(500);
      const anonymous = await request(t.app).get(path);
      expect(anonymous.status, path).toBeLessThan(500);
      expect(anonymous.headers['set-cookie'], path).toBeUndefined();
    }
    expect(await snapshot()).toEqual(before);
    expect((await agent.get('/auth/profile')).status).toBe(200);
    expect((await other.get('/auth/profile')).status).toBe(200);
  });
});
