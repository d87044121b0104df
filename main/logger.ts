import pino, { type Logger } from 'pino';

/** Anything that could carry a secret is redacted before it is written. */
export function createLogger(level: string, name = 'rapport'): Logger {
  return pino({
    name,
    level,
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
  });
}
