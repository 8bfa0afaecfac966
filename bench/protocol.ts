/**
 * The IPC conversation between the benchmark (bench/run.ts, which generates load) and the server under
 * test (bench/server.ts, a separate process so the two never share an event loop).
 */

/** What the server process measured over one window (from a `reset` to the following `stats`). */
export interface WindowStats {
  /** HTTP requests the server received. */
  readonly requests: number;
  /** MongoDB commands sent for them (connection upkeep excluded). */
  readonly commands: number;
  /** Commands by `name:collection`, e.g. `find:sessions`. */
  readonly byCommand: Readonly<Record<string, number>>;
  /** MongoDB connections the server's driver opened during the window (a steady pool opens none). */
  readonly connectionsOpened: number;
  /** insert/update/delete/findAndModify on the sessions collection. */
  readonly sessionWrites: number;
  /** Resident set size at the reset and now, after a GC on both sides, and the highest seen in between. */
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly rssPeakBytes: number;
  /** RSS every 5 s of the window (no GC first): a leak climbs steadily, a warming heap levels off. */
  readonly rssSeriesBytes: readonly number[];
  readonly heapUsedBeforeBytes: number;
  readonly heapUsedAfterBytes: number;
  /** CPU time the server process used (user + system) and the wall time of the window. */
  readonly cpuMs: number;
  readonly wallMs: number;
}

export interface Calls {
  /** Starts a measurement window. */
  reset: { args: null; result: null };
  /** Ends it. */
  stats: { args: null; result: WindowStats };
  /** CPU profile of the server (V8's sampling profiler, as `node --cpu-prof` writes it). */
  profileStart: { args: null; result: null };
  profileStop: { args: { file: string }; result: null };
  /** Closes the HTTP server and the MongoDB connection (dropping the benchmark database), then exits. */
  shutdown: { args: null; result: null };
}
export type CallName = keyof Calls;

export interface CallMessage<K extends CallName = CallName> {
  readonly id: number;
  readonly call: K;
  readonly args: Calls[K]['args'];
}

export type ServerMessage =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'reply'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number | null; readonly message: string };

/** Environment the benchmark passes to the server process, on top of Folio's own variables. */
export const BENCH_DB_ENV = 'FOLIO_BENCH_DB';
