import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCommentMarkdown, renderMarkdown } from '../../src/posts/markdown';
import { PASSWORD, sessionCookieValue } from '../support/http';
import type { TestApp } from '../support/test-app';
import { startBlogApp } from './blog-app';

/**
 * Issue 11: the post-processing of rendered Markdown was quadratic on whitespace inside a tag (five posts
 * with 20 kB of spaces in an <img> took 2.5 s and held /healthz). Each hostile input must now render fast.
 */
const KB20 = 20_000;
const spaces = ' '.repeat(KB20);
const HOSTILE: Record<string, string> = {
  'spaces inside a raw <img>': `<img src="https://a.example/x.png"${spaces}/>`,
  'spaces inside an unclosed <img': `<img${spaces}`,
  'spaces inside <br … />': `<br${spaces}/>`,
  'spaces inside a raw <a>': `<a href="https://a.example"${spaces}>x</a>`,
  'spaces inside a Markdown link': `[x](https://a.example${spaces}"t")`,
  'spaces inside a Markdown image': `![${spaces}](https://a.example/i.png)`,
  'nested brackets': `${'['.repeat(KB20 / 2)}${']'.repeat(KB20 / 2)}`,
  'nested brackets in a link': `${'['.repeat(KB20 / 4)}x${']'.repeat(KB20 / 4)}(${' '.repeat(KB20 / 4)})`,
  'nested brackets in an image': `${'!['.repeat(KB20 / 4)}x](${'a'.repeat(KB20 / 4)}`,
  'nested brackets in tags': `<img alt="${'<'.repeat(KB20 / 2)}" src="https://a.example/i.png" />`,
  'many images': '<img src="https://a.example/i.png" />'.repeat(500),
};

/** Best of three: the machine is shared, and one stall elsewhere is not the renderer's doing. */
/**
 * The best of three runs, in ms of this process's CPU time: on a machine shared with other jobs, wall time also
 * counts the time spent waiting for a core, while a super-linear render costs CPU wherever it runs.
 */
function bestOf3(fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = process.cpuUsage();
    fn();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

describe('hostile Markdown renders in linear time', () => {
  it.each(Object.entries(HOSTILE))('%s: under 50 ms', (_name, source) => {
    renderMarkdown('warm up');
    expect(source.length).toBeGreaterThanOrEqual(KB20 / 2);
    expect(bestOf3(() => renderMarkdown(source))).toBeLessThan(50);
  });

  it('the voids come out as HTML, not XHTML', () => {
    expect(renderMarkdown('![a](https://a.example/i.png)\n\n---')).toMatch(
      /<img src="https:\/\/a\.example\/i\.png" alt="a"><\/p>\n?<hr>/,
    );
  });

  it('comments too (their 2,000-character cap aside)', () => {
    for (const source of Object.values(HOSTILE)) {
      expect(bestOf3(() => renderCommentMarkdown(source))).toBeLessThan(50);
    }
  });
});

describe('saving hostile posts does not hold the server', () => {
  let t: TestApp;
  let server: ReturnType<TestApp['app']['listen']>;
  let base: string;
  let cookie: string;

  beforeAll(async () => {
    t = await startBlogApp();
    const registered = await request(t.app).post('/auth/register').send({ username: 'hostile', password: PASSWORD });
    expect(registered.status).toBe(201);
    cookie = `folio.sid=${sessionCookieValue(registered)}`;
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await fetch(`${base}/healthz`);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  // Wall-clock latency on a 2-core machine shared with other jobs (load averages of 20–30 seen): tried up to
  // three times. A save that really holds the server (seconds of super-linear rendering) fails every try.
  it('/healthz answers in under 100 ms while five such posts are saved at once', { retry: 2 }, async () => {
    const body = `<img src="https://a.example/x.png"${' '.repeat(19_900)}/>`;
    // One save first, unmeasured: the first rendering in a process pays for compiling marked's and
    // sanitize-html's code paths (~80 ms once), which a running server has long done.
    const warm = await fetch(`${base}/posts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', cookie },
      body: JSON.stringify({ title: 'Warm-up', body }),
    });
    expect(warm.status).toBe(201);
    // What a probe costs here with nothing being saved: on a machine shared with other jobs, waiting for a core
    // alone can take tens of ms. The saves may add at most 100 ms to that.
    let idle = 0;
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await (await fetch(`${base}/healthz`)).text();
      idle = Math.max(idle, performance.now() - started);
    }
    let saving = true;
    const latencies: number[] = [];
    const probe = (async () => {
      while (saving) {
        const started = performance.now();
        const res = await fetch(`${base}/healthz`);
        await res.text();
        latencies.push(performance.now() - started);
      }
    })();
    const saves = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        fetch(`${base}/posts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', cookie },
          body: JSON.stringify({ title: `Hostile ${i}`, body }),
        }),
      ),
    );
    saving = false;
    await probe;
    expect(saves.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(100 + idle);
  });
});
