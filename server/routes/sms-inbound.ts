import { createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { isTwilioSignatureValid } from '../../channels/sms/twilio-signature.js';
import { smsInboundForm } from '../../contracts/index.js';
import { smsReplyKind } from '../../domain/broadcast/sms-reply.js';
import { httpError, validationBody } from '../errors.js';
import { recordResponse } from '../../services/customer-responses.js';
import { apiApp } from '../openapi/api-app.js';
import { SECURITY } from '../openapi/document.js';
import { documentedOnly } from '../openapi/documented-only.js';
import { errors } from '../openapi/responses.js';
import type { ResponseRoutesDeps } from './responses.js';

export interface SmsInboundDeps extends Pick<ResponseRoutesDeps, 'alertIntake' | 'deliveries' | 'responses'> {
  /** The SMS account's auth token: Twilio signs its webhooks with it. */
  authToken: string;
  /** Rapport's public URL: the signature covers the URL Twilio called. */
  publicUrl: string;
}

/** Twilio reads the answer as TwiML; an empty Response sends nothing back to the customer. */
const TWIML_NOTHING = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const inbound = createRoute({
  method: 'post',
  path: '/inbound',
  tags: ['webhooks'],
  security: SECURITY.twilioSignature,
  summary: 'Texts customers send back to the alert number (Twilio)',
  description:
    "Configure `{PUBLIC_URL}/sms/inbound` as the number's messaging webhook. STOP and the other opt-out words are recorded as an unsubscribe; any other text is a reply, routed to the reply owner. The form is read only once its signature matches.",
  middleware: [
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw httpError('VALIDATION', 'the webhook body is larger than 64 KB', '(body)');
      },
    }),
  ],
  request: {
    body: {
      required: true,
      content: { 'application/x-www-form-urlencoded': { schema: documentedOnly(smsInboundForm) } },
    },
  },
  responses: {
    200: {
      description: 'TwiML that sends nothing back.',
      content: { 'text/xml': { schema: { type: 'string' as const } } },
    },
    ...errors(400, 403, 429),
  },
});

/**
 * Texts customers send back to the alert number (Twilio's incoming-message webhook: a signed,
 * form-encoded POST). A text carries no token, so it belongs to the latest alert texted to that
 * number. STOP and the other opt-out words are recorded as an unsubscribe (the provider answers
 * them itself); any other text is a reply, recorded and routed to the reply owner like an email
 * reply. Signed with the auth token, so no bearer token: configure
 * `{PUBLIC_URL}/sms/inbound` as the number's messaging webhook.
 */
export function smsInboundRoutes(deps: SmsInboundDeps) {
  const base = deps.publicUrl.replace(/\/+$/, '');
  return apiApp().openapi(inbound, async (c) => {
    const form = await c.req.parseBody().catch(() => {
      throw httpError('VALIDATION', 'expected an application/x-www-form-urlencoded body', '(body)');
    });
    const params = Object.fromEntries(
      Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    const url = `${base}${c.req.path}${new URL(c.req.url).search}`;
    if (!isTwilioSignatureValid(deps.authToken, url, params, c.req.header('x-twilio-signature'))) {
      throw httpError('FORBIDDEN', 'the X-Twilio-Signature does not match this request');
    }
    const parsed = smsInboundForm.safeParse(params);
    if (!parsed.success) return c.json(validationBody(parsed.error), 400);
    const text = parsed.data;

    const kind = smsReplyKind(text.Body);
    const delivery = await deps.deliveries.latestTextedTo(text.From);
    c.header('content-type', 'text/xml; charset=utf-8');
    if (!delivery || (kind !== 'unsubscribe' && kind !== 'reply')) return c.body(TWIML_NOTHING, 200);
    // One unsubscribe per alert and contact, whichever way it came; every reply counts.
    await (kind === 'unsubscribe'
      ? recordResponse(deps, delivery, 'unsubscribe', text.Body)
      : recordResponse(
          deps,
          delivery,
          'reply',
          text.Body,
          `sms:${delivery.alertId}:${delivery.contactId}:${text.MessageSid}`,
        ));
    return c.body(TWIML_NOTHING, 200);
  });
}
