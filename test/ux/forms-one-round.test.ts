import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFrom, PASSWORD } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';

/** Issue 25 — a form's problems all in one round, and words that match how many there are. */

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
beforeAll(async () => {
  t = await startTestApp();
  agent = request.agent(t.app);
  await registerJson(agent, 'rounder');
});
afterAll(() => t.close());

describe('the password form', () => {
  it('reports a mismatch and a wrong current password together', async () => {
    const token = csrfTokenFrom((await agent.get('/account/password')).text);
    const res = await agent.post('/account/password').type('form').send({
      currentPassword: 'not my password at all',
      newPassword: 'a brand new phrase',
      confirmPassword: 'a brand new phrasx',
      _csrf: token,
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('That is not your current password');
    expect(res.text).toContain('The two new passwords differ');
    expect(res.text).toMatch(/id="field-currentPassword"[^>]*aria-invalid="true"/);
    expect(res.text).toMatch(/id="field-confirmPassword"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('Please correct the fields marked below.');
    expect(res.text).not.toContain('a brand new phrase');
  });

  it('also with a new password that is itself refused (too short)', async () => {
    const token = csrfTokenFrom((await agent.get('/account/password')).text);
    const res = await agent.post('/account/password').type('form').send({
      currentPassword: 'still not it',
      newPassword: 'short',
      confirmPassword: 'shorter',
      _csrf: token,
    });
    expect(res.status).toBe(422);
    for (const message of [
      'That is not your current password',
      'Use at least 8 characters',
      'The two new passwords differ',
    ]) {
      expect(res.text).toContain(message);
    }
  });

  it('a right current password with a mismatch says only the mismatch, and changes nothing', async () => {
    const token = csrfTokenFrom((await agent.get('/account/password')).text);
    const res = await agent.post('/account/password').type('form').send({
      currentPassword: PASSWORD,
      newPassword: 'a brand new phrase',
      confirmPassword: 'another phrase',
      _csrf: token,
    });
    expect(res.status).toBe(422);
    expect(res.text).not.toContain('That is not your current password');
    expect(res.text).toContain('The two new passwords differ');
    expect(res.text).toContain('Please correct the field marked below.');
    await request(t.app).post('/auth/login').send({ username: 'rounder', password: PASSWORD }).expect(200);
  });
});

describe('the error summary', () => {
  it('says "the field" when one field is wrong', async () => {
    const res = await request(t.app).post('/auth/forgot').type('form').send({ email: 'not an address' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Please correct the field marked below.');
    expect(res.text).not.toContain('correct the fields');
  });
});
