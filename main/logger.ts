import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Anything that could carry a secret is redacted before it is written. `destination`: where the
 * lines go (default stdout); tests read every line written.
 */
export function createLogger(level: string, name = 'rapport', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
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
  };
  return destination ? pino(options, destination) : pino(options);
}
