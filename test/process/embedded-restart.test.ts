import { rmSync } from 'node:fs';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch-dir';
import { spawnServer } from '../support/spawn-server';

const dataDir = scratchDir('embedded');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const env = { MONGO_DATA_DIR: dataDir, SESSION_SECRET: 'restart-test-secret', BCRYPT_COST: '4', LOG_LEVEL: 'info' };

describe('embedded MongoDB mode (no MONGODB_URI)', () => {
  it('keeps posts across a restart, seeds demo content once, exits 0 on SIGTERM', async () => {
    const first = await spawnServer(env);
    let created: string;
    try {
      // The tutorial's user exists out of the box in embedded mode.
      const agent = request.agent(first.url);
      const login = await agent.post('/auth/login').send({ username: 'alice', password: 'password123' });
      expect(login.status).toBe(200);
      const res = await agent.post('/posts').send({ title: 'Survives restarts', body: 'Stored in .data/mongo' });
      expect(res.status).toBe(201);
      created = res.body.post.id;
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    expect(first.output()).toContain('demo content created');

    const second = await spawnServer(env);
    try {
      const page = await request(second.url).get(`/posts/${created}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Survives restarts');
      const list = await request(second.url).get('/posts').set('Accept', 'application/json');
      expect(list.body.posts.filter((p: { title: string }) => p.title === 'Welcome to Folio')).toHaveLength(1);
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
    expect(second.output()).not.toContain('demo content created');
  }, 240_000);
});
