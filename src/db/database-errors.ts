/**
 * "MongoDB cannot serve this right now" — unreachable, restarting, or electing a new primary — as opposed to
 * "this request was wrong". Such errors become a 503 the client may retry, never a 500.
 *
 * Matched by name and server code rather than by class: the session store and the throttle run on the same
 * client, but a wrapped error or a second copy of the driver would defeat `instanceof`.
 */

/** Errors the driver raises when no usable server could be reached in time, or the connection broke. */
const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
]);

/**
 * Server error codes of a replica set changing primary or a server shutting down: the operation may succeed
 * if retried in a moment. (A write concern timeout, 64, leaves the write applied on fewer members than asked:
 * unacknowledged, so also a 503.)
 */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  64, // WriteConcernFailed (wtimeout)
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
  262, // ExceededTimeLimit
]);

const MAX_CAUSE_DEPTH = 4;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > MAX_CAUSE_DEPTH) return false;
  if (UNAVAILABLE_NAMES.has(err.name)) return true;
  if (err.name.startsWith('Mongo') && hasUnavailableCode(err)) return true;
  // Libraries built on the driver (and the driver itself, for retries) may wrap the original error.
  return isDatabaseUnavailable(err.cause, depth + 1);
}

/** The error's own code, or its write concern error's (a write applied but not acknowledged as asked). */
function hasUnavailableCode(err: Error): boolean {
  const { code, errorLabels, result } = err as {
    code?: unknown;
    errorLabels?: unknown;
    result?: { writeConcernError?: { code?: unknown } };
  };
  if (Array.isArray(errorLabels) && errorLabels.includes('RetryableWriteError')) return true;
  const codes = [code, result?.writeConcernError?.code];
  return codes.some((c) => typeof c === 'number' && UNAVAILABLE_CODES.has(c));
}
