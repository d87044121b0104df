import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { simpleParser, type AddressObject } from 'mailparser';
import { z } from 'zod';
import { verifyToken } from '../../domain/broadcast/signed-token.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseStore } from '../../store/responses.js';
import type { AlertIntake } from '../../services/alert-intake.js';
import { httpError } from '../errors.js';
import type { AppEnv } from '../middleware/request-log.js';
import { validate } from '../validate.js';
import { recordResponse } from '../../services/customer-responses.js';

export interface InboundRoutesDeps {
  alertIntake: AlertIntake;
  deliveries: DeliveryStore;
  responses: ResponseStore;
  secret: string;
}

/** The provider may pass the envelope recipient, which beats whatever the headers say. */
const inboundQuery = z.object({ rcpt: z.string().max(320).optional() });
const TAGGED = /^(reply|bounce)\+([A-Za-z0-9_~.-]+)@/i;

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}

/**
 * Inbound mail webhook: raw MIME of a reply (to reply+<token>@REPLY_DOMAIN) or a bounce (to
 * bounce+<token>@...). Matched by signed token, recorded once (per Message-ID), then routed.
 */
export function inboundRoutes(deps: InboundRoutesDeps) {
  return new Hono<AppEnv>().post(
    '/email',
    bodyLimit({
      maxSize: 2 * 1024 * 1024,
      onError: () => {
        throw httpError('VALIDATION', 'message is larger than 2 MB', '(body)');
      },
    }),
    validate('query', inboundQuery),
    async (c) => {
      const raw = Buffer.from(await c.req.arrayBuffer());
      if (raw.length === 0) throw httpError('VALIDATION', 'expected a raw MIME message as the body', '(body)');
      const mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
      const headerRcpts = ['delivered-to', 'x-original-to']
        .map((h) => mail.headers.get(h))
        .flatMap((v) =>
          typeof v === 'string' ? [v] : v && typeof v === 'object' && 'value' in v ? addresses(v as AddressObject) : [],
        );
      const candidates = [
        c.req.valid('query').rcpt ?? '',
        ...headerRcpts,
        ...addresses(mail.to),
        ...addresses(mail.cc),
      ];
      for (const address of candidates) {
        const m = TAGGED.exec(address.trim());
        if (!m) continue;
        const kind = m[1]!.toLowerCase() as 'reply' | 'bounce';
        const id = verifyToken(deps.secret, kind, m[2]!);
        const delivery = id ? await deps.deliveries.byToken(id) : null;
        if (!delivery) continue;
        const key = withoutNul(mail.messageId ?? createHash('sha256').update(raw).digest('hex'));
        const subject = withoutNul(mail.subject ?? '');
        if (kind === 'bounce') {
          await deps.deliveries.markBounced(delivery.alertId, delivery.contactId, subject || 'bounce received');
        }
        const body = kind === 'reply' ? withoutNul(mail.text ?? '').slice(0, 20_000) : subject || 'bounce';
        const { row, created } = await recordResponse(
          deps,
          delivery,
          kind,
          body,
          `${kind}:${delivery.alertId}:${delivery.contactId}:${key}`,
        );
        return c.json({ matched: true, kind, alertId: delivery.alertId, responseId: row.id, duplicate: !created }, 202);
      }
      // Accepted, so the provider does not retry mail we will never be able to match.
      return c.json({ matched: false }, 202);
    },
  );
}

/** Mail is whatever the sender wrote; PostgreSQL text cannot hold NUL, and a provider retries a 500 for ever. */
function withoutNul(value: string): string {
  return value.replaceAll('\u0000', '');
}
