import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { BroadcastActivityDeps } from '../workflows/broadcast/activities.js';
import { devSignInOn, type Env } from '../config/env.js';
import { createContactDirectory } from '../crm/contact-directory.js';
import type { CrmPort } from '../crm/port.js';
import { DEFAULT_QUESTIONS } from '../domain/questions.js';
import { createAddinRoutes, DEFAULT_DEV_USER } from '../server/addin/routes.js';
import { createApp, type RapportApp } from '../server/app.js';
import { createBroadcastServices } from '../services/broadcast-services.js';
import { startCompanyReadModel, type CompanyReadModel } from '../services/companies/company-read-model.js';
import { startContactReadModel, type ContactReadModel } from '../services/contacts/contact-read-model.js';
import { createNextBestActionBook, nextBestActionJob } from '../services/next-best-action-book.js';
import { createNextBestActionStore } from '../store/next-best-actions.js';
import { createCustomerContext } from '../services/customer-context.js';
import { createAlertTrail } from '../services/alert-trail.js';
import { createLiveSummary } from '../services/live-summary.js';
import { createStaleWorkSweep } from '../services/stale-work.js';
import { withIdempotencyPruning } from '../services/ledger-retention.js';
import { slackSettingsFromEnv } from '../slack-app/index.js';
import { slackAlertDeps, startSlackFace, type SlackFace } from '../slack-app/runtime.js';
import type { Db } from '../store/db.js';
import { processHolder } from '../store/leases.js';
import { createTouchStore } from '../store/touches.js';
import type { DevServer } from '../workflows/temporal/dev-server.js';
import { devApiToken } from './api-token.js';
import { createTokenVerifier, peopleIssuer } from '../server/addin/auth.js';
import { startPeopleSignIn, type PeopleSignIn } from './steps/people-sign-in.js';
import { startDashboardSignIn, type DashboardSignIn } from './steps/dashboard-sign-in.js';
import { rapportSecret } from './secret.js';
import { Cleanups } from './steps/cleanups.js';
import { idempotencyPruning, startCrm } from './steps/crm.js';
import { startHttp } from './steps/http.js';
import { createIntakes } from './steps/intakes.js';
import { startSchedules, startSingletonJobs } from './steps/jobs.js';
import { startMail } from './steps/mail.js';
import { startSms } from './steps/sms.js';
import { healthChecks } from './steps/status.js';
import { startStore } from './steps/store.js';
import { seedTopics } from './steps/topics.js';
import { createTopicStore } from '../store/topics.js';
import { createPreferenceCentre } from '../services/preferences.js';
import { installTemporalLogging, searchAttributesReady, startTemporal } from './steps/temporal.js';
import { startWorker } from './steps/worker.js';
import { createMetricsRegistry } from './metrics.js';
import { createQueueDepths } from '../store/queue-depths.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NO_TRACING } from '../lib/tracing.js';
import { startTracing } from './tracing.js';
import { traceCrm } from './traced-crm.js';
import type { DashboardAuth } from '../server/dashboard/auth-seam.js';
import { dashboardDeps } from './dashboard.js';

export { SANDBOX_TOKEN } from './steps/crm.js';
export { CRM_SCHEMA } from './crm-schema.js';

export interface RuntimeOverrides {
  /** Tests only: the clock announced slots are computed on (BroadcastActivityDeps.slotClock). */
  slotClock?: BroadcastActivityDeps['slotClock'];
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
  /** Tests: how long GET /api/status reuses its checks (default 10 s). */
  statusCacheMs?: number;
  /** Tests: every HTTP answer is held to its route's contract; a mismatch is reported here (and answered 500). */
  onContractViolation?: (violation: string) => void;
  /** Tests: trace into this exporter (span by span), as OTEL_EXPORTER_OTLP_ENDPOINT would to a collector. */
  spanExporter?: SpanExporter;
  /** The dashboard's sign-in (server/dashboard/auth-seam.ts); absent: /dashboard is not mounted. */
  dashboardAuth?: DashboardAuth;
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
  /** The local OpenID Connect issuer people sign in at (development on loopback, no identity provider configured). */
  localIssuer?: PeopleSignIn['local'];
  /** The dashboard's sign-in, when one is configured (or the local provider's in development). */
  dashboardSignIn?: DashboardSignIn;
  /** The Slack face: on with tokens, else off with a notice. */
  slack: SlackFace;
  /** The contact read model behind the Slack customer picker and /customer <name>. */
  contactReadModel: ContactReadModel;
  /** The company read model behind the customer context (the add-in pane, /customer). */
  companyReadModel: CompanyReadModel;
  /** How the Outlook task pane signs in: Entra, the development sign-in (as devUser), or not at all. */
  addinSignIn: { kind: 'entra' | 'dev' | 'none'; devUser?: string };
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
    // Who this process is, for the leases and claims it shares with other processes on the store.
    const holder = processHolder();
    installTemporalLogging(env.LOG_LEVEL, logger, env.TEMPORAL_METRICS_BIND);
    // One registry per runtime: what every part counts is served at /metrics (METRICS_TOKEN).
    const telemetry = createMetricsRegistry();
    const metrics = telemetry.metrics;
    // OTEL_EXPORTER_OTLP_ENDPOINT: spans from HTTP through workflow and activity to the CRM, SMTP and
    // Slack calls; unset, nothing is installed (no middleware, no interceptors, no decorators).
    const traces = startTracing(env, { defaultServiceName: 'rapport', exporter: overrides.spanExporter });
    if (traces) cleanups.defer(() => traces.shutdown());
    const tracing = traces?.tracing ?? NO_TRACING;

