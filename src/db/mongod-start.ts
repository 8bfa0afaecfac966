import { errors } from 'mongodb-memory-server';

/**
 * Starts a mongod (or a replica set of them) again when it crashes while starting.
 *
 * The offline mongod is the Windows build under Wine. On a loaded 2-core machine it now and then dies during
 * startup (an `fassert()` in its own log, or an exit before it listens) although the same start succeeds a
 * moment later. That is the host, not Folio: one more attempt is what an operator would do. Anything else
 * (no binary, a missing library, bad options) fails at once.
 */
export async function startMongodWithRetry<T>(
  start: () => Promise<T>,
  options: { attempts?: number; log: (line: string) => void },
): Promise<T> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !isStartupCrash(error)) throw error;
      options.log(
        `mongod crashed while starting (${String(error).split('\n')[0]}); attempt ${attempt + 1} of ${attempts}`,
      );
    }
  }
}

/** A crash or timeout of a mongod that did start running, as opposed to one that cannot run here at all. */
export function isStartupCrash(error: unknown): boolean {
  if (error instanceof errors.StdoutInstanceError) return !/library is missing/.test(error.message);
  if (error instanceof errors.UnexpectedCloseError) return true;
  if (error instanceof errors.WaitForPrimaryTimeoutError) return true;
  return error instanceof Error && /Instance failed to start within/.test(error.message);
}
