import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestOutboxMail } from '../../src/mail/outbox';
import { postModel } from '../../src/posts/post.model';
import { formatDateTimeIn, formatForMail, isTimeZone, utcToLocalInput, zonedToUtc } from '../../src/time/time-zone';
import { userModel } from '../../src/users/user.model';
import { type Agent, startBlogApp, submitPost, TestClock } from '../posts/blog-app';
import { csrfTokenFrom, PASSWORD } from '../support/http';
import type { TestApp } from '../support/test-app';

const clock = new TestClock(Date.UTC(2030, 0, 15, 12, 0, 0));
let t: TestApp;

beforeAll(async () => {
  t = await startBlogApp({ clock });
});
afterAll(() => t.close());

/** Registers through the HTML form, as a browser whose Intl reports `timeZone` would. */
async function registerIn(username: string, timeZone: string): Promise<Agent> {
  const agent = request.agent(t.app);
  const res = await agent.post('/auth/register').type('form').send({ username, password: PASSWORD, timeZone });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return agent;
}

async function schedule(agent: Agent, title: string, publishAt: string) {
  const res = await submitPost(agent, { title, body: 'Some words.', publishAt });
  expect(res.status, res.text.slice(0, 600)).toBe(303);
  const id = (res.headers.location as string).split('/').pop() as string;
  const post = await postModel(t.connection).findById(id).lean();
  return { id, publishedAt: post?.publishedAt?.toISOString(), res };
}

describe('zonedToUtc (Intl only)', () => {
  it.each([
    ['2030-01-31T10:00', 'Europe/Berlin', '2030-01-31T09:00:00.000Z'],
    ['2030-07-31T10:00', 'Europe/Berlin', '2030-07-31T08:00:00.000Z'],
    ['2030-01-31T10:00', 'America/Los_Angeles', '2030-01-31T18:00:00.000Z'],
    ['2030-07-31T10:00', 'America/Los_Angeles', '2030-07-31T17:00:00.000Z'],
    ['2030-01-31T10:00', 'Asia/Kolkata', '2030-01-31T04:30:00.000Z'],
    ['2030-01-31T10:00', 'UTC', '2030-01-31T10:00:00.000Z'],
    // Clocks go forward at 02:00 (Berlin, 31 March 2030): 02:30 does not exist and means 03:30 CEST.
    ['2030-03-31T02:30', 'Europe/Berlin', '2030-03-31T01:30:00.000Z'],
    // Clocks go back at 03:00 (27 October 2030): 02:30 happens twice; the first one is meant.
    ['2030-10-27T02:30', 'Europe/Berlin', '2030-10-27T00:30:00.000Z'],
    ['2030-10-27T03:30', 'Europe/Berlin', '2030-10-27T02:30:00.000Z'],
    ['2030-03-10T02:30', 'America/Los_Angeles', '2030-03-10T10:30:00.000Z'],
    ['2030-11-03T01:30', 'America/Los_Angeles', '2030-11-03T08:30:00.000Z'],
  ])('%s in %s is %s', (local, zone, iso) => {
    expect(zonedToUtc(local, zone)?.toISOString()).toBe(iso);
  });

  it('refuses dates that do not exist and round-trips through the form value', () => {
    expect(zonedToUtc('2030-02-31T10:00', 'Europe/Berlin')).toBeUndefined();
    expect(zonedToUtc('2030-01-01T24:00', 'Europe/Berlin')).toBeUndefined();
    expect(utcToLocalInput(new Date('2030-01-31T09:00:00Z'), 'Europe/Berlin')).toBe('2030-01-31T10:00');
    expect(utcToLocalInput(new Date('2030-07-31T17:00:00Z'), 'America/Los_Angeles')).toBe('2030-07-31T10:00');
  });

  it('knows zones by Intl, and nothing else', () => {
    for (const zone of ['Europe/Berlin', 'America/Los_Angeles', 'UTC', 'Asia/Calcutta'])
      expect(isTimeZone(zone)).toBe(true);
    for (const zone of ['Mars/Olympus', '', 'Europe/Berlin/../x', 'x'.repeat(65), 42, null]) {
      expect(isTimeZone(zone)).toBe(false);
    }
  });

  it('formats name the zone: pages by abbreviation, mails by name', () => {
    const at = new Date('2030-01-31T09:00:00Z');
    expect(formatDateTimeIn(at, 'Europe/Berlin')).toBe('31 January 2030 at 10:00 CET');
    expect(formatDateTimeIn(at, 'UTC')).toBe('31 January 2030 at 09:00 UTC');
    expect(formatForMail(at, 'America/Los_Angeles')).toBe('Thursday 31 January 2030 at 01:00 (America/Los_Angeles)');
  });
});

