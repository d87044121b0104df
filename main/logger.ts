import pino, { type DestinationStream, type Logger } from 'pino';
import { dbErrorForLog, isDbError } from '../store/db.js';

/**
 * pino's error serializer, except that a database error anywhere in the chain (the error or a
 * cause) is logged by its code and place only: its parameters and the values in its detail are
 * customer data (store/db.ts dbErrorForLog).
 */
export function errForLog(error: unknown, depth = 0): unknown {
  if (isDbError(error)) return dbErrorForLog(error);
  if (!(error instanceof Error) || depth > 5) return pino.stdSerializers.err(error as Error);
  let inChain = false;
  for (let c: unknown = error.cause, n = 0; c && n < 5; c = (c as Error).cause, n += 1)
    if (isDbError(c)) inChain = true;
  if (!inChain) return pino.stdSerializers.err(error);
  const own: Record<string, unknown> = { type: error.constructor.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) if (key !== 'cause') own[key] = value;
  own.cause = errForLog(error.cause, depth + 1);
  return own;
}

/**
 * Anything that could carry a secret is redacted before it is written. `destination`: where the
 * lines go (default stdout); tests read every line written.
 */
export function createLogger(level: string, name = 'rapport', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    serializers: { err: errForLog },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.accessToken',
        '*.apiKey',
        '*.token',
        '*.password',
        '*.authToken',
        '*.botToken',
        '*.signingSecret',
        'accessToken',
        'apiKey',
        'token',
        'password',
        'authToken',
        'botToken',
        'signingSecret',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
