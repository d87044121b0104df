import { z } from 'zod';

export const healthSchema = z.strictObject({ status: z.literal('ok') });

/** One entry per dependency (temporal, store, crm); 503 when any does not answer within 3 s. */
export const readinessSchema = z
  .strictObject({
    status: z.enum(['ready', 'not ready']),
    checks: z.record(z.string(), z.strictObject({ ok: z.boolean(), error: z.string().optional() })),
  })
  .meta({ id: 'Readiness' });

export type Health = z.infer<typeof healthSchema>;
export type Readiness = z.infer<typeof readinessSchema>;
