import request from 'supertest';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSIONS_COLLECTION } from '../../src/session/session-middleware';
import { type Agent, useApp } from '../support/app';
import { csrfTokenFrom, PASSWORD } from '../support/http';
import { createUser } from '../support/users';

const t = useApp();
const sessions = () => t.connection.collection(SESSIONS_COLLECTION);
const sessionsOf = (username: string) => sessions().countDocuments({ 'session.user.username': username });

beforeAll(async () => {
  await createUser(t.app, 'alice');
  await createUser(t.app, 'mallory');
});
beforeEach(() => sessions().deleteMany({}));

async function loginAs(username: string, userAgent: string): Promise<Agent> {
  const agent = request.agent(t.app);
  await agent.set('User-Agent', userAgent);
  const form = await agent.post('/auth/login').set('User-Agent', userAgent).send({ username, password: PASSWORD });
  expect(form.status).toBe(200);
  return agent;
}

const FIREFOX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** The public handles of the sessions listed on a page, in order, with "this device" marked. */
function listed(html: string) {
  return [...html.matchAll(/<li class="session( session--current)?">[\s\S]*?<\/li>/g)].map((m) => ({
    current: Boolean(m[1]),
    text: m[0],
    revoke: /action="(\/account\/sessions\/[^"]+\/revoke)"/.exec(m[0])?.[1],
  }));
}

describe('/account/sessions', () => {
  it('lists both devices with "this device" on the right one; revoking B makes B anonymous', async () => {
    const a = await loginAs('alice', FIREFOX);
    const b = await loginAs('alice', SAFARI);

    const page = await a.get('/account/sessions').set('User-Agent', FIREFOX);
    expect(page.status).toBe(200);
    const items = listed(page.text);
    expect(items).toHaveLength(2);
    const mine = items.find((i) => i.current);
    const other = items.find((i) => !i.current);
    expect(mine?.text).toContain('Firefox 128 on Ubuntu');
    expect(mine?.text).toContain('This device');
    expect(other?.text).toContain('Mobile Safari 17 on iOS 17');
    expect(page.text).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[^"]+"[^>]*>just now<\/time>/);
    // The revoke URL carries an opaque handle, never a session id.
    const sids = (await sessions().find().toArray()).map((s) => String(s._id));
    for (const sid of sids) expect(page.text).not.toContain(sid);

    const revoke = await a
      .post(other?.revoke as string)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text) });
    expect(revoke.status).toBe(303);
    expect(await sessionsOf('alice')).toBe(1);

    expect((await b.get('/auth/profile')).status).toBe(401);
    const bPage = await b.get('/account/sessions');
    expect(bPage.status).toBe(303);
    expect(bPage.headers.location).toBe('/auth/login?next=%2Faccount%2Fsessions');
    expect((await a.get('/auth/profile')).status).toBe(200);
  });

  it('"Sign out all other devices" with 3 sessions leaves only the current one', async () => {
    const a = await loginAs('alice', FIREFOX);
    const b = await loginAs('alice', SAFARI);
    const c = await loginAs('alice', CHROME);
    const m = await loginAs('mallory', CHROME);
    expect(await sessionsOf('alice')).toBe(3);

    const page = await a.get('/account/sessions');
    const res = await a
      .post('/account/sessions/revoke-others')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text) });
    expect(res.status).toBe(303);
    expect((await a.get(res.headers.location as string)).text).toContain('2 other devices have been signed out.');
    expect(await sessionsOf('alice')).toBe(1);
    expect((await a.get('/auth/profile')).status).toBe(200);
    expect((await b.get('/auth/profile')).status).toBe(401);
    expect((await c.get('/auth/profile')).status).toBe(401);
    // Another user's sessions are untouched.
    expect((await m.get('/auth/profile')).status).toBe(200);
  });

  it("revoking another user's session → 404 and nothing deleted", async () => {
    const a = await loginAs('alice', FIREFOX);
    const m = await loginAs('mallory', CHROME);
    const malloryPage = await m.get('/account/sessions');
    const handle = /\/account\/sessions\/([^/"]+)\/revoke/.exec(
      (await (await loginAs('mallory', SAFARI)).get('/account/sessions')).text,
    )?.[1];
    expect(handle).toBeDefined();
    expect(malloryPage.status).toBe(200);

    const page = await a.get('/account/sessions');
    const before = await sessions().countDocuments();
    const res = await a
      .post(`/account/sessions/${handle}/revoke`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text) });
    expect(res.status).toBe(404);
    expect(await sessions().countDocuments()).toBe(before);
    const json = await a.post(`/account/sessions/${handle}/revoke`).send({});
    expect(json.status).toBe(404);
  });

  it('counts page views of this session and shows them on the sessions page', async () => {
    const a = await loginAs('alice', FIREFOX);
    const views = async () => Number(/data-testid="views">(\d+)</.exec((await a.get('/account/sessions')).text)?.[1]);
    const first = await views();
    expect(first).toBeGreaterThanOrEqual(1);
    expect(await views()).toBe(first + 1);
    await a.get('/posts');
    await a.get('/posts');
    expect(await views()).toBe(first + 4);
    const json = await a.get('/account/sessions').set('Accept', 'application/json');
    expect(json.body.views).toBe(first + 4); // JSON calls are not page views
  });

  it('anonymous visitors without a session are not counted and get no cookie', async () => {
    // The earlier tests' views are stored first (their background write could otherwise land between the counts).
    await t.pageViews.flush();
    const before = await t.connection.collection('pageviews').countDocuments();
    const counted = vi.spyOn(t.pageViews, 'increment');
    const res = await request(t.app).get('/posts');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(counted).not.toHaveBeenCalled();
    await t.pageViews.flush();
    expect(await t.connection.collection('pageviews').countDocuments()).toBe(before);
    counted.mockRestore();
  });
});
