import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/paths';

export interface RunningServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** What it printed on stdout only: the JSON log lines outside development. */
  stdout(): string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface FinishedProcess {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// Built once per run by the process project's global setup (test/support/build-server.ts), as `npm start` runs it.
const SERVER = path.join(projectRoot, 'dist', 'server.js');

function start(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [SERVER], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * A production process as deployed: behind a TLS-terminating proxy on the same host (which says the visitor
 * used HTTPS, so the Secure cookie is set), on a database given by `MONGODB_URI`. JSON logs on stdout.
 */
export function productionEnv(env: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    TRUST_PROXY: 'loopback',
    SESSION_SECRET: 'process-tests-secret-of-at-least-32-chars',
    DATA_ENCRYPTION_KEY: 'process-tests-data-key-of-at-least-32-chars',
    // The lowest cost production accepts (4 is refused there): the code path is the production one.
    BCRYPT_COST: '10',
    ...env,
  };
}

/** Runs the built server (dist/server.js) as its own process, as `npm start` does, and waits until it listens. */
export async function spawnServer(env: Record<string, string>, timeoutMs = 90_000): Promise<RunningServer> {
  const child = start(env);
  let out = '';
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  }).catch((err: unknown) => {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw err;
  });

  return {
    child,
    url,
    output: () => out,
    stdout: () => stdout,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Runs the built server expecting it to stop by itself (e.g. refused configuration); kills it after the timeout
 * (a bound against a hang, generous: on a loaded 2-core machine a start alone has taken 30 s).
 */
export async function runUntilExit(env: Record<string, string>, timeoutMs = 90_000): Promise<FinishedProcess> {
  const child = start(env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
