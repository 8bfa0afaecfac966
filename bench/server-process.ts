import { fork } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../src/paths';
import type { CallMessage, CallName, Calls, ServerMessage } from './protocol';

/** The benchmark's handle on the server under test: a forked bench/server.ts and its IPC calls. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  call<K extends CallName>(name: K, args: Calls[K]['args']): Promise<Calls[K]['result']>;
  /** Asks the server to shut down cleanly; kills it if it has not exited within the grace period. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

export async function startServerProcess(options: {
  /** The server's script, relative to bench/: Folio's (server.ts) unless a reference app is wanted. */
  readonly script?: string;
  readonly env: Readonly<Record<string, string>>;
  /** Show the server's own output (its pino log) instead of discarding it. */
  readonly verbose: boolean;
}): Promise<ServerProcess> {
  const child = fork(path.join(__dirname, options.script ?? 'server.ts'), [], {
    cwd: projectRoot,
    // TypeScript through tsx's loader, as `npm run bench` runs the parent; gc() for RSS after a collection.
    execArgv: ['--import', 'tsx', '--expose-gc'],
    // Only Folio's variables and the basics: the benchmark must not inherit a developer's PORT or .env choices.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });

  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  exited.then((code) => {
    for (const p of pending.values()) p.reject(new Error(`server process exited (${code}) during a call`));
    pending.clear();
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server process did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.on('message', (message: ServerMessage) => {
      if (message.kind === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.kind === 'error' && message.id === null) {
        clearTimeout(timer);
        reject(new Error(`the server process failed to start:\n${message.message}`));
      } else if (message.kind === 'reply') {
        pending.get(message.id)?.resolve(message.result);
        pending.delete(message.id);
      } else if (message.kind === 'error' && message.id !== null) {
        pending.get(message.id)?.reject(new Error(message.message));
        pending.delete(message.id);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server process exited (${code}) before it was ready`));
    });
  });

  const call = <K extends CallName>(name: K, args: Calls[K]['args']): Promise<Calls[K]['result']> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`server call ${name} timed out`));
      }, CALL_TIMEOUT_MS);
      pending.set(id, {
        // IPC is untyped JSON; the server answers each call with that call's result type (bench/server.ts).
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as Calls[K]['result']);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      const message: CallMessage<K> = { id, call: name, args };
      child.send(message);
    });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await call('shutdown', null).catch(() => child.kill('SIGKILL'));
    await exited;
    clearTimeout(killer);
  };

  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, call, stop };
}
