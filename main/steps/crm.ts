import type { Logger } from 'pino';
import type { Env } from '../../config/env.js';
import { createHubSpotBudget, createHubSpotCrm, type HubSpotCrmOptions } from '../../crm/hubspot/index.js';
import type { CrmPort } from '../../crm/port.js';
import type { RateBudget } from '../../crm/rate-budget.js';
import type { Metrics } from '../../lib/metrics.js';
import { startHubSpotSandbox } from '../../sandbox/hubspot/index.js';
import type { Db } from '../../store/db.js';
import { createIdempotencyLedger } from '../../store/idempotency-ledger.js';
import type { IdempotencyPruning } from '../../services/ledger-retention.js';
import { createRateSlotStore } from '../../store/rate-slots.js';
import { CRM_SCHEMA, propertyMapFromEnv } from '../crm-schema.js';
import { warnAboutPortal } from '../hubspot-portal.js';
import type { Cleanups } from './cleanups.js';

/** The token the embedded sandbox accepts; never a real credential. */
export const SANDBOX_TOKEN = 'sandbox-local-token';

export interface CrmStep {
  /** For background work: the worker's activities, the contact sync, alert resolution and logging. */
  crm: CrmPort;
  /** For people waiting: the Slack face, the add-in, customer context, contact checks at intake. */
  interactiveCrm: CrmPort;
  basePath: string;
  /** The embedded HubSpot sandbox, when no HubSpot token is configured. */
  sandboxUrl?: string;
  /** The budget both adapters share (its use is a gauge at /metrics). */
  budget: RateBudget;
}

/**
 * The portal's one HubSpot budget for this process. On PostgreSQL its slots live in the database,
 * so every API process and worker on it shares HUBSPOT_RATE_LIMIT; on PGlite (one process) it is
 * counted here. Either way HUBSPOT_INTERACTIVE_RESERVE of it is kept for interactive reads.
 */
export function hubspotBudget(
  env: Pick<Env, 'HUBSPOT_RATE_LIMIT' | 'HUBSPOT_INTERACTIVE_RESERVE'>,
  db: Db,
  logger?: Logger,
  metrics?: Metrics,
): RateBudget {
  return createHubSpotBudget({
    rateLimitPerTenSeconds: env.HUBSPOT_RATE_LIMIT,
    interactiveReserve: env.HUBSPOT_INTERACTIVE_RESERVE,
    ...(db.kind === 'postgres' ? { slots: createRateSlotStore(db) } : {}),
    logger,
    metrics,
  });
}

/** Keys and the records they became, in the database every process shares (PGlite: the one process). */
/** The ledger's retention, for the maintenance sweep (services/ledger-retention.ts). */
export function idempotencyPruning(env: Pick<Env, 'CRM_IDEMPOTENCY_RETENTION_DAYS'>, db: Db): IdempotencyPruning {
  const ledger = createIdempotencyLedger(db);
  return {
    prune: (olderThanMs, limit) => ledger.prune(olderThanMs, limit),
    retentionDays: env.CRM_IDEMPOTENCY_RETENTION_DAYS,
  };
}

export function hubspotIdempotency(
  env: Pick<Env, 'HUBSPOT_SEARCH_LAG_SECONDS'>,
  db: Db,
): Pick<HubSpotCrmOptions, 'idempotencyLedger' | 'searchLagMs'> {
  return { idempotencyLedger: createIdempotencyLedger(db), searchLagMs: env.HUBSPOT_SEARCH_LAG_SECONDS * 1000 };
}

/** HubSpot with a token, else the local sandbox with demo data; custom properties checked. */
export async function startCrm(
  env: Env,
  logger: Logger,
  dataDir: string,
  db: Db,
  cleanups: Cleanups,
  given: { basePath?: string; token?: string } = {},
  metrics?: Metrics,
): Promise<CrmStep> {
  let basePath = given.basePath ?? env.HUBSPOT_BASE_PATH;
  let accessToken = given.token ?? env.HUBSPOT_ACCESS_TOKEN;
  let sandboxUrl: string | undefined;
  if (!given.basePath && !accessToken) {
    const sandbox = await startHubSpotSandbox({
      port: env.HUBSPOT_SANDBOX_PORT,
      dataDir,
      seed: true,
      accessToken: SANDBOX_TOKEN,
      rateLimit: { perTenSeconds: env.HUBSPOT_RATE_LIMIT },
    });
    cleanups.defer(() => sandbox.close());
    basePath = sandbox.url;
    accessToken = SANDBOX_TOKEN;
    sandboxUrl = sandbox.url;
  }
  // One budget, two adapters: each face's calls are classed where the face gets its CRM. Both read
  // Rapport's contact properties from the start; ensureSchema (once) makes sure they exist.
  const budget = hubspotBudget(env, db, logger, metrics);
  const contactProperties = CRM_SCHEMA.filter((e) => e.objectType === 'contacts').map((e) => e.name);
  const adapter = (traffic: 'interactive' | 'background') =>
    createHubSpotCrm({
      accessToken: accessToken ?? SANDBOX_TOKEN,
      basePath,
      budget,
      traffic,
      contactProperties,
      propertyMap: propertyMapFromEnv(env),
      preferencesApi: env.HUBSPOT_PREFERENCES_API,
      activityRead: env.HUBSPOT_ACTIVITY_READ,
      logger,
      ...hubspotIdempotency(env, db),
    });
  const crm = adapter('background');
  const interactiveCrm = adapter('interactive');
  await crm.ensureSchema(CRM_SCHEMA).catch((error: Error) => {
    // Not fatal: the CRM may be briefly down; writes retry until it answers.
    logger.warn({ err: error.message }, 'could not check CRM custom properties yet');
  });
  if (!sandboxUrl && !given.basePath) {
    // A real portal: the doctor's checks once, in the background; each problem is warned by name.
    void warnAboutPortal(env, logger, budget).catch((error: Error) =>
      logger.warn({ crm: 'hubspot', err: error.message }, 'could not run the HubSpot portal checks'),
    );
  }
  return { crm, interactiveCrm, basePath, budget, ...(sandboxUrl ? { sandboxUrl } : {}) };
}
