import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PASSWORD } from '../support/http';
import { call, waitUntil } from '../support/process-http';
import { uniqueDbName, withDatabase } from '../support/process-mongod';
import { productionEnv, type RunningServer, spawnServer } from '../support/spawn-server';

/**
 * SIGTERM while a request is in flight. The request is made slow by its client: the body of a login is sent
 * in two halves with the signal in between, so the server has accepted the request but cannot answer it yet.
 * Only after the listener is seen closed does the client send the rest — the answer then proves the server
 * kept that connection, its MongoDB connection and its session store alive until the request was done.
 */

const running: RunningServer[] = [];

async function startProductionServer(): Promise<RunningServer> {
  const server = await spawnServer(
    productionEnv({ MONGODB_URI: withDatabase(inject('mongoUri'), uniqueDbName('folio_shutdown')) }),
  );
  running.push(server);
  return server;
}

// Each test's server exits by itself; this only cleans up after a failed test.
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
});

/** True when nothing accepts a TCP connection on the port any more. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

interface HalfSentLogin {
  readonly req: http.ClientRequest;
  /** Sends the rest of the body. */
  finish(): void;
  readonly response: Promise<http.IncomingMessage>;
  answered(): boolean;
}

/** A login whose body is half sent: in flight on the server (headers accepted), unanswerable until finish(). */
async function halfSentLogin(url: string, username: string): Promise<HalfSentLogin> {
  const body = JSON.stringify({ username, password: PASSWORD });
  const half = Math.floor(body.length / 2);
  const req = http.request({
    host: '127.0.0.1',
    port: Number(new URL(url).port),
    method: 'POST',
    path: '/auth/login',
    agent: new http.Agent({ keepAlive: true }),
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      // From the proxy in front (productionEnv): the visitor used HTTPS, so the Secure cookie may be set.
      'X-Forwarded-Proto': 'https',
      // The server answers "100 Continue" once it has parsed the headers and handed the request to the app:
      // from then on the request is in flight.
      Expect: '100-continue',
    },
  });
  let answered = false;
  const response = once(req, 'response').then((args) => {
    answered = true;
    return args[0] as http.IncomingMessage;
  });
  // A stuck request's connection is reset by design; only a test that awaits the response cares.
  response.catch(() => {});
  await once(req, 'continue');
  req.write(body.slice(0, half));
  return { req, finish: () => req.end(body.slice(half)), response, answered: () => answered };
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return text;
}

describe('graceful shutdown', () => {
  it('finishes a request in flight, refuses new connections, exits 0 within 10 s', async () => {
    const server = await startProductionServer();
    const port = Number(new URL(server.url).port);
    // Through fetch, which leaves an idle keep-alive connection open: that one must not hold the exit up.
    const registered = await call(server.url, '/auth/register', { json: { username: 'carol', password: PASSWORD } });
    expect(registered.status).toBe(201);

    const login = await halfSentLogin(server.url, 'carol');
    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    expect(await waitUntil(() => refusesConnections(port), 9_000, 50)).toBe(true);
    expect(login.answered()).toBe(false);

    login.finish();
    const res = await login.response;
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(await readBody(res))).toEqual({ message: 'Logged in' });
    expect(res.headers['set-cookie']?.some((c) => /^__Host-folio\.sid=/.test(c))).toBe(true);
    // Told not to reuse the connection: otherwise it would stay open, idle, until keepAliveTimeout ends it.
    expect(res.headers.connection).toBe('close');

    const code = await server.exited;
    const shutdownMs = performance.now() - signalledAt;
    console.info(`graceful shutdown: SIGTERM → exit ${code} in ${Math.round(shutdownMs)} ms`);
    expect(code).toBe(0);
    expect(shutdownMs).toBeLessThan(10_000);

    const log = server.output();
    expect(log.indexOf('SIGTERM: finishing requests in flight')).toBeLessThan(log.indexOf('login succeeded'));
    expect(log.indexOf('login succeeded')).toBeLessThan(log.indexOf('shut down cleanly'));
  }, 60_000);

  it('does not wait for a stuck request longer than the 10 s grace, and still exits 0', async () => {
    const server = await startProductionServer();
    const stuck = await halfSentLogin(server.url, 'nobody');
    const closed = once(stuck.req, 'error');
    const signalledAt = performance.now();
    server.child.kill('SIGTERM');

    const code = await server.exited;
    console.info(
      `graceful shutdown, stuck request: exit ${code} after ${Math.round(performance.now() - signalledAt)} ms`,
    );
    expect(code).toBe(0);
    expect(server.output()).toContain('requests still running after 10 s: closing their connections');
    // The stuck client's connection was closed under it, never answered.
    expect(((await closed)[0] as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(stuck.answered()).toBe(false);
  }, 60_000);

  it('exits at once, with code 1, on a second signal', async () => {
    const server = await startProductionServer();
    const stuck = await halfSentLogin(server.url, 'nobody');
    const closed = once(stuck.req, 'error');
    server.child.kill('SIGTERM');
    expect(
      await waitUntil(async () => server.output().includes('SIGTERM: finishing requests in flight'), 9_000, 50),
    ).toBe(true);
    server.child.kill('SIGINT');

    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('SIGINT again: exiting now');
    expect(server.output()).not.toContain('requests still running after 10 s');
    await closed;
  }, 60_000);
});
