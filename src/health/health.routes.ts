import { type RequestHandler, Router } from 'express';
import type { Connection } from 'mongoose';
import { publicRoute } from '../http/route-access';

const READY_TIMEOUT_MS = 1_000;

/** Resolves true when MongoDB answers a ping within the timeout; never throws, never hangs. */
export async function pingMongo(connection: Connection, timeoutMs = READY_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const db = connection.db;
  if (!db) return false;
  const ping = db
    .command({ ping: 1 }, { timeoutMS: timeoutMs })
    .then(() => true)
    .catch(() => false);
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Health endpoints sit before the session middleware: probes never touch the session store. */
export function healthRoutes(connection: Connection): Router {
  const healthz: RequestHandler = (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  };
  const readyz: RequestHandler = async (_req, res) => {
    const ready = await pingMongo(connection);
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ready ? 'ready' : 'unavailable', mongodb: ready ? 'ok' : 'unreachable' });
  };
  const router = Router();
  router.get('/healthz', [publicRoute], healthz);
  router.get('/readyz', [publicRoute], readyz);
  return router;
}
