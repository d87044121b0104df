import { Client } from '@temporalio/client';
import { ConfigError, loadEnv } from '../config/env.js';
import { createContactDirectory } from '../crm/contact-directory.js';
import { createHubSpotCrm } from '../crm/hubspot/index.js';
import { createLogger } from './logger.js';
import { installTemporalLogging, searchAttributesReady } from './steps/temporal.js';
import { createBroadcastServices } from '../services/broadcast-services.js';
import { createStaleWorkSweep } from '../services/stale-work.js';
import { withIdempotencyPruning } from '../services/ledger-retention.js';
import { createAlertStore } from '../store/alerts.js';
import { createApprovalStore } from '../store/approvals.js';
import { createDeliveryStore } from '../store/deliveries.js';
import { createResponseStore } from '../store/responses.js';
import { createIntakes } from './steps/intakes.js';
import { propertyMapFromEnv } from './crm-schema.js';
import { hubspotBudget, hubspotIdempotency, idempotencyPruning, SANDBOX_TOKEN } from './steps/crm.js';
import { rapportSecret } from './secret.js';
import { openDb } from '../store/db.js';
import { migrate } from '../store/migrations.js';
import { createTouchStore } from '../store/touches.js';
import { connectWorker, targetFromEnv } from '../workflows/temporal/connection.js';
import { createRapportWorker, prebuiltBundlePath } from '../workflows/worker.js';
import { startMetricsListener } from './metrics-listener.js';
import { createMetricsRegistry } from './metrics.js';
import { NO_TRACING } from '../lib/tracing.js';
import { startTracing } from './tracing.js';
import { traceCrm } from './traced-crm.js';

/**
 * `npm run worker`: a worker on its own, for deployments with many workers.
 * Needs TEMPORAL_ADDRESS and DATABASE_URL (PGlite is one process's database) and a CRM.
 */
export async function runWorkerProcess(): Promise<void> {
  const env = loadEnv();
  const missing = [
    !env.TEMPORAL_ADDRESS && 'TEMPORAL_ADDRESS (the Temporal server the API uses)',
    !env.DATABASE_URL && 'DATABASE_URL (a separate worker cannot share the embedded PGlite)',
    env.METRICS_PORT !== undefined && !env.METRICS_TOKEN && 'METRICS_TOKEN (with METRICS_PORT: /metrics needs a token)',
  ].filter(Boolean);
  if (missing.length > 0)
    throw new ConfigError(
      missing.map((m) => ({ variable: String(m).split(' ')[0]!, problem: `required for npm run worker: ${m}` })),
    );

  const logger = createLogger(env.LOG_LEVEL, 'rapport-worker');
  // The SDK's own lines (failed activities, the core) through the same redacting logger.
  installTemporalLogging(env.LOG_LEVEL, logger, env.TEMPORAL_METRICS_BIND);
  const telemetry = createMetricsRegistry();
  const metrics = telemetry.metrics;
  // OTEL_EXPORTER_OTLP_ENDPOINT: this worker's workflow, activity, CRM and channel spans; unset: off.
  const traces = startTracing(env, { defaultServiceName: 'rapport-worker' });
  const tracing = traces?.tracing ?? NO_TRACING;
  const db = await openDb({ databaseUrl: env.DATABASE_URL });
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  const budget = hubspotBudget(env, db, logger, metrics);
  const crm = traceCrm(
    createHubSpotCrm({
      accessToken: env.HUBSPOT_ACCESS_TOKEN ?? SANDBOX_TOKEN,
      basePath: env.HUBSPOT_ACCESS_TOKEN ? env.HUBSPOT_BASE_PATH : `http://127.0.0.1:${env.HUBSPOT_SANDBOX_PORT}`,
      // The portal's budget, shared through PostgreSQL with the API and every other worker; all background.
      budget,
      traffic: 'background',
      propertyMap: propertyMapFromEnv(env),
      preferencesApi: env.HUBSPOT_PREFERENCES_API,
      activityRead: env.HUBSPOT_ACTIVITY_READ,
      logger,
      ...hubspotIdempotency(env, db),
    }),
    tracing,
    'background',
  );
  const target = targetFromEnv(env);
  const connection = await connectWorker(target);
  const touches = createTouchStore(db);
  // The sweep schedule's activity starts workflows: a client on the worker's own connection.
  const sweepClient = new Client({
    connection,
    namespace: target.namespace,
    ...(traces ? { interceptors: traces.clientInterceptors } : {}),
  });
  const { intake, alertIntake } = createIntakes(env, {
    temporal: sweepClient,
    searchAttributes: await searchAttributesReady(sweepClient, target.namespace, logger),
    logger,
    crm,
    contacts: createContactDirectory(crm),
    touches,
    alerts: createAlertStore(db),
    approvals: createApprovalStore(db),
    responses: createResponseStore(db),
    deliveries: createDeliveryStore(db),
    db,
  });
  // Alerts need mail and the shared signing secret; without SMTP_URL this worker runs touches only.
  const broadcastServices = env.SMTP_URL
    ? createBroadcastServices(env, {
        db,
        crm,
        smtpUrl: env.SMTP_URL,
        secret: rapportSecret(env.RAPPORT_SECRET, env.DATA_DIR),
        publicUrl: env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`,
        metrics,
        tracing,
      })
    : undefined;
  const worker = await createRapportWorker({
    connection,
    namespace: target.namespace,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    shutdownGraceSeconds: env.WORKER_SHUTDOWN_GRACE_SECONDS,
    ...(traces ? { tracing: traces.worker } : {}),
    deps: {
      crm,
      touches,
      maintenance: {
        sweep: withIdempotencyPruning(
          createStaleWorkSweep({ touches, intake, alertIntake }),
          idempotencyPruning(env, db),
        ),
      },
      ...(broadcastServices ? { broadcast: broadcastServices } : {}),
    },
  });
  // The worker's own /metrics (its deliveries, its CRM calls): a small listener, behind METRICS_TOKEN.
  const metricsListener =
    env.METRICS_PORT !== undefined && env.METRICS_TOKEN
      ? await startMetricsListener({ token: env.METRICS_TOKEN, render: telemetry.render }, env.HOST, env.METRICS_PORT)
      : undefined;
  telemetry.watch({ crmBudgetUsed: () => budget.usedShare() });
  logger.info(
    {
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      ...(metricsListener ? { metrics: `http://${env.HOST}:${metricsListener.port}/metrics` } : {}),
      temporal: target.address,
      workflows: prebuiltBundlePath(traces !== undefined) ? 'prebuilt bundle' : 'bundled at start',
      ...(traces ? { traces: 'on' } : {}),
    },
    'worker running',
  );
  // SIGTERM (a deploy, a scale-down): no new sends, the ones in flight finish within the grace.
  const stop = (signal: string) => {
    if (worker.getState() !== 'RUNNING') return;
    logger.info({ signal, graceSeconds: env.WORKER_SHUTDOWN_GRACE_SECONDS }, 'worker draining');
    worker.shutdown();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await worker.run();
  await metricsListener?.close();
  broadcastServices?.mail.close();
  await connection.close();
  await traces?.shutdown();
  await db.close();
  logger.info('worker stopped');
}
