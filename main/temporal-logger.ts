import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';
import type { Logger } from 'pino';

/**
 * The Temporal SDK's log lines (its worker, its Rust core, `workflow.log` from workflow code)
 * through Rapport's logger, so they pass the same redaction and error serializer as every other
 * line (main/logger.ts: secrets redacted, a database error by its code only), instead of the
 * SDK's DefaultLogger printing whole errors, their causes and failure payloads to stderr.
 *
 * What is kept of the SDK's metadata: ids and names (workflow, run, activity, task queue,
 * namespace, attempt) and plain scalars; its `error` becomes `err` (Rapport's serializer). Objects
 * (`failure` with its encoded details, arguments, headers) are dropped: they can carry customer
 * data and the ids are enough to find the run in Temporal's UI.
 */
const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** `minimum`: the SDK's lines below it are dropped (its INFO lines are noise unless debugging). */
export function temporalLogger(logger: Logger, minimum: LogLevel = 'TRACE'): TemporalLogger {
  const log = logger.child({ component: 'temporal' });
  const write = (level: LogLevel, message: string, meta: LogMetadata = {}) => {
    if (SEVERITY[level] < SEVERITY[minimum]) return;
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(meta)) {
      if (key === 'error') fields.err = value;
      else if (typeof value === 'string') fields[key] = value.length > 300 ? `${value.slice(0, 300)}…` : value;
      else if (typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
      else if (typeof value === 'bigint') fields[key] = Number(value);
    }
    switch (level) {
      case 'TRACE':
        return log.trace(fields, message);
      case 'DEBUG':
        return log.debug(fields, message);
      case 'INFO':
        return log.info(fields, message);
      case 'WARN':
        return log.warn(fields, message);
      default:
        return log.error(fields, message);
    }
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
