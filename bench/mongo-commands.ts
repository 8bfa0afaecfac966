import type { mongo } from 'mongoose';

/**
 * Counting what a request costs MongoDB, with the driver's command monitoring. Shared by the benchmark's
 * server process and the command-count tests (test/perf), so both count the same way.
 */

/**
 * Adds `monitorCommands=true` to a MongoDB URI. The driver reads it like the client option, so
 * `connectMongo()` (src/db/connect.ts) opens a monitored connection with exactly its own options.
 * Mongo URIs may list several hosts (`mongodb://a,b/`), which URL() cannot parse, hence plain strings.
 */
export function withCommandMonitoring(uri: string): string {
  const [base = uri, query] = uri.split('?', 2);
  const hostsEnd = base.indexOf('/', base.indexOf('://') + 3);
  const withPath = hostsEnd === -1 ? `${base}/` : base;
  return `${withPath}?${query ? `${query}&` : ''}monitorCommands=true`;
}

/** Commands that change documents; a read-only page view should send none of them to the sessions collection. */
export const WRITE_COMMANDS: ReadonlySet<string> = new Set(['insert', 'update', 'delete', 'findAndModify']);

/** Connection upkeep rather than work done for a request: counted apart, not in the per-request cost. */
const UPKEEP_COMMANDS: ReadonlySet<string> = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'endSessions',
  'saslStart',
  'saslContinue',
]);

export interface SeenCommand {
  readonly name: string;
  /** The collection a CRUD command targets (`{ find: 'posts' }` → posts); undefined for others. */
  readonly collection: string | undefined;
  readonly database: string;
  /** The command document as sent (kept only with `keep: true`). */
  readonly command: mongo.Document | undefined;
}

/** `find:posts`, `update:sessions`, `count:posts`… */
export function commandKey(c: Pick<SeenCommand, 'name' | 'collection'>): string {
  return c.collection ? `${c.name}:${c.collection}` : c.name;
}

export class CommandLog {
  #perRequest = 0;
  #upkeep = 0;
  #byKey = new Map<string, number>();
  #kept: SeenCommand[] = [];
  #connectionsOpened = 0;
  readonly #listener: (event: mongo.CommandStartedEvent) => void;
  readonly #onConnection = () => {
    this.#connectionsOpened += 1;
  };

  /**
   * @param client the connection's MongoClient (`connection.getClient()`), opened with monitoring on.
   * @param options.keep keep every command document (tests); the benchmark only counts, so its memory stays flat.
   */
  constructor(
    private readonly client: mongo.MongoClient,
    private readonly options: { readonly keep: boolean },
  ) {
    if (!client.options.monitorCommands) {
      throw new Error('CommandLog needs a client opened with monitorCommands (see withCommandMonitoring)');
    }
    this.#listener = (event) => this.#record(event);
    client.on('commandStarted', this.#listener);
    // Pool connections opened (CMAP events, always on): a pool that keeps reconnecting costs CPU per request.
    client.on('connectionCreated', this.#onConnection);
  }

  #record(event: mongo.CommandStartedEvent): void {
    if (UPKEEP_COMMANDS.has(event.commandName)) {
      this.#upkeep += 1;
      return;
    }
    const target: unknown = event.command[event.commandName];
    const seen: SeenCommand = {
      name: event.commandName,
      collection: typeof target === 'string' ? target : undefined,
      database: event.databaseName,
      command: this.options.keep ? event.command : undefined,
    };
    this.#perRequest += 1;
    const key = commandKey(seen);
    this.#byKey.set(key, (this.#byKey.get(key) ?? 0) + 1);
    if (this.options.keep) this.#kept.push(seen);
  }

  /** Commands sent for requests since the last reset (connection upkeep excluded). */
  get total(): number {
    return this.#perRequest;
  }

  get upkeep(): number {
    return this.#upkeep;
  }

  /** Connections the driver's pools opened since the last reset. */
  get connectionsOpened(): number {
    return this.#connectionsOpened;
  }

  /** Counts by `name:collection`, e.g. `{ 'find:sessions': 10, 'find:posts': 10, 'count:posts': 10 }`. */
  byKey(): Record<string, number> {
    return Object.fromEntries([...this.#byKey].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Writes (insert/update/delete/findAndModify) to one collection since the last reset. */
  writesTo(collection: string): number {
    let n = 0;
    for (const [key, count] of this.#byKey) {
      const [name, target] = key.split(':');
      if (name && WRITE_COMMANDS.has(name) && target === collection) n += count;
    }
    return n;
  }

  /** The commands themselves, in order (only with `keep: true`). */
  get commands(): readonly SeenCommand[] {
    return this.#kept;
  }

  reset(): void {
    this.#perRequest = 0;
    this.#upkeep = 0;
    this.#connectionsOpened = 0;
    this.#byKey.clear();
    this.#kept = [];
  }

  detach(): void {
    this.client.off('commandStarted', this.#listener);
    this.client.off('connectionCreated', this.#onConnection);
  }
}
