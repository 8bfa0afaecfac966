import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_COLLECTION } from '../../src/mail/outbox';
import { commentModel } from '../../src/posts/comments/comment.model';
import { postModel } from '../../src/posts/post.model';
import { SESSIONS_COLLECTION } from '../../src/session/session-store';
import { userModel } from '../../src/users/user.model';
import { type Agent, confirmPassword, json, setRole, staffAgent } from '../roles/staff-support';
import { csrfTokenFrom, PASSWORD } from '../support/http';
import { liveSessions } from '../support/sessions';
import { startTestApp, type TestApp } from '../support/test-app';
import { loginJson, registerJson } from '../support/users';

/**
 * Every row of the contract's "Staff, roles and moderation" table, against a real mongod. REAUTH_MINUTES=0:
 * each sudo action needs its own confirmation, so "without sudo → 401" is tested on every such route.
 */

let t: TestApp;
let owner: Agent;
let admin: Agent;
let editor: Agent;
let author: Agent;
const REAUTH = { 'Content-Type': 'application/json' };

async function userId(username: string): Promise<string> {
  const u = await userModel(t.connection).findOne({ username }, { _id: 1 }).lean();
  return String(u?._id);
}

async function mailTo(to: string): Promise<{ text: string; subject: string }> {
  for (let i = 0; i < 50; i += 1) {
    const mail = await t.connection.collection(OUTBOX_COLLECTION).findOne({ to }, { sort: { createdAt: -1 } });
    if (mail) return mail as unknown as { text: string; subject: string };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to}`);
}

beforeAll(async () => {
  t = await startTestApp({ env: { REAUTH_MINUTES: '0', PAGE_CACHE_SECONDS: '0' } });
  owner = request.agent(t.app);
  await registerJson(owner, 'boss');
  admin = await staffAgent(t, 'adminna', 'admin');
  editor = await staffAgent(t, 'eddie', 'editor');
  author = await staffAgent(t, 'writer', 'author');
});
afterAll(() => t.close());

describe('GET /admin', () => {
  it('editor and up: 200; others 403; anonymous: to the login page (JSON: 401)', async () => {
    expect((await editor.get('/admin').set(json)).status).toBe(200);
    expect((await editor.get('/admin')).text).toContain('Staff area');
    expect((await admin.get('/admin').set(json)).body.staff.role).toBe('admin');
    expect((await author.get('/admin').set(json)).status).toBe(403);
    expect((await author.get('/admin')).status).toBe(403);
    const anonymous = await request(t.app).get('/admin');
    expect([302, 303]).toContain(anonymous.status);
    expect(anonymous.headers.location).toMatch(/^\/auth\/login/);
    expect((await request(t.app).get('/admin').set(json)).status).toBe(401);
  });
});

describe('users', () => {
  it('GET /admin/users?q=: admin and up, the contract’s JSON shape, searchable', async () => {
    const res = await admin.get('/admin/users').set(json);
    expect(res.status).toBe(200);
    const eddie = (res.body.users as { username: string }[]).find((u) => u.username === 'eddie');
    expect(eddie).toEqual({
      username: 'eddie',
      role: 'editor',
      status: 'active',
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
    });
    const found = await admin.get('/admin/users?q=ed').set(json);
    expect((found.body.users as { username: string }[]).map((u) => u.username)).toEqual(['eddie']);
    expect((await editor.get('/admin/users').set(json)).status).toBe(403);
    expect((await admin.get('/admin/users')).text).toContain('eddie');
  });

  it('GET /admin/users/:name: role, status and devices with sign-in time, IP and browser', async () => {
    const res = await admin.get('/admin/users/writer').set(json);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: 'writer', role: 'author', status: 'active' });
    expect(res.body.user.devices[0]).toEqual({
      signedInAt: expect.any(String),
      lastSeenAt: expect.any(String),
      ip: expect.any(String),
      browser: expect.any(String),
    });
    expect((await admin.get('/admin/users/nobody-here').set(json)).status).toBe(404);
    expect((await editor.get('/admin/users/writer').set(json)).status).toBe(403);
    expect((await admin.get('/admin/users/writer')).status).toBe(200);
  });

  it('POST /admin/users/:name/role: sudo (401 for JSON without it), CSRF, and the table’s limits', async () => {
    const noSudo = await admin.post('/admin/users/writer/role').set(REAUTH).send({ role: 'editor' });
    expect(noSudo.status).toBe(401);
    expect(noSudo.body).toEqual({ error: 'Reauthentication required' });
    // A form post without the CSRF token: 403, nothing changes.
    const forged = await admin.post('/admin/users/writer/role').type('form').send({ role: 'editor' });
    expect(forged.status).toBe(403);
    await confirmPassword(admin);
    const ok = await admin.post('/admin/users/writer/role').send({ role: 'editor' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ user: { username: 'writer', role: 'editor' } });
    // Only the owner makes admins.
    await confirmPassword(admin);
    expect((await admin.post('/admin/users/writer/role').send({ role: 'admin' })).status).toBe(403);
    // Nobody touches the owner; nobody acts on a peer or on themselves.
    await confirmPassword(admin);
    expect((await admin.post('/admin/users/boss/role').send({ role: 'reader' })).status).toBe(403);
    await confirmPassword(admin);
    expect((await admin.post('/admin/users/adminna/role').send({ role: 'owner' })).status).toBe(403);
    await confirmPassword(owner);
    expect((await owner.post('/admin/users/writer/role').send({ role: 'admin' })).status).toBe(200);
    await confirmPassword(owner);
    expect((await owner.post('/admin/users/writer/role').send({ role: 'author' })).status).toBe(200);
    // An editor cannot change roles at all.
    await confirmPassword(editor);
    expect((await editor.post('/admin/users/writer/role').send({ role: 'reader' })).status).toBe(403);
    // Invalid role: 422.
    await confirmPassword(owner);
    expect((await owner.post('/admin/users/writer/role').send({ role: 'emperor' })).status).toBe(422);
    // The target's own security log says so.
    const log = await author.get('/account/security').set(json);
    expect(JSON.stringify(log.body)).toContain('An administrator changed your role');
  });

  it('POST /admin/users/:name/sign-out: every session of that user ends for good', async () => {
    const victim = await staffAgent(t, 'signedout', 'author');
    const second = request.agent(t.app);
    await loginJson(second, 'signedout');
    const id = await userId('signedout');
    expect(await liveSessions(t.connection, { 'session.user.id': id })).toBe(2);
    expect((await admin.post('/admin/users/signedout/sign-out').send({})).status).toBe(401);
    await confirmPassword(admin);
    const res = await admin.post('/admin/users/signedout/sign-out').send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Signed out everywhere', sessionsEnded: 2 });
    expect(await liveSessions(t.connection, { 'session.user.id': id })).toBe(0);
    expect((await victim.get('/auth/profile')).status).toBe(401);
    expect((await second.get('/auth/profile')).status).toBe(401);
    // They may sign in again, and their log says what happened.
    const back = request.agent(t.app);
    await loginJson(back, 'signedout');
    const log = await back.get('/account/security').set(json);
    expect(JSON.stringify(log.body)).toContain('An administrator signed you out');
  });

  it('POST /admin/users/:name/suspend and /unsuspend: sessions end, sign-in refused, content hidden; restored', async () => {
    const spammer = await staffAgent(t, 'spammer', 'author');
    const post = await spammer.post('/posts').send({ title: 'Buy now', body: 'Spam' });
    const postId = String(post.body.post.id);
    const host = await author.post('/posts').send({ title: 'Host post', body: 'Hi' });
    const hostId = String(host.body.post.id);
    await spammer.post(`/posts/${hostId}/comments`).send({ body: 'Spam comment' });
    expect((await request(t.app).get(`/posts/${postId}`).set(json)).status).toBe(200);

    expect((await admin.post('/admin/users/spammer/suspend').send({})).status).toBe(401);
    await confirmPassword(admin);
    const res = await admin.post('/admin/users/spammer/suspend').send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { username: 'spammer', status: 'suspended' }, sessionsEnded: 1 });
    expect((await spammer.get('/auth/profile')).status).toBe(401);
    // Sign-in refused with a message that says why.
    const login = await request(t.app).post('/auth/login').send({ username: 'spammer', password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body.error).toMatch(/suspended/);
    const page = await request(t.app)
      .post('/auth/login')
      .type('form')
      .send({ username: 'spammer', password: PASSWORD });
    expect(page.status).toBe(403);
    expect(page.text).toMatch(/suspended by an administrator/);
    // Posts and comments hidden from everyone else.
    expect((await request(t.app).get(`/posts/${postId}`).set(json)).status).toBe(404);
    expect((await request(t.app).get('/posts')).text).not.toContain('Buy now');
    const thread = await author.get(`/posts/${hostId}`).set(json);
    expect(JSON.stringify(thread.body)).not.toContain('Spam comment');
    expect((await admin.get('/admin/users?q=spam').set(json)).body.users[0].status).toBe('suspended');
    // Nobody suspends the owner.
    await confirmPassword(admin);
    expect((await admin.post('/admin/users/boss/suspend').send({})).status).toBe(403);

    await confirmPassword(admin);
    const lift = await admin.post('/admin/users/spammer/unsuspend').send({});
    expect(lift.status).toBe(200);
    expect(lift.body).toEqual({ user: { username: 'spammer', status: 'active' } });
    expect((await request(t.app).get(`/posts/${postId}`).set(json)).status).toBe(200);
    expect(JSON.stringify((await author.get(`/posts/${hostId}`).set(json)).body)).toContain('Spam comment');
    const again = request.agent(t.app);
    await loginJson(again, 'spammer');
    const log = JSON.stringify((await again.get('/account/security').set(json)).body);
    expect(log).toContain('An administrator suspended your account');
    expect(log).toContain('lifted the suspension');
  });

  it('the confirmation pages of destructive actions render with a CSRF-protected form', async () => {
    const page = await admin.get('/admin/users/writer/suspend');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Suspend writer?');
    expect(csrfTokenFrom(page.text)).toBeTruthy();
    expect((await admin.get('/admin/users/writer/sign-out')).text).toContain('Sign writer out everywhere?');
  });
});

describe('GET, POST /admin/settings', () => {
  it('admin and up; JSON { settings }; sudo to change; title used by pages and feeds', async () => {
    const res = await admin.get('/admin/settings').set(json);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      settings: {
        siteTitle: 'Folio',
        siteDescription: expect.any(String),
        registration: 'open',
        newAccountRole: 'author',
        comments: 'open',
      },
    });
    expect((await editor.get('/admin/settings').set(json)).status).toBe(403);
    const next = { ...res.body.settings, siteTitle: 'The Quiet Blog' };
    expect((await admin.post('/admin/settings').send(next)).status).toBe(401);
    await confirmPassword(admin);
    expect((await admin.post('/admin/settings').send({ ...next, registration: 'sometimes' })).status).toBe(422);
    await confirmPassword(admin);
    const saved = await admin.post('/admin/settings').send(next);
    expect(saved.status).toBe(200);
    expect(saved.body.settings.siteTitle).toBe('The Quiet Blog');
    expect((await request(t.app).get('/posts')).text).toContain('<title>Latest posts · The Quiet Blog</title>');
    expect((await request(t.app).get('/feed.xml')).text).toContain('The Quiet Blog');
    await confirmPassword(admin);
    await admin.post('/admin/settings').send(res.body.settings);
  });

  it('registration invite → POST /auth/register 403 with a page saying so; closed → 403 even with an invitation', async () => {
    const base = (await admin.get('/admin/settings').set(json)).body.settings;
    await confirmPassword(admin);
    await admin.post('/admin/settings').send({ ...base, registration: 'invite' });
    const refused = await request(t.app)
      .post('/auth/register')
      .type('form')
      .send({ username: 'uninvited', password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('by invitation only');
    expect((await request(t.app).get('/auth/register')).status).toBe(403);

    await confirmPassword(editor);
    await editor.post('/admin/invites').send({ email: 'guest@example.com', role: 'author' });
    const link = /\/auth\/invite\/([A-Za-z0-9_-]{43})/.exec((await mailTo('guest@example.com')).text)?.[1];
    expect(link).toBeDefined();
    await confirmPassword(admin);
    await admin.post('/admin/settings').send({ ...base, registration: 'closed' });
    const closed = await request(t.app).post(`/auth/invite/${link}`).send({ username: 'guest1', password: PASSWORD });
    expect(closed.status).toBe(403);
    expect(await userModel(t.connection).exists({ username: 'guest1' })).toBeNull();
    // Back to invite: the invitation is still good.
    await confirmPassword(admin);
    await admin.post('/admin/settings').send({ ...base, registration: 'invite' });
    const ok = await request(t.app).post(`/auth/invite/${link}`).send({ username: 'guest1', password: PASSWORD });
    expect(ok.status).toBe(201);
    await confirmPassword(admin);
    await admin.post('/admin/settings').send(base);
  });
});

describe('POST /admin/invites', () => {
  it('editor and up + sudo; editors up to author, admins up to admin; a mailed, single-use link', async () => {
    expect((await author.post('/admin/invites').send({ email: 'x@example.com', role: 'reader' })).status).toBe(403);
    expect((await editor.post('/admin/invites').send({ email: 'x@example.com', role: 'reader' })).status).toBe(401);
    await confirmPassword(editor);
    expect((await editor.post('/admin/invites').send({ email: 'x@example.com', role: 'editor' })).status).toBe(403);
    await confirmPassword(admin);
    const made = await admin.post('/admin/invites').send({ email: 'New.Editor@example.com', role: 'editor' });
    expect(made.status).toBe(201);
    expect(made.body.invitation).toEqual({
      email: 'new.editor@example.com',
      role: 'editor',
      expiresAt: expect.any(String),
    });
    const mail = await mailTo('new.editor@example.com');
    const token = /\/auth\/invite\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
    expect(token).toBeDefined();
    // Stored hashed: the token itself is nowhere in the database.
    const stored = await t.connection.collection('invitations').findOne({ email: 'new.editor@example.com' });
    expect(JSON.stringify(stored)).not.toContain(String(token));

    const page = await request(t.app).get(`/auth/invite/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Accept your invitation');
    expect(page.text).toContain(`action="/auth/invite/${token}"`);
    const joiner = request.agent(t.app);
    const joined = await joiner.post(`/auth/invite/${token}`).send({ username: 'neweditor', password: PASSWORD });
    expect(joined.status).toBe(201);
    expect((await joiner.get('/auth/profile')).body.user).toEqual({ username: 'neweditor', role: 'editor' });
    // Single use.
    const twice = await request(t.app).post(`/auth/invite/${token}`).send({ username: 'another', password: PASSWORD });
    expect(twice.status).toBe(410);
    expect((await request(t.app).get(`/auth/invite/${'A'.repeat(43)}`)).status).toBe(404);
  });
});

