/**
 * A Rapport process that does nothing but background CRM work as fast as its budget lets it:
 * `concurrency` loops each logging notes on demo contacts (one idempotency-key search and one
 * batch create per note, as a touch's engagement write), for `durationMs`. Its HubSpot budget is
 * made by main/ as every worker's is (hubspotBudget: shared through PostgreSQL), from the
 * environment (HUBSPOT_RATE_LIMIT, HUBSPOT_INTERACTIVE_RESERVE) and RAPPORT_CRM_LOAD (JSON, see
 * CrmLoadConfig). Reports {done, notes, failures, stats} over IPC and exits. Started by
 * startCrmLoad() in ./crm-load-child.ts.
 */
import { loadEnv } from '../config/env.js';
import { createHubSpotCrm } from '../crm/hubspot/index.js';
import { hubspotBudget } from '../main/steps/crm.js';
import { openDb } from '../store/db.js';

export interface CrmLoadConfig {
  databaseUrl: string;
  schema?: string;
  crmUrl: string;
  crmToken: string;
  /** CRM contact ids to log notes on. */
  contactIds: string[];
  concurrency: number;
  durationMs: number;
}

const config = JSON.parse(process.env.RAPPORT_CRM_LOAD ?? '{}') as CrmLoadConfig;
const env = loadEnv();
const db = await openDb({ databaseUrl: config.databaseUrl, schema: config.schema });
const crm = createHubSpotCrm({
  accessToken: config.crmToken,
  basePath: config.crmUrl,
  budget: hubspotBudget(env, db),
  traffic: 'background',
});

let notes = 0;
const failures: string[] = [];
const until = Date.now() + config.durationMs;
process.send?.({ ready: true });
await Promise.all(
  Array.from({ length: config.concurrency }, async (_, lane) => {
    for (let n = 0; Date.now() < until; n++) {
      const contactId = config.contactIds[(lane * 7919 + n) % config.contactIds.length]!;
      try {
        await crm.createEngagement({
          kind: 'note',
          idempotencyKey: `load-${process.pid}-${lane}-${n}`,
          contactId,
          timestamp: new Date().toISOString(),
          body: `Load test note ${n} from process ${process.pid}`,
        });
        notes++;
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  }),
);
process.send?.({ done: true, notes, failures, stats: crm.stats() });
await db.close();
process.disconnect?.();
process.exit(0);
