import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_USAGE_COLLECTION, IMAGES_BUCKET } from '../../src/images/image-store';
import { csrfTokenFrom } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { registerJson } from '../support/users';
import { noisePng } from './image-fixtures';

type Agent = ReturnType<typeof request.agent>;
const MB = 2 ** 20;
let t: TestApp;
let server: Server;
let port: number;
let agent: Agent;
let token: string;
let cookie: string;

beforeAll(async () => {
  t = await startTestApp({ env: { IMAGE_MAX_MB: '1', IMAGE_QUOTA_MB: '1' } });
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
  agent = request.agent(server);
  await registerJson(agent, 'collector');
  const page = await agent.get('/posts/new');
  token = csrfTokenFrom(page.text);
  const jar = (agent as unknown as { jar: { getCookies(o: object): { toValueString(): string }[] } }).jar;
  cookie = jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .map((c) => c.toValueString())
    .join('; ');
});
afterAll(async () => {
  server.close();
  await t.close();
});

/**
 * A raw HTTP client: sends the head and `sent` bytes of a chunked multipart body, then stops sending (the
 * rest never comes) and reads whatever the server answers. The answer must arrive anyway.
 */
function sendPartially(sent: number): Promise<{ head: string; elapsedMs: number }> {
  const boundary = 'folio-boundary';
  const preamble = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nbig\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(10_000, () => reject(new Error(`no answer; got ${answer}`)));
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n\r\n')) {
        resolve({ head: answer.slice(0, answer.indexOf('\r\n\r\n')), elapsedMs: performance.now() - started });
        socket.destroy();
      }
    });
    socket.on('error', (err) => {
      if (!answer) reject(err);
    });
    socket.write(
      `POST /images HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: application/json\r\nCookie: ${cookie}\r\n` +
        `X-CSRF-Token: ${token}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const chunk = (data: Buffer) =>
      socket.write(`${data.length.toString(16)}\r\n${data.toString('latin1')}\r\n`, 'latin1');
    chunk(Buffer.concat([preamble, png]));
    const piece = Buffer.alloc(64 * 1024, 0x41);
    for (let written = 0; written < sent; written += piece.length) chunk(piece);
    // …and the body never ends: a server that waited for it would never answer.
  });
}

describe('limits', () => {
  it('over IMAGE_MAX_MB → 413 as soon as the limit is crossed, without waiting for (or reading) the rest', async () => {
    const { head, elapsedMs } = await sendPartially(1.25 * MB);
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head).toMatch(/\r\nConnection: close/i);
    expect(elapsedMs).toBeLessThan(5_000);
    // The process is fine afterwards.
    expect((await request(server).get('/healthz')).status).toBe(200);
  });

  it('a Content-Length over the limit → 413 before a byte of the body is read', async () => {
    const res = await agent
      .post('/images')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', token)
      .attach('image', Buffer.alloc(MB + 50_000, 1), { filename: 'x.png', contentType: 'image/png' })
      .catch((err: { response?: request.Response }) => err.response);
    expect(res?.status).toBe(413);
  });

  it('the quota counts every stored byte, variants included (MB = 2^20); over it → 413, and nothing is left behind', async () => {
    const statuses: number[] = [];
    // Each ~400 KB of incompressible PNG: the third cannot fit in 1 MB.
    for (let i = 0; i < 4; i++) {
      const res = await agent
        .post('/images')
        .set('Accept', 'application/json')
        .set('X-CSRF-Token', token)
        .field('alt', `noise ${i}`)
        .attach('image', await noisePng(360 + i), { filename: 'n.png', contentType: 'image/png' });
      statuses.push(res.status);
      if (res.status === 413) expect(res.body.error).toMatch(/more than 1 MB/);
    }
    expect(statuses.slice(0, 2)).toEqual([201, 201]);
    expect(statuses).toContain(413);
    const db = t.connection.db;
    const files = await db?.collection(`${IMAGES_BUCKET}.files`).find().toArray();
    const stored = (files ?? []).reduce((sum, f) => sum + Number(f.length), 0);
    expect(stored).toBeLessThanOrEqual(MB);
    const usage = await db?.collection(IMAGE_USAGE_COLLECTION).findOne({});
    expect(usage?.bytes).toBe(stored);
  });

  it('six uploads at once cannot pass the quota together (the count is a conditional $inc)', async () => {
    const burst = request.agent(server);
    await registerJson(burst, 'burst');
    const burstToken = csrfTokenFrom((await burst.get('/posts/new')).text);
    const pictures = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => noisePng(350 + i)));
    const results = await Promise.all(
      pictures.map((png, i) =>
        burst
          .post('/images')
          .set('Accept', 'application/json')
          .set('X-CSRF-Token', burstToken)
          .field('alt', `burst ${i}`)
          .attach('image', png, { filename: 'n.png', contentType: 'image/png' }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBe(2);
    expect(statuses.filter((s) => s === 413).length).toBe(4);
    const userId = (await t.connection.db?.collection('users').findOne({ username: 'burst' }))?._id;
    const files = await t.connection.db
      ?.collection(`${IMAGES_BUCKET}.files`)
      .find({ 'metadata.ownerId': userId })
      .toArray();
    const stored = (files ?? []).reduce((sum, f) => sum + Number(f.length), 0);
    expect(stored).toBeLessThanOrEqual(MB);
    expect(
      (await t.connection.db?.collection(IMAGE_USAGE_COLLECTION).findOne({ _id: String(userId) as never }))?.bytes,
    ).toBe(stored);
  });
});
