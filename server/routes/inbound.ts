import { createHash } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { inboundEmailQuery, inboundEmailResultSchema } from '../../contracts/index.js';
import { verifyToken } from '../../domain/broadcast/signed-token.js';
// Mail is whatever the sender wrote: nobody can fix it, and a provider retries a 500 for ever.
import { withoutControls } from '../../domain/text.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseStore } from '../../store/responses.js';
import type { AlertIntake } from '../../services/alert-intake.js';
import { httpError } from '../errors.js';
import { recordResponse } from '../../services/customer-responses.js';
import { apiApp } from '../openapi/api-app.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';

export interface InboundRoutesDeps {
  alertIntake: AlertIntake;
  deliveries: DeliveryStore;
  responses: ResponseStore;
  secret: string;
}

const TAGGED = /^(reply|bounce)\+([A-Za-z0-9_~.-]+)@/i;

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}

const email = createRoute({
  method: 'post',
  path: '/email',
  tags: ['webhooks'],
  security: SECURITY.apiToken,
  summary: 'Inbound mail: a reply or a bounce, as raw MIME',
  description:
    'Sent to reply+<token>@REPLY_DOMAIN or bounce+<token>@...: matched by the signed token, recorded once per Message-ID, then routed to the reply owner. Mail that matches nothing is accepted too, so the provider does not retry it.',
  middleware: [
    bodyLimit({
      maxSize: 2 * 1024 * 1024,
      onError: () => {
        throw httpError('VALIDATION', 'message is larger than 2 MB', '(body)');
      },
    }),
  ],
  request: {
    query: inboundEmailQuery,
    body: {
      required: true,
      content: { 'message/rfc822': { schema: { type: 'string', description: 'The raw message.' } } },
    },
  },
  responses: { 202: json('Accepted, matched or not.', inboundEmailResultSchema), ...errors(400, 401, 403, 429) },
});

/**
 * Inbound mail webhook: raw MIME of a reply (to reply+<token>@REPLY_DOMAIN) or a bounce (to
 * bounce+<token>@...). Matched by signed token, recorded once (per Message-ID), then routed.
 */
export function inboundRoutes(deps: InboundRoutesDeps) {
  return apiApp().openapi(email, async (c) => {
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (raw.length === 0) throw httpError('VALIDATION', 'expected a raw MIME message as the body', '(body)');
    let mail: ParsedMail;
    try {
      mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
    } catch (error) {
      // A provider retries a 500 for ever, and the same message will never parse: accept it, say why.
      const why = error instanceof Error ? error.message : 'unknown error';
      c.get('log')?.warn({ bytes: raw.length, why }, 'inbound mail could not be parsed; accepted unmatched');
      return c.json({ matched: false as const, reason: `the message could not be parsed: ${why}` }, 202);
    }
    const headerRcpts = ['delivered-to', 'x-original-to']
      .map((h) => mail.headers.get(h))
      .flatMap((v) =>
        typeof v === 'string' ? [v] : v && typeof v === 'object' && 'value' in v ? addresses(v as AddressObject) : [],
      );
    const candidates = [c.req.valid('query').rcpt ?? '', ...headerRcpts, ...addresses(mail.to), ...addresses(mail.cc)];
    for (const address of candidates) {
      const m = TAGGED.exec(address.trim());
      if (!m) continue;
      const kind = m[1]!.toLowerCase() as 'reply' | 'bounce';
      const id = verifyToken(deps.secret, kind, m[2]!);
      const delivery = id ? await deps.deliveries.byToken(id) : null;
      if (!delivery) continue;
      const key = withoutControls(mail.messageId ?? createHash('sha256').update(raw).digest('hex'));
      const subject = withoutControls(mail.subject ?? '');
      if (kind === 'bounce') {
        await deps.deliveries.markBounced(delivery.alertId, delivery.contactId, subject || 'bounce received');
      }
      const body = kind === 'reply' ? withoutControls(mail.text ?? '').slice(0, 20_000) : subject || 'bounce';
      const { row, created } = await recordResponse(
        deps,
        delivery,
        kind,
        body,
        `${kind}:${delivery.alertId}:${delivery.contactId}:${key}`,
      );
      return c.json(
        { matched: true as const, kind, alertId: delivery.alertId, responseId: row.id, duplicate: !created },
        202,
      );
    }
    // Accepted, so the provider does not retry mail we will never be able to match.
    return c.json({ matched: false as const }, 202);
  });
}
