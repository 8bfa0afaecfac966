import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { call } from '../support/process-http';
import { uniqueDbName, withDatabase } from '../support/process-mongod';
import { productionEnv, spawnServer } from '../support/spawn-server';

// Each test starts real server processes: seconds apiece, more when CI is busy.
describe('as processes', { timeout: 90_000 }, () => {
  it('development without SESSION_SECRET: a restart keeps everyone signed in (the secret is kept in .data/)', async () => {
    const env = {
      NODE_ENV: 'development',
      SESSION_SECRET: '',
      MONGODB_URI: withDatabase(inject('mongoUri'), uniqueDbName('folio_devsecret')),
    };
    const first = await spawnServer(env);
    let cookie: string | undefined;
    try {
      const res = await call(first.url, '/auth/register', {
        json: { username: 'restart', password: 'ochre kettle on the windowsill' },
      });
      expect(res.status).toBe(201);
      cookie = res.cookie;
      expect(first.output()).not.toContain('SESSION_SECRET is not set');
    } finally {
      await first.stop();
    }
    const file = path.join(projectRoot, '.data', 'session-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await spawnServer(env);
    try {
      const profile = await call(second.url, '/auth/profile', { cookie });
      expect(profile.status).toBe(200);
      expect(profile.json).toEqual({ user: { username: 'restart', role: expect.any(String) } });
    } finally {
      await second.stop();
    }
  });

  it('production without SMTP_URL says once at start that mail is off', async () => {
    const server = await spawnServer(
      productionEnv({ MONGODB_URI: withDatabase(inject('mongoUri'), uniqueDbName('folio_mailoff')) }),
    );
    try {
      const said = server
        .stdout()
        .split('\n')
        .filter((line) => line.includes('SMTP_URL is not set: mail is off'));
      expect(said).toHaveLength(1);
      const forgot = await call(server.url, '/auth/forgot', { headers: { 'X-Forwarded-Proto': 'https' } });
      expect(forgot.text).toContain('Password recovery is not available on this site');
    } finally {
      await server.stop();
    }
  });
});
