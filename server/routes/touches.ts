import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { touchInputSchema } from '../../domain/touch.js';
import type { TouchRow, TouchStore } from '../../store/touches.js';
import { httpError } from '../errors.js';
import type { AppEnv } from '../middleware/request-log.js';
import type { TouchIntake } from '../../services/touch-intake.js';
import { validate } from '../validate.js';

export interface TouchRoutesDeps {
  intake: TouchIntake;
  touches: TouchStore;
}

/** What API clients see of a touch; never the internal hash. */
export function touchView(touch: TouchRow) {
  return {
    id: touch.id,
    status: touch.status,
    statusUrl: `/api/touches/${touch.id}`,
    contact: { email: touch.contactEmail, crmId: touch.contactCrmId },
    channel: touch.channel,
    occurredAt: touch.occurredAt,
    engagement: touch.engagementId ? { id: touch.engagementId, kind: touch.engagementKind } : null,
    attempts: touch.attempts,
    lastError: touch.status === 'pending' ? touch.lastError : null,
    reason: touch.status === 'failed' ? touch.failureReason : null,
    createdAt: touch.createdAt,
    syncedAt: touch.syncedAt,
  };
}

const idParam = z.object({ id: z.string().regex(/^tch_[0-9a-z]{26,32}$/, { message: 'not a touch id' }) });

export function touchRoutes(deps: TouchRoutesDeps) {
  return new Hono<AppEnv>()
    .post(
      '/',
      bodyLimit({
        maxSize: 64 * 1024,
        onError: () => {
          throw httpError('VALIDATION', 'request body is larger than 64 KB', '(body)');
        },
      }),
      validate('json', touchInputSchema),
      async (c) => {
        const { touch, created } = await deps.intake.submit(c.req.valid('json'));
        c.header('location', `/api/touches/${touch.id}`);
        return c.json({ ...touchView(touch), duplicate: !created }, 202);
      },
    )
    .get('/:id', validate('param', idParam), async (c) => {
      const touch = await deps.touches.get(c.req.valid('param').id);
      if (!touch) throw httpError('NOT_FOUND', 'no touch with this id', 'id');
      return c.json(touchView(touch));
    });
}
