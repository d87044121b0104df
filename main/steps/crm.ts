import type { Logger } from 'pino';
import type { Env } from '../../config/env.js';
import { createHubSpotCrm } from '../../crm/hubspot/index.js';
import type { CrmPort } from '../../crm/port.js';
import { startHubSpotSandbox } from '../../sandbox/hubspot/index.js';
import { CRM_SCHEMA } from '../crm-schema.js';
import type { Cleanups } from './cleanups.js';

/** The token the embedded sandbox accepts; never a real credential. */
export const SANDBOX_TOKEN = 'sandbox-local-token';

export interface CrmStep {
  crm: CrmPort;
  basePath: string;
  /** The embedded HubSpot sandbox, when no HubSpot token is configured. */
  sandboxUrl?: string;
}

/** HubSpot with a token, else the local sandbox with demo data; custom properties checked. */
export async function startCrm(
  env: Env,
  logger: Logger,
  dataDir: string,
  cleanups: Cleanups,
  given: { basePath?: string; token?: string } = {},
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
  return { crm, basePath, ...(sandboxUrl ? { sandboxUrl } : {}) };
}