describe('scheduling in the writer’s zone', () => {
  it('Berlin: 10:00 local publishes at 09:00Z, and is public from that instant, not an hour later', async () => {
    const berlin = await registerIn('berliner', 'Europe/Berlin');
    expect((await userModel(t.connection).findOne({ username: 'berliner' }).lean())?.timeZone).toBe('Europe/Berlin');
    const form = await berlin.get('/posts/new').expect(200);
    expect(form.text).toContain('Publish at (Europe/Berlin)');
    const { id, publishedAt, res } = await schedule(berlin, 'Berlin morning', '2030-02-01T10:00');
    expect(publishedAt).toBe('2030-02-01T09:00:00.000Z');
    // The flash names the writer's time, not UTC.
    const shown = await berlin.get(res.headers.location as string).expect(200);
    expect(shown.text).toContain('scheduled for 1 February 2030 at 10:00 CET');
    expect(shown.text).toContain(
      'Scheduled for <time datetime="2030-02-01T09:00:00.000Z">1 February 2030 at 10:00 CET',
    );
    // The edit form gives back the local time it was given.
    expect((await berlin.get(`/posts/${id}/edit`).expect(200)).text).toContain('value="2030-02-01T10:00"');
    expect((await berlin.get('/drafts').expect(200)).text).toContain('1 February 2030 at 10:00 CET');

    const saved = clock.ms;
    clock.ms = Date.UTC(2030, 1, 1, 8, 59);
    await request(t.app).get(`/posts/${id}`).expect(404);
    clock.ms = Date.UTC(2030, 1, 1, 9, 0);
    const page = await request(t.app).get(`/posts/${id}`).expect(200);
    // Anonymous readers get UTC, named.
    expect(page.text).toContain('1 February 2030 at 09:00 UTC');
    clock.ms = saved;
  });

  it('Los Angeles: 10:00 local in summer is 17:00Z, in winter 18:00Z', async () => {
    const la = await registerIn('angeleno', 'America/Los_Angeles');
    expect((await la.get('/posts/new')).text).toContain('Publish at (America/Los_Angeles)');
    expect((await schedule(la, 'LA summer', '2030-07-01T10:00')).publishedAt).toBe('2030-07-01T17:00:00.000Z');
    expect((await schedule(la, 'LA winter', '2030-02-01T10:00')).publishedAt).toBe('2030-02-01T18:00:00.000Z');
  });

  it('DST edges: a time in the spring gap moves forward, an autumn repeat is the first one', async () => {
    const berlin = request.agent(t.app);
    // Signing in again from another browser takes that browser's zone (the account follows its owner).
    await berlin
      .post('/auth/login')
      .type('form')
      .send({ username: 'berliner', password: PASSWORD, timeZone: 'Europe/Berlin' })
      .expect(303);
    expect((await schedule(berlin, 'Spring gap', '2030-03-31T02:30')).publishedAt).toBe('2030-03-31T01:30:00.000Z');
    expect((await schedule(berlin, 'Autumn twice', '2030-10-27T02:30')).publishedAt).toBe('2030-10-27T00:30:00.000Z');
  });

  it('a full ISO time with an offset (an API client) is taken as it is', async () => {
    const berlin = request.agent(t.app);
    await berlin.post('/auth/login').type('form').send({ username: 'berliner', password: PASSWORD }).expect(303);
    expect((await schedule(berlin, 'ISO', '2030-02-01T10:00Z')).publishedAt).toBe('2030-02-01T10:00:00.000Z');
  });

  it('an unknown zone is ignored: the account keeps the one it has, a new one gets UTC', async () => {
    const agent = request.agent(t.app);
    await agent
      .post('/auth/login')
      .type('form')
      .send({ username: 'berliner', password: PASSWORD, timeZone: 'Mars/Olympus' })
      .expect(303);
    expect((await userModel(t.connection).findOne({ username: 'berliner' }).lean())?.timeZone).toBe('Europe/Berlin');
    expect((await agent.get('/posts/new')).text).toContain('Publish at (Europe/Berlin)');
    const nowhere = await registerIn('nowhere', '<script>');
    expect((await userModel(t.connection).findOne({ username: 'nowhere' }).lean())?.timeZone).toBeUndefined();
    expect((await nowhere.get('/posts/new')).text).toContain('Publish at (UTC)');
    expect((await schedule(nowhere, 'UTC post', '2030-02-01T10:00')).publishedAt).toBe('2030-02-01T10:00:00.000Z');
  });

  it('a wrong time says which zone it is read in', async () => {
    const agent = request.agent(t.app);
    await agent.post('/auth/login').type('form').send({ username: 'angeleno', password: PASSWORD }).expect(303);
    const token = csrfTokenFrom((await agent.get('/posts/new')).text);
    const res = await agent
      .post('/posts')
      .type('form')
      .send({ title: 'x', body: 'y', status: 'published', publishAt: '2030-02-31T10:00', _csrf: token })
      .expect(422);
    expect(res.text).toContain('(America/Los_Angeles)');
  });
});

describe('mails', () => {
  it('the new-device alert states the time in the account’s zone, with its name', async () => {
    await userModel(t.connection).updateOne(
      { username: 'angeleno' },
      { $set: { email: 'angeleno@example.com', emailVerified: true } },
    );
    clock.ms = Date.UTC(2030, 0, 15, 20, 5);
    await request
      .agent(t.app)
      .post('/auth/login')
      .type('form')
      .send({ username: 'angeleno', password: PASSWORD, timeZone: 'America/Los_Angeles' })
      .expect(303);
    let mail: { text?: string; subject?: string } | undefined;
    for (let i = 0; i < 50 && !mail; i++) {
      mail = (await latestOutboxMail(t.connection)).find((m) => m.to === 'angeleno@example.com');
      if (!mail) await new Promise((r) => setTimeout(r, 50));
    }
    expect(mail?.text).toContain('Tuesday 15 January 2030 at 12:05 (America/Los_Angeles)');
    expect(mail?.text).not.toContain('GMT');
  });
});
