import { z } from 'zod';
import { instantSchema } from './common.js';

export const healthSchema = z.strictObject({ status: z.literal('ok') });

/**
 * What the process needs to serve: the store and Temporal, each within 3 s; 503 when either does
 * not answer. The CRM and the channels are not in it (GET /api/status reports them).
 */
export const readinessSchema = z
  .strictObject({
    status: z.enum(['ready', 'not ready']),
    checks: z.record(z.string(), z.strictObject({ ok: z.boolean(), error: z.string().optional() })),
  })
  .meta({ id: 'Readiness' });

const dependencySchema = z.strictObject({ ok: z.boolean(), error: z.string().optional() });

/** The CRM or one channel, as GET /api/status reports it. */
export const serviceStatusSchema = z
  .strictObject({
    /** Set up for real (credentials in the environment); false: an embedded stand-in, or off. */
    configured: z.boolean(),
    /** Where it goes, without credentials. */
    target: z.string(),
    /**
     * ok; paused: the provider holds our sends (rate limit, suspended account); unreachable: no
     * answer; failing: it answers, with errors (refused credentials, 5xx); off: not in use here.
     */
    state: z.enum(['ok', 'paused', 'unreachable', 'failing', 'off']),
    /** It answered at all; null when off. */
    reachable: z.boolean().nullable(),
    paused: z.boolean(),
    pausedUntil: instantSchema.optional(),
    /** One line an operator can act on. */
    problem: z.string().optional(),
  })
  .meta({ id: 'ServiceStatus' });

/** GET /api/status: always 200 while the process answers; `status` says whether anything is wrong. */
export const statusReportSchema = z
  .strictObject({
    /** ok: everything answers as it should; degraded: something below does not (the process still serves). */
    status: z.enum(['ok', 'degraded']),
    /** What GET /readyz answers: the store and Temporal answer. */
    ready: z.boolean(),
    /** When these checks ran (they are reused for 10 s). */
    checkedAt: instantSchema,
    store: dependencySchema,
    temporal: dependencySchema,
    crm: serviceStatusSchema,
    channels: z.strictObject({ email: serviceStatusSchema, slack: serviceStatusSchema, sms: serviceStatusSchema }),
    /** Singleton jobs and the process that runs each now (docs/OPERATIONS.md, "Singleton jobs"). */
    jobs: z.array(
      z.strictObject({
        name: z.string(),
        holder: z.string(),
        expiresAt: instantSchema,
        /** This process holds it. */
        here: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'StatusReport' });

export type Health = z.infer<typeof healthSchema>;
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;
export type StatusReport = z.infer<typeof statusReportSchema>;
export type Readiness = z.infer<typeof readinessSchema>;
