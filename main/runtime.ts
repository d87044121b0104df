import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import { createContactDirectory } from '../crm/contact-directory.js';
import type { CrmPort } from '../crm/port.js';
import { DEFAULT_QUESTIONS } from '../domain/questions.js';
import { createAddinRoutes } from '../server/addin/routes.js';
import { createApp, type RapportApp } from '../server/app.js';
import { createAlertIntake } from '../services/alert-intake.js';
import { createBroadcastServices } from '../services/broadcast-services.js';
import { startContactReadModel, type ContactReadModel } from '../services/contacts/contact-read-model.js';
import { createCustomerContext } from '../services/customer-context.js';
import { createTouchIntake } from '../services/touch-intake.js';
import { slackSettingsFromEnv } from '../slack-app/index.js';
import { slackAlertDeps, startSlackFace, type SlackFace } from '../slack-app/runtime.js';
import type { Db } from '../store/db.js';
import { createTouchStore } from '../store/touches.js';
import type { DevServer } from '../workflows/temporal/dev-server.js';
import { devApiToken } from './api-token.js';
import { rapportSecret } from './secret.js';
import { Cleanups } from './steps/cleanups.js';
import { startCrm } from './steps/crm.js';
import { startHttp } from './steps/http.js';
import { startPeriodicJobs } from './steps/jobs.js';
import { startMail } from './steps/mail.js';
import { startSms } from './steps/sms.js';
import { startStore } from './steps/store.js';
import { installTemporalLogging, startTemporal } from './steps/temporal.js';
import { startWorker } from './steps/worker.js';

export { SANDBOX_TOKEN } from './steps/crm.js';
export { CRM_SCHEMA } from './crm-schema.js';

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
  /** Tests: every HTTP answer is held to its route's contract; a mismatch is reported here (and answered 500). */
  onContractViolation?: (violation: string) => void;
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

/**
 * The composition root: one step per component (store, CRM, mail, SMS, Temporal, worker),
 * then the shared services, then the faces (Slack, HTTP with the add-in) and periodic jobs.
 * Only this module wires parts together.
 */
export async function startRapport(
  env: Env,
  logger: Logger,
  overrides: RuntimeOverrides = {},
): Promise<RapportRuntime> {
  const cleanups = new Cleanups((message) => logger.warn({ err: message }, 'stop'));
  try {
    const dataDir = resolve(env.DATA_DIR);
    installTemporalLogging(env.LOG_LEVEL);

    const db = await startStore(env, dataDir, logger, cleanups, overrides.db);
    const touches = createTouchStore(db);
    const { crm, basePath, sandboxUrl } = await startCrm(env, logger, dataDir, cleanups, {
      basePath: overrides.hubspotBasePath,
      token: overrides.hubspotToken,
    });
    const { smtpUrl, outboxUrl } = await startMail(env, dataDir, cleanups);
    const sms = await startSms(env, logger, cleanups);
    const publicUrl = env.PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
    const broadcast = createBroadcastServices(env, {
      db,
      crm,
      smtpUrl,
      secret: rapportSecret(env.RAPPORT_SECRET, dataDir),
      publicUrl,
      sms: sms.sms,
    });
    cleanups.defer(async () => broadcast.mail.close());

    const { temporal, target, devServer } = await startTemporal(
      env,
      logger,
      dataDir,
      cleanups,
      overrides.temporalAddress,
    );
    const worker =
      (overrides.workerInProcess ?? env.WORKER_IN_PROCESS)
        ? await startWorker(
            target,
            { taskQueue: env.TEMPORAL_TASK_QUEUE, shutdownGraceSeconds: env.WORKER_SHUTDOWN_GRACE_SECONDS },
            { crm, touches, batchWaitMs: overrides.batchWaitMs, broadcast },
            cleanups,
          )
        : undefined;

    // Shared services, the same for every face.
    const contacts = createContactDirectory(crm);
    // Only the Slack face searches contacts by name today: without it the sync would spend CRM budget for nothing.
    const contactReadModel = startContactReadModel(env, {
      db,
      crm,
      logger,
      needed: !('off' in slackSettingsFromEnv(env)),
    });
    cleanups.defer(() => contactReadModel.stop());
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

    // Faces.
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
    cleanups.defer(() => slack.stop());
    const apiToken = env.API_TOKENS ? undefined : devApiToken(dataDir);
    const app = createApp({
      broadcast: { ...broadcast, alertIntake },
      ...(sms.authToken ? { smsInbound: { authToken: sms.authToken, publicUrl } } : {}),
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
      onContractViolation: overrides.onContractViolation,
    });
    startPeriodicJobs({ touches, intake, alertIntake, logger }, cleanups);
    if (overrides.listen !== false) await startHttp(app, env.HOST, env.PORT, cleanups);

    return {
      app,
      url: overrides.listen !== false ? publicUrl : undefined,
      temporal,
      db,
      crm,
      worker,
      devServer,
      sandboxUrl,
      outboxUrl,
      smsOutboxUrl: sms.smsOutboxUrl,
      smtpUrl,
      apiToken: apiToken ?? undefined,
      slack,
      contactReadModel,
      stop: () => cleanups.run(),
    };
  } catch (error) {
    await cleanups.run();
    throw error;
  }
}
