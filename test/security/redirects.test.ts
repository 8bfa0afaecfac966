import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNextPath } from '../../src/http/safe-redirect';
import { PASSWORD } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

/** Targets that resolve (in a browser) to another origin, or that smuggle one past a naive check. */
const HOSTILE = [
  '//evil.example',
  '/.//evil.example',
  '/%2e//evil.example',
  '/%2E//evil.example',
  '/x/..//evil.example',
  '/x/%2e%2e//evil.example',
  '/\\evil.example',
  '/.\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/ /evil.example',
  'https:evil.example',
  'https://evil.example',
  'javascript:alert(1)',
  '\\\\evil.example',
  '',
];

describe('redirect targets are normalised before they are judged', () => {
  it.each(HOSTILE)('%j → the fallback', (target) => {
    expect(safeNextPath(target, '/posts')).toBe('/posts');
  });

  it('same-site paths survive, normalised', () => {
    expect(safeNextPath('/posts/new')).toBe('/posts/new');
    expect(safeNextPath('/x/../posts?page=2#top')).toBe('/posts?page=2#top');
    expect(safeNextPath('/%2e/posts')).toBe('/posts');
  });

  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createUser(t.app, 'rhea');
  });
  afterAll(() => t.close());

  it('a login with each hostile `next` lands on a same-origin path', async () => {
    for (const next of HOSTILE) {
      const res = await request(t.app)
        .post('/auth/login')
        .type('form')
        .send({ username: 'rhea', password: PASSWORD, next });
      expect(res.status, JSON.stringify(next)).toBe(303);
      const location = res.headers.location as string;
      expect(location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'), location).toBe(
        true,
      );
      expect(new URL(location, 'http://localhost').host).toBe('localhost');
    }
  });
});
