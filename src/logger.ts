import pino, { type Logger } from 'pino';
import type { Config } from './config';

/** Secrets that must never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'sessionId',
  '*.sessionId',
  'sid',
  '*.sid',
  'session',
  '*.session',
];

export function createLogger(config: Pick<Config, 'logLevel' | 'env'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { app: 'folio' },
  };
  if (destination) return pino(options, destination);
  if (config.env === 'development' && canPrettyPrint()) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname,app', singleLine: true },
      },
    });
  }
  return pino(options);
}

/** pino-pretty is a dev dependency; a production install without it logs plain JSON. */
function canPrettyPrint(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
