/**
 * `npm run lighthouse`: Lighthouse 12 (Debian's Chromium, headless) over the public pages of a production
 * build with real content — the list, a post, a tag, an author, login, register and search — on a phone
 * and on a desktop, printing one table. The target (issue 24): 100 in SEO, accessibility and best practices,
 * at least 98 in performance. Needs `npm run build` first (the npm script runs it).
 *
 * MongoDB: MONGODB_URI if set (a fresh database on it), else an embedded mongod on a temporary directory.
 * Chromium: CHROME_PATH, default /usr/bin/chromium.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { openBenchDatabase } from '../bench/database';
import { postBody } from '../bench/seed';
import { projectRoot } from '../src/paths';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const TAGS = ['sessions', 'security', 'node', 'mongodb', 'express'];
const POSTS = 24;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function startServer(env: Record<string, string>, origin: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist', 'server.js')], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  // Ready once /readyz answers 200 (MongoDB reachable); 60 s at most.
  for (let i = 0; i < 300 && !exited; i += 1) {
    const ready = await fetch(`${origin}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return child;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not become ready');
}

/** Real content through the app's own JSON API: one author, posts with Markdown, tags and comments. */
async function seed(base: string): Promise<{ postId: string; author: string }> {
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const author = 'ada';
  const registered = await fetch(`${base}/auth/register`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username: author, password: `lh-${randomBytes(12).toString('hex')}` }),
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${await registered.text()}`);
  const cookie = (registered.headers.getSetCookie().find((c) => c.startsWith('folio.sid=')) ?? '').split(';')[0] ?? '';
  let postId = '';
  for (let n = 1; n <= POSTS; n += 1) {
    const res = await fetch(`${base}/posts`, {
      method: 'POST',
      headers: { ...json, cookie },
      body: JSON.stringify({
        title: `Keeping sessions honest, part ${n}`,
        body: postBody(n),
        tags: [TAGS[n % TAGS.length], TAGS[(n + 2) % TAGS.length]].join(', '),
      }),
    });
    if (res.status !== 201) throw new Error(`post ${n}: ${res.status} ${await res.text()}`);
    postId = ((await res.json()) as { post: { id: string } }).post.id;
  }
  return { postId, author };
}

interface Row {
  readonly page: string;
  readonly formFactor: 'phone' | 'desktop';
  readonly scores: Record<(typeof CATEGORIES)[number], number>;
  readonly failing: string[];
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const db = await openBenchDatabase(log);
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const uri = new URL(db.uri);
  uri.pathname = `/${db.dbName}`;
  const server = await startServer(
    {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGODB_URI: uri.href,
      PUBLIC_URL: origin,
      // Plain HTTP on localhost, as a browser on this machine reaches it (no TLS proxy in front).
      COOKIE_SECURE: 'false',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      BCRYPT_COST: '10',
      LOG_LEVEL: 'warn',
    },
    origin,
  );
  const rows: Row[] = [];
  // Lighthouse and chrome-launcher are ES modules; this script runs as CommonJS under tsx.
  const { default: lighthouse } = await import('lighthouse');
  const chromeLauncher = await import('chrome-launcher');
  const { default: desktopConfig } = await import('lighthouse/core/config/desktop-config.js');
  const chrome = await chromeLauncher.launch({
    chromePath: CHROME,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const { postId, author } = await seed(origin);
    const pages: Array<[string, string]> = [
      ['list', '/posts'],
      ['post', `/posts/${postId}`],
      ['tag', `/tags/${TAGS[0]}`],
      ['author', `/users/${author}`],
      ['login', '/auth/login'],
      ['register', '/auth/register'],
      ['search', '/search?q=session'],
    ];
    // One run thrown away: the first page Chromium loads pays for its own start-up (caches, JIT), which would
    // land on whichever page happens to be first.
    await lighthouse(`${origin}/posts`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance'],
    });
    for (const formFactor of ['phone', 'desktop'] as const) {
      for (const [page, pathname] of pages) {
        const result = await lighthouse(
          `${origin}${pathname}`,
          { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] },
          formFactor === 'desktop' ? desktopConfig : undefined,
        );
        if (!result) throw new Error(`no result for ${pathname}`);
        const { lhr } = result;
        const scores = Object.fromEntries(
          CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]),
        ) as Row['scores'];
        const failing = CATEGORIES.flatMap((c) =>
          (lhr.categories[c]?.auditRefs ?? [])
            .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 1)
            .map((ref) => `${c}/${ref.id}`),
        );
        rows.push({ page, formFactor, scores, failing });
        log(`${formFactor} ${page}: ${CATEGORIES.map((c) => scores[c]).join(' / ')}`);
      }
    }
  } finally {
    await chrome.kill();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await db.stop();
  }

  const header = `| page | device | performance | accessibility | best practices | SEO |`;
  const lines = rows.map(
    (r) =>
      `| ${r.page} | ${r.formFactor} | ${r.scores.performance} | ${r.scores.accessibility} | ${r.scores['best-practices']} | ${r.scores.seo} |`,
  );
  process.stdout.write(`\n${header}\n|---|---|---|---|---|---|\n${lines.join('\n')}\n`);
  const failing = rows.filter((r) => r.failing.length > 0);
  for (const r of failing) process.stdout.write(`${r.formFactor} ${r.page}: below 1 in ${r.failing.join(', ')}\n`);
  const outDir = path.join(projectRoot, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, 'lighthouse.json'),
    `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`,
  );
  const missed = rows.filter(
    (r) =>
      r.scores.performance < 98 ||
      r.scores.accessibility < 100 ||
      r.scores['best-practices'] < 100 ||
      r.scores.seo < 100,
  );
  if (missed.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
