import { memoryLedger } from '../idempotency-ledger.js';
import type { CrmPort, NewEngagement, NewTask } from '../port.js';
import type { RateBudgetStats } from '../rate-budget.js';
import { activityReads } from './activity-v1.js';
import { batchedReads } from './batched-reads.js';
import { companyOperations } from './companies.js';
import { contactOperations } from './contacts.js';
import { createContext, type HubSpotCrmOptions } from './context.js';
import { directoryOperations } from './directory.js';
import { engagementOperations } from './engagements.js';
import { engagementInput, taskInput } from './mapping.js';
import { CONTACT_PROPERTIES, ENGAGEMENT_PROPERTIES, TASK_PROPERTIES } from './schema.js';
import { preferenceOperations } from './preferences.js';
import { schemaOperations } from './schema-sync.js';
import { taskOperations } from './tasks.js';

export type { HubSpotBudgetOptions, HubSpotCrmOptions } from './context.js';
export type { PreferencesApi } from './preferences.js';
export type { ActivityRead } from './activity-v1.js';
export type { IdempotencyLedger, LedgerEntry } from '../idempotency-ledger.js';

/** HubSpot's search index trails writes by seconds; observed up to a few, so 5 s by default. */
export const DEFAULT_SEARCH_LAG_MS = 5_000;
export { createHubSpotBudget } from './context.js';
export { IDEMPOTENCY_KEY, CONTACT_PROPERTIES, PROPERTY_GROUP } from './schema.js';

export interface HubSpotCrm extends CrmPort {
  /** Calls sent and 429s received through this adapter's budget (shared with the adapters given the same one). */
  stats(): RateBudgetStats;
}

/** The CrmPort on HubSpot's v3/v4 API through @hubspot/api-client, within our own rate budget. */
export function createHubSpotCrm(options: HubSpotCrmOptions): HubSpotCrm {
  const ctx = createContext(options, CONTACT_PROPERTIES);
  const schema = schemaOperations(ctx);
  const reads = batchedReads(ctx, (type) => (type === 'tasks' ? TASK_PROPERTIES : ENGAGEMENT_PROPERTIES[type]));
  const activity = activityReads(ctx, options.activityRead);
  const engagements = engagementOperations(ctx, schema.ensureIdempotencyKey, reads, {
    activity,
    ledger: options.idempotencyLedger ?? memoryLedger(),
    searchLagMs: options.searchLagMs ?? DEFAULT_SEARCH_LAG_MS,
  });
  const single = async <T>(items: T[], run: (items: T[]) => Promise<{ id: string; created: boolean }[]>) =>
    (await run(items))[0]!;

  return {
    ...contactOperations(ctx),
    ...companyOperations(ctx),
    ...directoryOperations(ctx),
    createEngagement: (e: NewEngagement) => single([e], (es) => engagements.createIdempotent(es.map(engagementInput))),
    createEngagements: (es: NewEngagement[]) => engagements.createIdempotent(es.map(engagementInput)),
    findEngagementsByKeys: engagements.findEngagementsByKeys,
    listContactEngagements: engagements.listContactEngagements,
    createTask: (t: NewTask) => single([t], (ts) => engagements.createIdempotent(ts.map(taskInput))),
    createTasks: (ts: NewTask[]) => engagements.createIdempotent(ts.map(taskInput)),
    ...taskOperations(ctx, reads, activity),
    ...preferenceOperations(ctx, options.preferencesApi),
    ensureSchema: schema.ensureSchema,
    stats: () => ctx.budget.stats(),
  };
}
