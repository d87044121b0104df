import { Server as HttpServer } from 'node:http';
import { resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { HttpSmsProviderOptions } from '../channels/sms/http-provider.js';
import type { Env } from '../config/env.js';
import { createContactDirectory } from '../crm/contact-directory.js';
import { createHubSpotCrm } from '../crm/hubspot/index.js';
import type { CrmPort } from '../crm/port.js';
import { DEFAULT_QUESTIONS, answerProperty } from '../domain/questions.js';
import { startHubSpotSandbox } from '../sandbox/hubspot/index.js';
import { startSmsStandIn, type SmsStandIn } from '../sandbox/sms/index.js';
import { startSmtpCatcher } from '../sandbox/smtp/index.js';
import { openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrations.js';
import { createTouchStore } from '../store/touches.js';
import { startDevServer, type DevServer } from '../workflows/temporal/dev-server.js';
import { connectClient, connectWorker, targetFromEnv } from '../workflows/temporal/connection.js';
import { createRapportWorker } from '../workflows/worker.js';
import { devApiToken } from './api-token.js';
import { createAlertIntake } from './alert-intake.js';
import { createApp, type RapportApp } from './app.js';
import { BROADCAST_CRM_SCHEMA, createBroadcastServices } from './broadcast-services.js';
import { smsSettingsFromEnv } from './channel-adapters.js';
import { createAddinRoutes } from './addin/routes.js';
import { startContactReadModel, type ContactReadModel } from './contact-read-model.js';
import { createCustomerContext } from './customer-context.js';
import { rapportSecret } from './secret.js';
import { createTouchIntake } from './touch-intake.js';
import { slackSettingsFromEnv } from '../slack-app/index.js';
import { slackAlertDeps, startSlackFace, type SlackFace } from '../slack-app/runtime.js';

export const SANDBOX_TOKEN = 'sandbox-local-token';

export interface RuntimeOverrides {
  /** Attach to this Temporal instead of TEMPORAL_ADDRESS or a dev server (tests share one). */
  temporalAddress?: string;
  /** Use this database instead of DATABASE_URL / PGlite in DATA_DIR. */
  db?: Db;
  /** Use this CRM base path (a test's sandbox) instead of HubSpot or an embedded sandbox. */
  hubspotBasePath?: string;
  hubspotToken?: string;
  /** Skip the HTTP listener (tests call app.request()). */
  listen?: boolean;
  workerInProcess?: boolean;
  batchWaitMs?: number;
}

export interface RapportRuntime {
  app: RapportApp;
  url?: string;
  temporal: Client;
  db: Db;
  crm: CrmPort;
  worker?: Worker;
  devServer?: DevServer;
  sandboxUrl?: string;
  /** The embedded SMTP catcher's outbox page, when SMTP_URL is unset. */
  outboxUrl?: string;
  /** The embedded SMS stand-in's outbox page, when SMS is not configured. */
  smsOutboxUrl?: string;
  smtpUrl: string;
  apiToken?: { token: string; file?: string };
  /** The Slack face: on with tokens, else off with a notice. */
  slack: SlackFace;
  /** The contact read model behind the Slack customer picker and /customer <name>. */
  contactReadModel: ContactReadModel;
  stop(): Promise<void>;
}

/** Rapport's custom CRM properties: idempotency keys on engagements, answers on contacts. */
export const CRM_SCHEMA = [
  ...(['notes', 'calls', 'emails', 'meetings', 'tasks'] as const).map((objectType) => ({
    objectType,
    name: 'rapport_idempotency_key',
    label: 'Rapport idempotency key',
  })),
  ...DEFAULT_QUESTIONS.map((q) => ({ objectType: 'contacts' as const, name: answerProperty(q.id), label: q.text })),
  ...BROADCAST_CRM_SCHEMA,
];

let runtimeInstalled = false;
function installTemporalLogging(level: Env['LOG_LEVEL']) {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const temporalLevel = level === 'debug' || level === 'trace' ? 'INFO' : level === 'silent' ? 'ERROR' : 'WARN';
  // The SDK core logs on its own unless told: keep it at the same level as the TS side.
  Runtime.install({
    logger: new DefaultLogger(temporalLevel),
    telemetryOptions: { logging: { filter: { core: temporalLevel, other: 'ERROR' }, forward: {} } },
  });
}

export async function startRapport(
  env: Env,
  logger: Logger,
  overrides: RuntimeOverrides = {},
): Promise<RapportRuntime> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((e: Error) => logger.warn({ err: e.message }, 'stop'));
  };
  try {
    const dataDir = resolve(env.DATA_DIR);
    installTemporalLogging(env.LOG_LEVEL);

    // Store
    const db = overrides.db ?? (await openDb({ databaseUrl: env.DATABASE_URL, pgliteDir: resolve(dataDir, 'pglite') }));
    if (!overrides.db) cleanups.push(() => db.close());
    await migrate(db);
    const touches = createTouchStore(db);

    // CRM: HubSpot with a token, else the local sandbox
    let basePath = overrides.hubspotBasePath ?? env.HUBSPOT_BASE_PATH;
    let accessToken = overrides.hubspotToken ?? env.HUBSPOT_ACCESS_TOKEN;
    let sandboxUrl: string | undefined;
    if (!overrides.hubspotBasePath && !accessToken) {
      const sandbox = await startHubSpotSandbox({
        port: env.HUBSPOT_SANDBOX_PORT,
        dataDir,
        seed: true,
        accessToken: SANDBOX_TOKEN,
        rateLimit: { perTenSeconds: env.HUBSPOT_RATE_LIMIT },
      });
      cleanups.push(() => sandbox.close());
      basePath = sandbox.url;
      accessToken = SANDBOX_TOKEN;
      sandboxUrl = sandbox.url;
    }
    const crm = createHubSpotCrm({
      accessToken: accessToken ?? SANDBOX_TOKEN,
      basePath,
      rateLimitPerTenSeconds: env.HUBSPOT_RATE_LIMIT,
      logger,
    });
    await crm.ensureSchema(CRM_SCHEMA).catch((error: Error) => {
      // Not fatal: the CRM may be briefly down; writes retry until it answers.
      logger.warn({ err: error.message }, 'could not check CRM custom properties yet');
    });

    // Mail: SMTP_URL, else the local catcher with an outbox page
    let smtpUrl = env.SMTP_URL;
    let outboxUrl: string | undefined;
    if (!smtpUrl) {
      const catcher = await startSmtpCatcher({
        port: env.SMTP_CATCHER_PORT,
        webPort: env.SMTP_OUTBOX_PORT,
        host: env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST,
        dataDir: resolve(dataDir, 'outbox'),
      }).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EADDRINUSE'
          ? new Error('SMTP_CATCHER_PORT or SMTP_OUTBOX_PORT is already in use; set another port, or SMTP_URL')
          : error;
      });
      cleanups.push(() => catcher.close());
      smtpUrl = catcher.smtpUrl;
      outboxUrl = catcher.url;
    }
    // SMS: the configured provider, else the local stand-in with an outbox page
    let sms: HttpSmsProviderOptions | undefined;
    let smsOutboxUrl: string | undefined;
    if (!smsSettingsFromEnv(env)) {
      const standIn = await startEmbeddedSmsStandIn(env, logger);
      cleanups.push(() => standIn.close());
      sms = {
        apiUrl: standIn.apiUrl,
        accountSid: standIn.accountSid,
        authToken: standIn.authToken,
        from: EMBEDDED_SMS_FROM,
      };
      smsOutboxUrl = standIn.outboxUrl;
    }
    const smsAuthToken = sms?.authToken ?? env.SMS_AUTH_TOKEN;
    const publicUrl = env.PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
    const broadcast = createBroadcastServices(env, {
      db,
      crm,
      smtpUrl,
      secret: rapportSecret(env.RAPPORT_SECRET, dataDir),
      publicUrl,
      sms,
    });
    cleanups.push(async () => broadcast.mail.close());

    // Temporal: an address, else a dev server we own
    let devServer: DevServer | undefined;
    let address = overrides.temporalAddress ?? env.TEMPORAL_ADDRESS;
    if (!address) {
      devServer = await startDevServer({
        dataDir,
        port: env.TEMPORAL_DEV_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
        namespace: env.TEMPORAL_NAMESPACE,
        cliPath: env.TEMPORAL_CLI_PATH,
        log: (line) => logger.info(line),
      });
      cleanups.push(() => devServer!.stop());
      address = devServer.address;
    }
    const target = targetFromEnv(env, address);
    if (overrides.temporalAddress) target.address = overrides.temporalAddress;
    const temporal = await connectClient(target);
    cleanups.push(() => temporal.connection.close());

    // Worker
    let worker: Worker | undefined;
    if (overrides.workerInProcess ?? env.WORKER_IN_PROCESS) {
      const connection = await connectWorker(target);
      worker = await createRapportWorker({
        connection,
        namespace: target.namespace,
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        deps: { crm, touches, batchWaitMs: overrides.batchWaitMs, broadcast },
      });
      const running = worker.run();
      cleanups.push(async () => {
        if (worker!.getState() === 'RUNNING') worker!.shutdown();
        await running;
        await connection.close();
      });
    }

    // HTTP
    const apiToken = env.API_TOKENS ? undefined : devApiToken(dataDir);
    const contacts = createContactDirectory(crm);
    // Only the Slack face searches contacts by name today: without it the sync would spend CRM budget for nothing.
    const contactReadModel = startContactReadModel(env, {
      db,
      crm,
      logger,
      needed: !('off' in slackSettingsFromEnv(env)),
    });
    cleanups.push(() => contactReadModel.stop());
    const intake = createTouchIntake({
      touches,
      contacts,
      temporal,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      retryMaxIntervalSeconds: env.CRM_RETRY_MAX_INTERVAL_SECONDS,
      questions: DEFAULT_QUESTIONS,
      logger,
    });
    const context = createCustomerContext({ crm, contacts, touches, questions: DEFAULT_QUESTIONS });
    const alertIntake = createAlertIntake({
      alerts: broadcast.alerts,
      approvals: broadcast.approvals,
      responses: broadcast.responses,
      deliveries: broadcast.deliveries,
      logger,
      temporal,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      approverGroups: env.APPROVER_GROUPS,
      listExists: async (ids) => {
        const known = new Set((await crm.listLists()).map((l) => l.id));
        return ids.filter((id) => !known.has(id));
      },
      timing: {
        reminderAfterMs: env.APPROVAL_REMINDER_MINUTES * 60_000,
        expiryAfterMs: env.APPROVAL_EXPIRY_MINUTES * 60_000,
        responseWindowMs: env.RESPONSE_WINDOW_HOURS * 3_600_000,
      },
      batchSize: env.ALERT_BATCH_SIZE,
      historyBudget: env.ALERT_HISTORY_EVENTS,
    });
    const slack = await startSlackFace(env, {
      logger,
      intake,
      context,
      contacts,
      crm,
      touches,
      crmBasePath: basePath,
      searchContacts: contactReadModel.search,
      alerts: slackAlertDeps({ broadcast, alertIntake, db, crm, approverGroups: env.APPROVER_GROUPS }),
    });
    cleanups.push(() => slack.stop());
    const app = createApp({
      broadcast: { ...broadcast, alertIntake },
      // Texts back are signed with the provider's auth token: the configured account's, else the stand-in's.
      ...(smsAuthToken ? { smsInbound: { authToken: smsAuthToken, publicUrl } } : {}),
      slack: slack.app,
      addin: await createAddinRoutes({
        env,
        logger,
        context,
        intake,
        touches,
        approvals: { alerts: broadcast.alerts, intake: alertIntake, approverGroups: env.APPROVER_GROUPS },
      }),
      logger,
      apiTokens: env.API_TOKENS ?? [apiToken!.token],
      intake,
      touches,
      context,
      readiness: {
        temporal: () => temporal.workflowService.getSystemInfo({}),
        store: () => db.query('select 1'),
        crm: () => crm.ping(),
      },
    });

    // Touches stored while Temporal was unreachable get their workflow once it answers.
    const sweeper = setInterval(() => {
      touches
        .listStalePending(60, 200)
        .then((ids) => Promise.all(ids.map((id) => intake.startWorkflow(id))))
        .catch((error: Error) => logger.warn({ err: error.message }, 'pending-touch sweep failed'));
    }, 30_000);
    sweeper.unref();
    cleanups.push(async () => clearInterval(sweeper));
    // Alerts and responses stored while Temporal was unreachable get their workflows the same way.
    const alertSweeper = setInterval(() => {
      alertIntake.sweep().catch((error: Error) => logger.warn({ err: error.message }, 'alert sweep failed'));
    }, 30_000);
    alertSweeper.unref();
    cleanups.push(async () => clearInterval(alertSweeper));

    let url: string | undefined;
    if (overrides.listen !== false) {
      const server = await listen(app, env.HOST, env.PORT);
      cleanups.push(() => new Promise((done) => server.close(() => done(undefined))));
      url = publicUrl;
    }

    return {
      app,
      url,
      temporal,
      db,
      crm,
      worker,
      devServer,
      sandboxUrl,
      outboxUrl,
      smsOutboxUrl,
      smtpUrl,
      apiToken: apiToken ?? undefined,
      slack,
      contactReadModel,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Twilio's test sender number: a demo text comes "from" a number that can never be a real one. */
const EMBEDDED_SMS_FROM = '+15005550006';

/**
 * The local SMS stand-in on SMS_SANDBOX_PORT. Only Rapport talks to it (the URL is handed over,
 * not configured), so when the port is taken it takes any free one rather than stopping start-up.
 */
async function startEmbeddedSmsStandIn(env: Env, logger: Logger): Promise<SmsStandIn> {
  const host = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
  try {
    return await startSmsStandIn({ port: env.SMS_SANDBOX_PORT, host, senders: [EMBEDDED_SMS_FROM] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    logger.info({ port: env.SMS_SANDBOX_PORT }, 'SMS_SANDBOX_PORT is taken; the SMS stand-in uses a free port');
    return startSmsStandIn({ port: 0, host, senders: [EMBEDDED_SMS_FROM] });
  }
}

/**
 * Idle keep-alive connections stay open this long. Node closes them after 5 s, so Slack (and a
 * load balancer: AWS ALB keeps idle connections 60 s) would often open a new connection, with its
 * TCP and TLS handshakes, on the path Slack times at 3 s. Longer than the balancer's, so the
 * server never closes a connection the balancer is about to reuse.
 */
const KEEP_ALIVE_MS = 65_000;

function listen(app: RapportApp, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolvePromise, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port }, () => resolvePromise(server));
    if (server instanceof HttpServer) {
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      // Node wants the headers timeout above the keep-alive timeout.
      server.headersTimeout = KEEP_ALIVE_MS + 1_000;
    }
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' ? new Error(`PORT ${port} is already in use; set PORT to another port`) : error,
      ),
    );
  });
}