    const db = await startStore(env, dataDir, logger, cleanups, overrides.db);
    await seedTopics(env, db, logger);
    const touches = createTouchStore(db);
    // crm: background work (the worker, sync, alerts); interactiveCrm: people waiting. One budget.
    const crmStep = await startCrm(
      env,
      logger,
      dataDir,
      db,
      cleanups,
      { basePath: overrides.hubspotBasePath, token: overrides.hubspotToken },
      metrics,
    );
    const { basePath, sandboxUrl, budget } = crmStep;
    const crm = traceCrm(crmStep.crm, tracing, 'background');
    const interactiveCrm = traceCrm(crmStep.interactiveCrm, tracing, 'interactive');
    telemetry.watch({ crmBudgetUsed: () => budget.usedShare(), queueDepths: createQueueDepths(db) });
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
      metrics,
      tracing,
    });
    cleanups.defer(async () => broadcast.mail.close());

    const { temporal, target, devServer } = await startTemporal(
      env,
      logger,
      dataDir,
      cleanups,
      overrides.temporalAddress,
      traces?.clientInterceptors,
    );

    // TEMPORAL_UI_URL, else the UI of the dev server we own: alerts link to their workflow there.
    const temporalUiUrl = env.TEMPORAL_UI_URL ?? devServer?.uiUrl;
    const temporalUi = temporalUiUrl ? { url: temporalUiUrl, namespace: target.namespace } : undefined;
    // Shared services, the same for every face; what they ask the CRM, a person waits for.
    const contacts = createContactDirectory(interactiveCrm);
    const { intake, alertIntake, people, groups } = createIntakes(env, {
      temporal,
      searchAttributes: await searchAttributesReady(temporal, target.namespace, logger),
      logger,
      crm: interactiveCrm,
      contacts,
      touches,
      alerts: broadcast.alerts,
      approvals: broadcast.approvals,
      responses: broadcast.responses,
      deliveries: broadcast.deliveries,
      db,
    });
    const trail = createAlertTrail({
      events: broadcast.events,
      temporal,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      batchSize: env.ALERT_BATCH_SIZE,
      groups,
      people,
      secret: broadcast.secret,
      publicUrl,
    });
    // Slack's App Home and the add-in's approval view: the person's alerts in flight, linked to /dashboard.
    const liveSummary = createLiveSummary({
      alerts: broadcast.alerts,
      deliveries: broadcast.deliveries,
      groups,
      publicUrl,
    });
    const worker =
      (overrides.workerInProcess ?? env.WORKER_IN_PROCESS)
        ? await startWorker(
            target,
            {
              taskQueue: env.TEMPORAL_TASK_QUEUE,
              shutdownGraceSeconds: env.WORKER_SHUTDOWN_GRACE_SECONDS,
              ...(traces ? { tracing: traces.worker } : {}),
            },
            {
              crm,
              touches,
              batchWaitMs: overrides.batchWaitMs,
              broadcast: overrides.slotClock ? { ...broadcast, slotClock: overrides.slotClock } : broadcast,
              maintenance: {
                sweep: withIdempotencyPruning(
                  createStaleWorkSweep({ touches, intake, alertIntake }),
                  idempotencyPruning(env, db),
                ),
              },
            },
            cleanups,
          )
        : undefined;
    // Only the Slack face searches contacts by name today: without it the sync would spend CRM budget for nothing.
    const contactReadModel = startContactReadModel(env, {
      db,
      crm,
      searchCrm: interactiveCrm,
      logger,
      needed: !('off' in slackSettingsFromEnv(env)),
      holder,
    });
    cleanups.defer(() => contactReadModel.stop());
    // Every customer context (the add-in pane, /customer) reads the contact's company: always on.
    const companyReadModel = startCompanyReadModel(env, { db, crm, readCrm: interactiveCrm, logger, holder });
    cleanups.defer(() => companyReadModel.stop());
    const context = createCustomerContext({
      crm: interactiveCrm,
      companies: companyReadModel.byId,
      contacts,
      touches,
      questions: DEFAULT_QUESTIONS,
      topics: createTopicStore(db),
    });

    // Faces. One person across Slack, Outlook and the API: the directory of the intakes.
    const slack = await startSlackFace(env, {
      logger,
      intake,
      context,
      contacts,
      crm: interactiveCrm,
      touches,
      crmBasePath: basePath,
      searchContacts: contactReadModel.search,
      alerts: slackAlertDeps({
        broadcast,
        alertIntake,
        db,
        crm: interactiveCrm,
        backgroundCrm: crm,
        approverGroups: env.APPROVER_GROUPS,
        groups,
        holder,
        ...(temporalUi ? { temporalUi } : {}),
        trail,
        summary: liveSummary,
      }),
      db,
      holder,
      people,
      metrics,
      tracing,
    });
    cleanups.defer(() => slack.stop());
    const apiToken = env.API_TOKENS || env.API_SERVICE_TOKENS ? undefined : devApiToken(dataDir);
    const signIn = await startPeopleSignIn(env, cleanups);
    const peopleTokens = peopleIssuer(signIn.env);
    const dashboardSignIn = await startDashboardSignIn(env, signIn, {
      people,
      secret: rapportSecret(env.RAPPORT_SECRET, dataDir),
      publicUrl,
      logger,
    });
    const dashboardAuth = overrides.dashboardAuth ?? dashboardSignIn?.auth;
    const dashboard = dashboardAuth ? dashboardDeps(db, broadcast, dashboardAuth) : undefined;
    if (dashboard) cleanups.defer(async () => dashboard.stop());
    const app = createApp({
      ...(dashboard ? { dashboard } : {}),
      broadcast: { ...broadcast, alertIntake, trail, ...(temporalUi ? { temporalUi } : {}) },
      topics: {
        topics: createTopicStore(db),
        isAdmin: async (person) => (await groups.entryOf(env.TOPIC_ADMIN_GROUP, person)) !== null,
      },
      preferences: createPreferenceCentre({
        crm: interactiveCrm,
        store: broadcast.preferences,
        topics: createTopicStore(db),
        secret: broadcast.secret,
        publicUrl,
        subscriptionTypes: broadcast.policy.subscriptionTypes,
        linkTtlDays: env.PREFERENCE_LINK_TTL_DAYS,
      }),
      ...(sms.authToken ? { smsInbound: { authToken: sms.authToken, publicUrl } } : {}),
      slack: slack.app,
      addin: await createAddinRoutes({
        env,
        logger,
        context,
        intake,
        touches,
        approvals: {
          alerts: broadcast.alerts,
          intake: alertIntake,
          groups,
          trailUrl: trail.pageUrl,
        },
        summary: liveSummary,
        people,
      }),
      logger,
      security: { https: publicUrl.startsWith('https://'), addinFrameAncestors: env.ADDIN_FRAME_ANCESTORS },
      rateLimits: {
        links: env.LINK_RATE_LIMIT_PER_MINUTE,
        webhooks: env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
        slack: env.SLACK_RATE_LIMIT_PER_MINUTE,
        clientHeader: env.RATE_LIMIT_CLIENT_HEADER,
      },
      apiTokens: env.API_TOKENS ?? (apiToken ? [apiToken.token] : []),
      credentials: {
        services: env.API_SERVICE_TOKENS ?? [],
        ...(peopleTokens ? { verifyPerson: createTokenVerifier([peopleTokens]), people } : {}),
      },
      intake,
      touches,
      context,
      ...healthChecks(env, {
        db,
        temporal,
        crm: interactiveCrm,
        crmBasePath: basePath,
        sandboxUrl,
        mail: broadcast.mail,
        outboxUrl,
        smsStandIn: sms.sms,
        holder,
        statusCacheMs: overrides.statusCacheMs,
      }),
      onContractViolation: overrides.onContractViolation,
      metrics,
      ...(traces ? { tracer: traces.tracer } : {}),
      ...(env.METRICS_TOKEN ? { metricsEndpoint: { token: env.METRICS_TOKEN, render: telemetry.render } } : {}),
    });
    await startSchedules({ temporal, taskQueue: env.TEMPORAL_TASK_QUEUE, logger }, cleanups);
    startSingletonJobs(
      { db, holder, logger, leaseMs: env.JOB_LEASE_SECONDS * 1000 },
      {
        ...slack.jobs,
        // The crow's nest counts the book's next best actions: worked out where the read model is kept.
        ...(contactReadModel.sync
          ? {
              'next-best-actions': nextBestActionJob(
                createNextBestActionBook({ store: createNextBestActionStore(db), questions: DEFAULT_QUESTIONS }),
                logger.child({ component: 'next-best-actions' }),
              ),
            }
          : {}),
      },
      cleanups,
    );
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
      localIssuer: signIn.local,
      ...(dashboardSignIn ? { dashboardSignIn } : {}),
      slack,
      contactReadModel,
      companyReadModel,
      addinSignIn: env.AAD_TENANT_ID
        ? { kind: 'entra' }
        : devSignInOn(env)
          ? { kind: 'dev', devUser: env.ADDIN_DEV_USER ?? DEFAULT_DEV_USER }
          : { kind: 'none' },
      stop: () => cleanups.run(),
    };
  } catch (error) {
    await cleanups.run();
    throw error;
  }
}
