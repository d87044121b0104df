import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { renderMarkdown } from '../../channels/email/markdown.js';
import {
  customerActionForm,
  customerActionQuery,
  customerTokenParams,
  oneClickUnsubscribeForm,
} from '../../contracts/index.js';
import { verifyToken, type TokenPurpose } from '../../domain/broadcast/signed-token.js';
import { CUSTOMER_ANSWERS, RESPONSE_KIND_LABELS } from '../../domain/vocabulary/index.js';
import type { AlertStore } from '../../store/alerts.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseStore } from '../../store/responses.js';
import type { AlertIntake } from '../../services/alert-intake.js';
import { recordResponse } from '../../services/customer-responses.js';
import type { ForgedLinks } from '../forged-links.js';
import type { AppEnv } from '../middleware/request-log.js';
import { apiApp } from '../openapi/api-app.js';
import { formBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { documentedOnly } from '../openapi/documented-only.js';
import { ERROR_CONTENT, errors, html } from '../openapi/responses.js';
import { esc, page } from '../pages.js';

export interface ResponseRoutesDeps {
  alertIntake: AlertIntake;
  alerts: AlertStore;
  deliveries: DeliveryStore;
  responses: ResponseStore;
  secret: string;
  /** Links with a MAC Rapport never made: counted and sampled in the log. */
  forgedLinks: ForgedLinks;
}

/** The alert's body (rendered from the safe subset: every value escaped) and one POST form per answer. */
function answerChooser(body: string): string {
  const forms = CUSTOMER_ANSWERS.map(
    (a) =>
      `<form method="post" class="inline"><input type="hidden" name="a" value="${esc(a)}"><button type="submit">${esc(RESPONSE_KIND_LABELS[a])}</button></form>`,
  ).join('\n');
  return `<div class="box">${renderMarkdown(body).html}</div>\n<p>${forms}</p>`;
}

const notFound = () => page('Link not valid', '<p>This link is not valid or no longer works.</p>');
const limit = bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.text('too large', 400) });

const tags = ['links'];
const invalid = html('The link is not valid or no longer works.');
const tooLarge = {
  description: 'The form is not valid (JSON), or too large (text).',
  content: { ...ERROR_CONTENT, 'text/plain': { schema: { type: 'string' as const } } },
};

const answerPage = createRoute({
  method: 'get',
  path: '/{token}',
  tags,
  summary: "A customer's answer link from an alert",
  description:
    "With `a`: a page confirming that answer; without: a page offering every answer. Nothing is recorded on GET (mail scanners follow links); the page's button POSTs.",
  request: { params: customerTokenParams, query: customerActionQuery },
  responses: { 200: html('The confirmation page.'), 404: invalid, ...errors(400, 429) },
});

const answer = createRoute({
  method: 'post',
  path: '/{token}',
  tags,
  summary: "Record the customer's answer",
  middleware: [limit, otherMediaTypeAsEmpty('form', customerActionForm)],
  request: { params: customerTokenParams, body: formBody(customerActionForm) },
  responses: { 200: html('Thank you.'), 404: invalid, ...errors(429), 400: tooLarge },
});

const unsubscribePage = createRoute({
  method: 'get',
  path: '/{token}',
  tags,
  summary: 'An unsubscribe link: a page whose button unsubscribes',
  request: { params: customerTokenParams },
  responses: { 200: html('The unsubscribe page.'), 404: invalid, ...errors(400, 429) },
});

const unsubscribe = createRoute({
  method: 'post',
  path: '/{token}',
  tags,
  summary: 'One-click unsubscribe (RFC 8058)',
  description: 'Mailbox providers POST `List-Unsubscribe=One-Click`; any POST to a valid link unsubscribes.',
  middleware: [limit],
  request: {
    params: customerTokenParams,
    body: { content: { 'application/x-www-form-urlencoded': { schema: documentedOnly(oneClickUnsubscribeForm) } } },
  },
  responses: { 200: html('Unsubscribed.'), 404: invalid, ...errors(429), 400: tooLarge },
});

/**
 * Customers' action links (`/r/:token?a=`) and one-click unsubscribe (`/u/:token`, RFC 8058).
 * GET never records anything (mail scanners follow links); it shows a page whose button POSTs.
 */
export function responseRoutes(deps: ResponseRoutesDeps) {
  async function deliveryFor(c: Context<AppEnv>, purpose: TokenPurpose, token: string) {
    const id = verifyToken(deps.secret, purpose, token);
    if (id) return deps.deliveries.byToken(id);
    deps.forgedLinks.refused(purpose === 'unsubscribe' ? 'unsubscribe' : 'response', c.req.path, c.get('log'));
    return null;
  }

  const actions = apiApp()
    .openapi(answerPage, async (c) => {
      const delivery = await deliveryFor(c, 'response', c.req.valid('param').token);
      if (!delivery) return c.html(notFound(), 404);
      const alert = await deps.alerts.get(delivery.alertId);
      const { a } = c.req.valid('query');
      c.header('cache-control', 'no-store');
      if (!a) return c.html(page(alert?.title ?? 'Your answer', answerChooser(alert?.body ?? '')));
      return c.html(
        page(
          RESPONSE_KIND_LABELS[a],
          `<p>About: <strong>${esc(alert?.title ?? '')}</strong></p>
<form method="post"><input type="hidden" name="a" value="${esc(a)}"><button type="submit">Confirm: ${esc(RESPONSE_KIND_LABELS[a])}</button></form>`,
        ),
      );
    })
    .openapi(answer, async (c) => {
      const delivery = await deliveryFor(c, 'response', c.req.valid('param').token);
      if (!delivery) return c.html(notFound(), 404);
      const { a } = c.req.valid('form');
      await recordResponse(deps, delivery, a, null);
      return c.html(page('Thank you', `<p>We have your answer: ${esc(RESPONSE_KIND_LABELS[a])}.</p>`));
    });

  const unsubscribes = apiApp()
    .openapi(unsubscribePage, async (c) => {
      const delivery = await deliveryFor(c, 'unsubscribe', c.req.valid('param').token);
      if (!delivery) return c.html(notFound(), 404);
      return c.html(
        page(
          'Unsubscribe',
          `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe from these alerts</button></form>`,
        ),
      );
    })
    // RFC 8058: mailbox providers POST `List-Unsubscribe=One-Click`; answer 200 and honour it.
    .openapi(unsubscribe, async (c) => {
      const delivery = await deliveryFor(c, 'unsubscribe', c.req.valid('param').token);
      if (!delivery) return c.html(notFound(), 404);
      await recordResponse(deps, delivery, 'unsubscribe', null);
      return c.html(page('Unsubscribed', '<p>You will not receive these alerts any more.</p>'));
    });

  return { actions, unsubscribe: unsubscribes };
}
