import autocannon from 'autocannon';
import type { ScenarioRequest } from './scenarios';

export interface LoadResult {
  readonly requestsPerSecond: number;
  /** Bytes read per response, headers included: what the load generator (on the same cores) has to read. */
  readonly bytesPerResponse: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Completed responses. */
  readonly responses: number;
  readonly non2xx: number;
  /** Connection errors and timeouts: requests that got no response at all. */
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Readonly<Record<string, number>>;
}

/** bcrypt at the production cost answers a login in ~0.1–0.3 s per core: generous, so a queue is not an error. */
const TIMEOUT_S = 30;

/** Fixed concurrency for a fixed time: `connections` keep-alive connections, each sending the next request as soon as the last is answered. */
export function runLoad(options: {
  readonly baseUrl: string;
  readonly request: ScenarioRequest;
  readonly connections: number;
  readonly durationSeconds: number;
}): Promise<LoadResult> {
  const { request } = options;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${options.baseUrl}${request.path}`,
        method: request.method,
        headers: { ...request.headers },
        body: request.body,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: TIMEOUT_S,
        pipelining: 1,
      },
      (err, result) => {
        if (err) {
          reject(err);
          return;
        }
        const statusCodes = Object.fromEntries(
          Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
        );
        resolve({
          requestsPerSecond: result.requests.average,
          bytesPerResponse: result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : 0,
          latencyP50Ms: result.latency.p50,
          latencyP99Ms: result.latency.p99,
          responses: result['1xx'] + result['2xx'] + result.non2xx,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
        });
      },
    );
  });
}
