import type { Env } from '../config/env.js';
import type { RateBudget } from '../crm/rate-budget.js';
import { portalTools, type Finding } from '../crm/hubspot/doctor.js';
import { formatDoctorTable, hasProblems } from '../crm/hubspot/doctor-report.js';
import { portalSchema, type PropertySpec } from '../crm/hubspot/portal-schema.js';
import { CRM_SCHEMA, propertyMapFromEnv } from './crm-schema.js';

/** Everything Rapport needs on the portal under this configuration: mapped facts and written properties. */
export function portalSpecs(env: Partial<Env>): PropertySpec[] {
  return portalSchema(propertyMapFromEnv(env), CRM_SCHEMA);
}

function tools(env: Env, options: { lagTimeoutMs?: number; budget?: RateBudget } = {}) {
  if (!env.HUBSPOT_ACCESS_TOKEN) {
    throw new Error(
      'HUBSPOT_ACCESS_TOKEN is not set: setup and doctor work on a HubSpot portal (a private app token). ' +
        'Against the local sandbox: HUBSPOT_ACCESS_TOKEN=<any 8+ characters> HUBSPOT_BASE_PATH=http://127.0.0.1:3100',
    );
  }
  return portalTools({ accessToken: env.HUBSPOT_ACCESS_TOKEN, basePath: env.HUBSPOT_BASE_PATH, ...options });
}

/** `npm run hubspot:setup`: Rapport's group and properties, created where missing. Returns the lines to print. */
export async function runHubSpotSetup(env: Env): Promise<string[]> {
  const { created, present } = await tools(env).setup(portalSpecs(env));
  return [
    ...created.map((p) => `created  ${p}`),
    ...present.map((p) => `present  ${p}`),
    `${created.length} created, ${present.length} already there.`,
  ];
}

/** `npm run hubspot:doctor`: the table and the exit code (1 when anything needs fixing). */
export async function runHubSpotDoctor(
  env: Env,
  options: { lagTimeoutMs?: number; measureLag?: boolean; budget?: RateBudget } = {},
): Promise<{ findings: Finding[]; table: string; exitCode: number }> {
  const findings = await tools(env, options).doctor(portalSpecs(env), { measureLag: options.measureLag });
  return { findings, table: formatDoctorTable(findings), exitCode: hasProblems(findings) ? 1 : 0 };
}

/** Where the start-up checks report: pino's logger, or anything with the same two calls. */
export interface PortalLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * `npm start` on a real portal: the doctor's checks (all but the search-lag probe, which writes a
 * record) once, each problem warned once by name, so a misconfigured portal does not degrade silently.
 */
export async function warnAboutPortal(env: Env, logger: PortalLogger, budget?: RateBudget): Promise<Finding[]> {
  const { findings } = await runHubSpotDoctor(env, { measureLag: false, budget });
  const problems = findings.filter((f) => f.status !== 'ok');
  for (const f of problems) {
    logger.warn(
      { crm: 'hubspot', check: f.check, subject: f.subject, status: f.status, fix: f.fix },
      `HubSpot ${f.check} ${f.subject} is ${f.status}: ${f.detail}; fix: ${f.fix}`,
    );
  }
  if (problems.length === 0) logger.info({ crm: 'hubspot' }, 'HubSpot portal checks passed (npm run hubspot:doctor)');
  return findings;
}
