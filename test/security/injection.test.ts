import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, setCookies } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await createUser(t.app, 'jack');
});
afterAll(() => t.close());

describe('query input is type-checked before it reaches MongoDB', () => {
  it('form: username[$ne]=x → 400, never a session', async () => {
    const res = await request(t.app).post('/auth/login').type('form').send('username[$ne]=x&password[$ne]=x');
    expect(res.status).toBe(400);
    expect(setCookies(res)).toEqual([]);
  });

  it('JSON: operators instead of strings → 400, never a session', async () => {
    const res = await request(t.app)
      .post('/auth/login')
      .send({ username: { $gt: '' }, password: { $gt: '' } });
    expect([400, 401]).toContain(res.status);
    expect(res.status).toBe(400);
    expect(setCookies(res)).toEqual([]);
    const half = await request(t.app)
      .post('/auth/login')
      .send({ username: 'jack', password: { $ne: 'x' } });
    expect(half.status).toBe(400);
    expect(setCookies(half)).toEqual([]);
  });

  it('__proto__[admin]=1 pollutes nothing', async () => {
    await request(t.app).post('/auth/login').type('form').send('__proto__[admin]=1&username=jack&password=x');
    await request(t.app)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"__proto__":{"admin":1},"constructor":{"prototype":{"admin":1}},"username":"jack","password":"x"}');
    await request(t.app).get('/posts?__proto__[admin]=1');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('bodies over the limit are refused with 413', async () => {
    const res = await request(t.app)
      .post('/auth/login')
      .send({ username: 'jack', password: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
  });

  it('a normal login still works', async () => {
    expect((await request(t.app).post('/auth/login').send({ username: 'jack', password: PASSWORD })).status).toBe(200);
  });
});
