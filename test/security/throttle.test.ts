import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THROTTLE_COLLECTION } from '../../src/security/login-throttle';
import { PASSWORD, setCookies } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { createUser } from '../support/users';

let a: TestApp;
let b: TestApp;
const env = { TRUST_PROXY: '1' };

beforeAll(async () => {
  a = await startTestApp({ env });
  // A second app instance on the same database, as a second process would be.
  b = await startTestApp({ env, connection: a.connection });
  await createUser(a.app, 'ivan');
});
afterAll(() => a.close());

const login = (app: TestApp, ip: string, password: string, username = 'ivan') =>
  request(app.app).post('/auth/login').set('X-Forwarded-For', ip).send({ username, password });

describe('login throttling', () => {
  it('six wrong passwords for one account from one IP → 429 with Retry-After, shared by every instance', async () => {
    for (let i = 0; i < 5; i++) expect((await login(a, '203.0.113.7', 'wrong-password')).status).toBe(401);
    const sixth = await login(a, '203.0.113.7', 'wrong-password');
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect(sixth.body.error).toMatch(/Too many attempts/);

    // Even the right password waits, on either instance: the counter is in MongoDB.
    const right = await login(b, '203.0.113.7', PASSWORD);
    expect(right.status).toBe(429);
    expect(setCookies(right)).toEqual([]);
    expect(await a.connection.collection(THROTTLE_COLLECTION).countDocuments()).toBeGreaterThan(0);

    // No lockout of the victim: the right password from another IP still works.
    expect((await login(b, '198.51.100.1', PASSWORD)).status).toBe(200);
  });

  it('a browser gets a 429 page with the login form and the time it reopens', async () => {
    const page = await request(a.app)
      .post('/auth/login')
      .set('X-Forwarded-For', '203.0.113.7')
      .type('form')
      .send({ username: 'ivan', password: 'wrong-password' });
    expect(page.status).toBe(429);
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect(page.text).toContain('Signing in is paused');
    expect(page.text).toMatch(/<time datetime="[^"]+T[^"]+"/);
    expect(page.text).toContain('action="/auth/login"');
    expect(page.text).toContain('value="ivan"');
  });

  it('a successful login clears the account+IP counter', async () => {
    for (let i = 0; i < 4; i++) await login(a, '192.0.2.50', 'wrong-password');
    expect((await login(a, '192.0.2.50', PASSWORD)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(a, '192.0.2.50', 'wrong-password')).status).toBe(401);
  });

  it('many accounts from one IP are throttled per IP too', async () => {
    let last = 0;
    for (let i = 0; i < 51; i++) last = (await login(a, '192.0.2.99', 'wrong-password', `nobody${i}`)).status;
    expect(last).toBe(429);
  });

  it('registration is limited per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await request(a.app)
        .post('/auth/register')
        .set('X-Forwarded-For', '192.0.2.77')
        .send({ username: 'x', password: 'short' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 422)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});

describe('login timing', () => {
  // At the tests' cost of 4 a hash takes ~1 ms, lost in a request's own time: an unknown user answered without
  // hashing would not stand out. Here an app on the same database hashes at production's lowest cost, 10.
  let slow: TestApp;
  beforeAll(async () => {
    slow = await startTestApp({ env: { ...env, BCRYPT_COST: '10' }, connection: a.connection });
    await createUser(slow.app, 'ivan10');
  });

  it('unknown user and wrong password: same status and body, medians within 25%', async () => {
    const times = { unknown: [] as number[], wrong: [] as number[] };
    const bodies = new Set<string>();
    // Warm-up: the first unknown-user login also computes the dummy hash once.
    await login(slow, '10.9.9.1', 'wrong-password', 'ghost-warmup');
    await login(slow, '10.9.9.2', 'wrong-password', 'ivan10');
    // Interleaved, each from its own address, so throttling and machine noise hit both alike.
    for (let i = 0; i < 20; i++) {
      for (const kind of ['unknown', 'wrong'] as const) {
        const started = performance.now();
        const res = await login(
          slow,
          `10.1.${kind === 'unknown' ? 1 : 2}.${i}`,
          'wrong-password',
          kind === 'unknown' ? `ghost${i}` : 'ivan10',
        );
        times[kind].push(performance.now() - started);
        expect(res.status).toBe(401);
        bodies.add(JSON.stringify(res.body));
      }
    }
    expect([...bodies]).toEqual([JSON.stringify({ error: 'Invalid credentials' })]);
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
    const [u, w] = [median(times.unknown), median(times.wrong)];
    expect(Math.abs(u - w) / Math.max(u, w)).toBeLessThan(0.25);
  });
});
