import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFrom, PASSWORD, sessionCookieValue } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

let t: TestApp;
const NEW_PASSWORD = 'a much longer new passphrase';

beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'alice');
});
afterAll(() => t.close());

describe('/account/password', () => {
  it('ends every other session, gives this one a new id, and only the new password works', async () => {
    const a = request.agent(t.app);
    const loginA = await a.post('/auth/login').send({ username: 'alice', password: PASSWORD });
    const oldCookie = sessionCookieValue(loginA);
    const b = request.agent(t.app);
    await b.post('/auth/login').send({ username: 'alice', password: PASSWORD });

    const form = await a.get('/account/password');
    expect(form.status).toBe(200);
    const res = await a
      .post('/account/password')
      .type('form')
      .send({
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
        _csrf: csrfTokenFrom(form.text),
      });
    expect(res.status).toBe(303);
    const newCookie = sessionCookieValue(res);
    expect(newCookie).toBeDefined();
    expect(newCookie).not.toBe(oldCookie);
    expect((await a.get(res.headers.location as string)).text).toContain('Your password has been changed.');

    expect((await a.get('/auth/profile')).status).toBe(200);
    expect((await b.get('/auth/profile')).status).toBe(401);
    expect((await request(t.app).get('/auth/profile').set('Cookie', `folio.sid=${oldCookie}`)).status).toBe(401);

    expect((await request(t.app).post('/auth/login').send({ username: 'alice', password: PASSWORD })).status).toBe(401);
    expect((await request(t.app).post('/auth/login').send({ username: 'alice', password: NEW_PASSWORD })).status).toBe(
      200,
    );
  });

  it('a wrong current password or a bad new one → 422 with field messages, nothing changed', async () => {
    const a = request.agent(t.app);
    await a.post('/auth/login').send({ username: 'alice', password: NEW_PASSWORD });
    const form = await a.get('/account/password');
    const token = csrfTokenFrom(form.text);
    const wrong = await a.post('/account/password').type('form').send({
      currentPassword: 'not-it-at-all',
      newPassword: 'another one!',
      confirmPassword: 'another one!',
      _csrf: token,
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That is not your current password');
    expect(wrong.text).not.toContain('another one!');

    const short = await a
      .post('/account/password')
      .type('form')
      .send({ currentPassword: NEW_PASSWORD, newPassword: 'short', confirmPassword: 'differs', _csrf: token });
    expect(short.status).toBe(422);
    expect(short.text).toContain('Use at least 8 characters');
    expect(short.text).toContain('The two new passwords differ');
    expect((await request(t.app).post('/auth/login').send({ username: 'alice', password: NEW_PASSWORD })).status).toBe(
      200,
    );
  });

  it('wrong current passwords are throttled like logins: 429 with Retry-After after five', async () => {
    await createUser(t.app, 'guesser');
    const a = request.agent(t.app);
    await a.post('/auth/login').send({ username: 'guesser', password: PASSWORD });
    const token = csrfTokenFrom((await a.get('/account/password')).text);
    const attempt = () =>
      a.post('/account/password').type('form').send({
        currentPassword: 'a-wrong-guess',
        newPassword: 'brand new password',
        confirmPassword: 'brand new password',
        _csrf: token,
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(422);
    const blocked = await attempt();
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('anonymous → redirected to log in', async () => {
    const res = await request(t.app).get('/account/password');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/auth/login?next=%2Faccount%2Fpassword');
  });
});
