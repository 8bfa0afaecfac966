import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { PAGE_VIEWS_COLLECTION } from '../../src/account/page-views';
import { loadConfig } from '../../src/config';
import { DEFAULT_DB_NAME } from '../../src/db/connect';
import { startEmbeddedMongo } from '../../src/db/embedded-mongo';
import { resolveMongodBinary } from '../../src/db/mongod-binary';
import { projectRoot } from '../../src/paths';
import { call } from '../support/process-http';

/**
 * Ctrl-C in a terminal sends SIGINT to the whole foreground process group: the npm/tsx parent, Folio, and
 * (before the fix) the embedded mongod, which then stopped under Folio before it stored the page views it
 * buffers. This starts Folio as `npm run dev`/`npm start` would (tsx parent + server, embedded MongoDB on its
 * own data directory), signs in, views pages, sends SIGINT to the whole group, and then opens the same data
 * directory with a fresh mongod to find the views stored.
 */

const scratch = mkdtempSync(path.join(os.tmpdir(), 'folio-ctrl-c-'));
const dataDir = path.join(scratch, 'mongo');
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

describe('Ctrl-C (SIGINT to the process group)', () => {
  it('stores the buffered page views, stops the embedded mongod itself, says "shut down cleanly", exits 0', async () => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      NODE_ENV: 'development',
      PORT: '0',
      LOG_LEVEL: 'info',
      MONGO_DATA_DIR: dataDir,
      SESSION_SECRET: 'ctrl-c-test-secret-of-at-least-32-characters',
      BCRYPT_COST: '10',
    };
    delete env.MONGODB_URI;
    // The offline mongod runs under Wine, which does not stop at SIGINT the way a native mongod does (at
    // once). This wrapper restores that: on SIGINT it kills the real mongod (started in the background,
    // where a non-interactive shell ignores SIGINT itself) and exits. Folio's own stop runs the `shutdown`
    // command first, so a clean stop is unaffected.
    const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
    const real = (await resolveMongodBinary(config.embeddedMongo, () => {})).systemBinary;
    if (real) {
      const wrapper = path.join(scratch, 'mongod-stops-at-sigint.sh');
      writeFileSync(
        wrapper,
        `#!/bin/bash\n"${real}" "$@" &\nchild=$!\ntrap 'kill -KILL $child 2>/dev/null; exit 130' INT\ntrap 'kill -TERM $child 2>/dev/null; wait $child; exit 143' TERM\nwait $child\n`,
      );
      chmodSync(wrapper, 0o755);
      env.MONGOMS_SYSTEM_BINARY = wrapper;
    }
    // detached: the tsx parent leads a process group of its own, as a shell's job does in a terminal.
    child = spawn(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), [path.join(projectRoot, 'src', 'server.ts')], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start in 150 s:\n${out}`)), 150_000);
      const check = () => {
        const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child?.stdout?.on('data', check);
      child?.stderr?.on('data', check);
      void exited.then((code) => reject(new Error(`exited ${code} before listening:\n${out}`)));
    });

    // The development seed's tutorial user.
    const login = await call(url, '/auth/login', { json: { username: 'alice', password: 'password123' } });
    expect(login.status).toBe(200);
    const cookie = login.cookie;
    expect(cookie).toBeDefined();
    const VIEWS = 5;
    for (let i = 0; i < VIEWS; i += 1) {
      const page = await call(url, '/posts', { cookie, accept: 'text/html' });
      expect(page.status).toBe(200);
    }

    // At once, inside the one-second buffer: the views are only in Folio's memory now.
    const pid = child.pid;
    if (!pid) throw new Error('no pid');
    process.kill(-pid, 'SIGINT');
    const code = await exited;
    expect(out).not.toMatch(/could not be stored/);
    expect(out).toMatch(/shut down cleanly/);
    expect(code).toBe(0);

    // The same data directory, a fresh mongod: it also proves the old one was stopped (its lock released).
    const mongo = await startEmbeddedMongo({ mongod: config.embeddedMongo, dataDir, log: () => {} });
    const client = await MongoClient.connect(mongo.uri);
    try {
      const sid = decodeURIComponent(String(cookie).split('=')[1] ?? '')
        .replace(/^s:/, '')
        .split('.')[0];
      const stored = await client
        .db(DEFAULT_DB_NAME)
        .collection(PAGE_VIEWS_COLLECTION)
        .findOne({ _id: sid as never });
      expect(stored?.views).toBeGreaterThanOrEqual(VIEWS);
    } finally {
      await client.close();
      await mongo.stop();
    }
  }, 240_000);
});