describe('reports and moderation', () => {
  let postId: string;
  let commentId: string;
  let reader: Agent;
  /** The comment's author, still signed in: sees their own hidden comment, marked. */
  let troll: Agent;
  beforeAll(async () => {
    const post = await author.post('/posts').send({ title: 'Reported post', body: 'Body' });
    postId = String(post.body.post.id);
    troll = await staffAgent(t, 'troll', 'reader');
    const comment = await troll.post(`/posts/${postId}/comments`).send({ body: 'An abusive comment' });
    commentId = String(comment.body.comment.id);
    reader = await staffAgent(t, 'reporter', 'reader');
  });

  it('POST report (signed in + CSRF, reason) and GET /admin/reports in the contract’s shape', async () => {
    expect((await request(t.app).post(`/posts/${postId}/report`).set(json).send({ reason: 'x' })).status).toBe(401);
    expect((await reader.post(`/posts/${postId}/report`).type('form').send({ reason: 'spam' })).status).toBe(403);
    expect((await reader.post(`/posts/${postId}/report`).send({ reason: '' })).status).toBe(422);
    expect((await reader.post(`/posts/${postId}/report`).send({ reason: 'Off topic' })).status).toBe(201);
    const c = await reader.post(`/posts/${postId}/comments/${commentId}/report`).send({ reason: 'Abusive' });
    expect(c.status).toBe(201);
    const queue = await editor.get('/admin/reports').set(json);
    expect(queue.status).toBe(200);
    const reports = queue.body.reports as Record<string, unknown>[];
    expect(reports.find((r) => r.kind === 'comment')).toEqual({
      id: expect.any(String),
      kind: 'comment',
      targetId: commentId,
      postId,
      reason: 'Abusive',
      reporter: 'reporter',
      createdAt: expect.any(String),
    });
    expect((await author.get('/admin/reports').set(json)).status).toBe(403);
    expect((await editor.get('/admin/reports')).text).toContain('Abusive');
  });

  it('POST /admin/reports/:id/dismiss closes a report and changes nothing else', async () => {
    const queue = (await editor.get('/admin/reports').set(json)).body.reports as { id: string; kind: string }[];
    const postReport = queue.find((r) => r.kind === 'post');
    expect((await editor.post(`/admin/reports/${postReport?.id}/dismiss`).type('form').send({})).status).toBe(403);
    const res = await editor.post(`/admin/reports/${postReport?.id}/dismiss`).send({});
    expect(res.status).toBe(200);
    expect((await editor.post(`/admin/reports/${postReport?.id}/dismiss`).send({})).status).toBe(404);
    const after = (await editor.get('/admin/reports').set(json)).body.reports as { id: string }[];
    expect(after.map((r) => r.id)).not.toContain(postReport?.id);
    expect((await request(t.app).get(`/posts/${postId}`).set(json)).status).toBe(200);
  });

  it('hide: shown to nobody but its author (marked) and the staff; its reports close; restore brings it back', async () => {
    expect((await author.post(`/admin/comments/${commentId}/hide`).send({})).status).toBe(403);
    const hidden = await editor.post(`/admin/comments/${commentId}/hide`).send({});
    expect(hidden.status).toBe(200);
    expect(JSON.stringify((await request(t.app).get(`/posts/${postId}`).set(json)).body)).not.toContain('abusive');
    expect((await request(t.app).get(`/posts/${postId}`)).text).not.toContain('An abusive comment');
    const own = await troll.get(`/posts/${postId}`);
    expect(own.text).toContain('An abusive comment');
    expect(own.text).toContain('Hidden by a moderator');
    const queue = (await editor.get('/admin/reports').set(json)).body.reports as { kind: string }[];
    expect(queue.filter((r) => r.kind === 'comment')).toEqual([]);
    expect((await editor.get('/admin/reports')).text).toContain('An abusive comment');
    expect((await postModel(t.connection).findById(postId).lean())?.commentCount).toBe(0);

    const restored = await editor.post(`/admin/comments/${commentId}/restore`).send({});
    expect(restored.status).toBe(200);
    expect((await request(t.app).get(`/posts/${postId}`)).text).toContain('An abusive comment');
    expect((await postModel(t.connection).findById(postId).lean())?.commentCount).toBe(1);
  });

  it('at most 10 reports an hour per account (429)', async () => {
    const busy = await staffAgent(t, 'busybody', 'reader');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      statuses.push((await busy.post(`/posts/${postId}/report`).send({ reason: `r${i}` })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses[10]).toBe(429);
  });

  it('the report limit holds with 25 reports in flight at once: exactly 10 are filed', async () => {
    const burst = await staffAgent(t, 'burstreporter', 'reader');
    const statuses = await Promise.all(
      Array.from(
        { length: 25 },
        async (_, i) => (await burst.post(`/posts/${postId}/report`).send({ reason: `b${i}` })).status,
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    const filed = await t.connection.collection('reports').countDocuments({ reporter: 'burstreporter' });
    expect(filed).toBe(10);
  });

  it('comments first-held: a first comment waits; approve publishes it; off: 403', async () => {
    const base = (await admin.get('/admin/settings').set(json)).body.settings;
    await confirmPassword(admin);
    await admin.post('/admin/settings').send({ ...base, comments: 'first-held' });
    const newbie = await staffAgent(t, 'newbie', 'reader');
    const held = await newbie.post(`/posts/${postId}/comments`).send({ body: 'My first words' });
    expect(held.status).toBe(201);
    expect(held.body.held).toBe(true);
    expect((await request(t.app).get(`/posts/${postId}`)).text).not.toContain('My first words');
    expect((await newbie.get(`/posts/${postId}`)).text).toContain('Waiting for approval');
    const id = String(held.body.comment.id);
    expect((await author.post(`/admin/comments/${id}/approve`).send({})).status).toBe(403);
    expect((await editor.post(`/admin/comments/${id}/approve`).send({})).status).toBe(200);
    expect((await request(t.app).get(`/posts/${postId}`)).text).toContain('My first words');
    // The next one is not held.
    const second = await newbie.post(`/posts/${postId}/comments`).send({ body: 'Second words' });
    expect(second.body.held).toBeUndefined();
    await confirmPassword(admin);
    await admin.post('/admin/settings').send({ ...base, comments: 'off' });
    expect((await newbie.post(`/posts/${postId}/comments`).send({ body: 'Closed?' })).status).toBe(403);
    expect(await commentModel(t.connection).exists({ body: 'Closed?' })).toBeNull();
    await confirmPassword(admin);
    await admin.post('/admin/settings').send(base);
  });
});

describe('GET /admin/log', () => {
  it('admin and up: every staff action, when, who, what, to whom', async () => {
    const res = await admin.get('/admin/log').set(json);
    expect(res.status).toBe(200);
    const events = res.body.events as { action: string; actor: string; target?: string; at: string }[];
    const actions = new Set(events.map((e) => e.action));
    for (const a of [
      'role_changed',
      'suspended',
      'unsuspended',
      'signed_out',
      'settings_changed',
      'invited',
      'report_dismissed',
      'comment_hidden',
      'comment_restored',
      'comment_approved',
    ]) {
      expect(actions, a).toContain(a);
    }
    expect(events.find((e) => e.action === 'suspended')).toMatchObject({
      actor: 'adminna',
      target: 'spammer',
      at: expect.any(String),
    });
    expect((await editor.get('/admin/log').set(json)).status).toBe(403);
    expect((await admin.get('/admin/log')).text).toContain('Suspended');
  });
});

describe('pages of the staff area', () => {
  it('every page renders for the owner', async () => {
    for (const path of [
      '/admin',
      '/admin/reports',
      '/admin/users',
      '/admin/users/writer',
      '/admin/settings',
      '/admin/invites',
      '/admin/log',
    ]) {
      const res = await owner.get(path);
      expect(res.status, path).toBe(200);
    }
    expect(await t.connection.collection(SESSIONS_COLLECTION).countDocuments()).toBeGreaterThan(0);
    await setRole(t.connection, 'writer', 'author');
  });
});
