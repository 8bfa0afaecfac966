import { writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import type { CommandLog } from './mongo-commands';
import type { CallMessage, Calls, ServerMessage, WindowStats } from './protocol';

/**
 * The part of a server under test that talks to the benchmark (bench/run.ts) over IPC: it serves a request
 * handler on a free loopback port and reports requests, MongoDB commands, memory and CPU per measurement
 * window. Folio (bench/server.ts) and the reference apps (bench/reference/) all run under it, so every one
 * is measured the same way.
 */

export interface ServedApp {
  readonly handler: RequestListener;
  /** Counts the app's MongoDB commands (its client opened with withCommandMonitoring). */
  readonly commands: CommandLog;
  /** The collection its sessions live in: writes to it are reported apart. */
  readonly sessionsCollection: string;
  /** Closes its connections and leaves nothing behind on a shared MongoDB. */
  readonly close: () => Promise<void>;
}

function send(message: ServerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

/** --expose-gc (set by the parent) lets RSS be read after a collection, so it shows retained memory. */
function collectGarbage(): void {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc === 'function') gc();
}

export function runUnderBench(start: () => Promise<ServedApp>): void {
  main(start).catch(async (err: unknown) => {
    await send({ kind: 'error', id: null, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });
}

async function main(start: () => Promise<ServedApp>): Promise<void> {
  if (!process.send) throw new Error('a bench server is started by bench/run.ts (it talks over IPC)');
  const app = await start();
  const { commands } = app;

  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    app.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  // One measurement window at a time: the benchmark runs its scenarios one after the other.
  let window = startWindow();
  let peakRss = 0;
  let rssSeries: number[] = [];
  let samples = 0;
  const rssSampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    samples += 1;
    if (samples % 20 === 0) rssSeries.push(rss);
  }, 250);
  rssSampler.unref();

  function startWindow() {
    collectGarbage();
    const memory = process.memoryUsage();
    return { at: performance.now(), cpu: process.cpuUsage(), rss: memory.rss, heapUsed: memory.heapUsed };
  }

  let profiler: Session | undefined;

  const handlers: { [K in keyof Calls]: (args: Calls[K]['args']) => Promise<Calls[K]['result']> } = {
    reset: async () => {
      requests = 0;
      commands.reset();
      window = startWindow();
      peakRss = window.rss;
      rssSeries = [];
      samples = 0;
      return null;
    },
    stats: async () => {
      const cpu = process.cpuUsage(window.cpu);
      const wallMs = performance.now() - window.at;
      const rssPeakBytes = Math.max(peakRss, process.memoryUsage.rss());
      collectGarbage();
      const memory = process.memoryUsage();
      const stats: WindowStats = {
        requests,
        commands: commands.total,
        byCommand: commands.byKey(),
        sessionWrites: commands.writesTo(app.sessionsCollection),
        connectionsOpened: commands.connectionsOpened,
        rssBeforeBytes: window.rss,
        rssAfterBytes: memory.rss,
        rssPeakBytes,
        rssSeriesBytes: rssSeries,
        heapUsedBeforeBytes: window.heapUsed,
        heapUsedAfterBytes: memory.heapUsed,
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs,
      };
      return stats;
    },
    profileStart: async () => {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return null;
    },
    profileStop: async ({ file }) => {
      if (!profiler) throw new Error('no profile running');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(file, JSON.stringify(profile));
      return null;
    },
    shutdown: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      commands.detach();
      await app.close();
      return null;
    },
  };

  process.on('message', (raw: CallMessage) => {
    // IPC carries untyped JSON; the parent only sends CallMessages (bench/server-process.ts).
    const handler = handlers[raw.call] as (args: unknown) => Promise<unknown>;
    handler(raw.args)
      .then(
        (result) => send({ kind: 'reply', id: raw.id, result }),
        (err: unknown) =>
          send({ kind: 'error', id: raw.id, message: err instanceof Error ? err.message : String(err) }),
      )
      .then(() => {
        // Exit only once the reply is on its way (a profile written at exit would need --cpu-prof instead).
        if (raw.call === 'shutdown') process.exit(0);
      });
  });
  // The parent died or closed the channel: do not linger as an orphan holding a port.
  process.on('disconnect', () => process.exit(0));

  const { port } = server.address() as AddressInfo;
  send({ kind: 'ready', port });
}
