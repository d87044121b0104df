import type { Client, ClientInterceptors } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Env } from '../../config/env.js';
import { connectClient, targetFromEnv, type TemporalTarget } from '../../workflows/temporal/connection.js';
import { startDevServer, type DevServer } from '../../workflows/temporal/dev-server.js';
import { missingSearchAttributes } from '../../workflows/temporal/search-attribute-check.js';
import { temporalLogger } from '../temporal-logger.js';
import type { Cleanups } from './cleanups.js';

export interface TemporalStep {
  temporal: Client;
  target: TemporalTarget;
  /** The dev server we own, when no TEMPORAL_ADDRESS is configured. */
  devServer?: DevServer;
}

let runtimeInstalled = false;
/**
 * The SDK's runtime: its logs and, with a bind address, its Prometheus metrics.
 * The SDK logs on its own unless told: its lines go through Rapport's redacting logger when one is
 * given (main/temporal-logger.ts), at most as chatty as LOG_LEVEL (the core at INFO when debugging).
 * Once per process: the SDK's runtime is process-wide.
 */
export function installTemporalLogging(level: Env['LOG_LEVEL'], logger?: Logger, metricsBind?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const temporalLevel = level === 'debug' || level === 'trace' ? 'INFO' : level === 'silent' ? 'ERROR' : 'WARN';
  Runtime.install({
    logger: logger ? temporalLogger(logger, temporalLevel) : new DefaultLogger(temporalLevel),
    telemetryOptions: {
      logging: { filter: { core: temporalLevel, other: 'ERROR' }, forward: {} },
      // TEMPORAL_METRICS_BIND: the SDK's own series (polls, task latencies, slots) for Prometheus.
      ...(metricsBind ? { metrics: { prometheus: { bindAddress: metricsBind } } } : {}),
    },
  });
}

/**
 * True when the alert search attributes are registered; else one clear warning, and alerts run
 * untagged (Rapport works the same, only the UI cannot filter them).
 */
export async function searchAttributesReady(temporal: Client, namespace: string, logger: Logger): Promise<boolean> {
  try {
    const missing = await missingSearchAttributes(temporal, namespace);
    if (missing.length === 0) return true;
    logger.warn(
      { missing, namespace },
      'Temporal search attributes not registered; alerts run without them. Register them: ' +
        missing.map((name) => `temporal operator search-attribute create --name ${name} --type Keyword`).join('; '),
    );
  } catch (error) {
    logger.warn(
      { err: (error as Error).message, namespace },
      'could not list Temporal search attributes; alerts run without them',
    );
  }
  return false;
}

/** TEMPORAL_ADDRESS (or a test's server), else a dev server we start and stop. */
export async function startTemporal(
  env: Env,
  logger: Logger,
  dataDir: string,
  cleanups: Cleanups,
  givenAddress?: string,
  interceptors?: ClientInterceptors,
): Promise<TemporalStep> {
  let devServer: DevServer | undefined;
  let address = givenAddress ?? env.TEMPORAL_ADDRESS;
  if (!address) {
    const started = await startDevServer({
      dataDir,
      port: env.TEMPORAL_DEV_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      namespace: env.TEMPORAL_NAMESPACE,
      cliPath: env.TEMPORAL_CLI_PATH,
      log: (line) => logger.info(line),
    });
    cleanups.defer(() => started.stop());
    devServer = started;
    address = started.address;
  }
  const target = targetFromEnv(env, address);
  if (givenAddress) target.address = givenAddress;
  const temporal = await connectClient(target, interceptors);
  cleanups.defer(() => temporal.connection.close());
  return { temporal, target, ...(devServer ? { devServer } : {}) };
}
