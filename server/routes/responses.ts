import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { ALERT_ACTIONS } from '../../channels/email/alert-email.js';
import { renderMarkdown } from '../../channels/email/markdown.js';
import { verifyToken, type TokenPurpose } from '../../domain/broadcast/signed-token.js';
import type { AlertStore } from '../../store/alerts.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseKind, ResponseStore } from '../../store/responses.js';
import type { AlertIntake } from '../../services/alert-intake.js';
import { recordResponse } from '../../services/customer-responses.js';
import type { AppEnv } from '../middleware/request-log.js';
import { esc, page } from '../pages.js';
import { validate } from '../validate.js';

export interface ResponseRoutesDeps {
  alertIntake: AlertIntake;
  alerts: AlertStore;
  deliveries: DeliveryStore;
  responses: ResponseStore;
  secret: string;
}

const ACTIONS = ALERT_ACTIONS.map((a) => a.action) as [ResponseKind, ...ResponseKind[]];
const LABELS = Object.fromEntries(ALERT_ACTIONS.map((a) => [a.action, a.label])) as Record<string, string>;
const tokenParam = z.object({ token: z.string().min(1).max(100) });
/** Without `a`: the page offering every answer (the SMS link, which has room for one URL only). */
const actionQuery = z.object({ a: z.enum(ACTIONS, { message: 'unknown action' }).optional() });
const actionForm = z.object({ a: z.enum(ACTIONS, { message: 'unknown action' }) });

/** The alert's body (rendered from the safe subset: every value escaped) and one POST form per answer. */
function answerChooser(body: string): string {
  const forms = ALERT_ACTIONS.map(
    (x) =>
      `<form method="post" style="display:inline"><input type="hidden" name="a" value="${esc(x.action)}"><button type="submit">${esc(x.label)}</button></form>`,
  ).join('\n');
  return `<div class="box">${renderMarkdown(body).html}</div>\n<p>${forms}</p>`;
}

const notFound = () => page('Link not valid', '<p>This link is not valid or no longer works.</p>');
const limit = bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.text('too large', 400) });

/**
 * Customers' action links (`/r/:token?a=`) and one-click unsubscribe (`/u/:token`, RFC 8058).
 * GET never records anything (mail scanners follow links); it shows a page whose button POSTs.
 */
export function responseRoutes(deps: ResponseRoutesDeps) {
  async function deliveryFor(purpose: TokenPurpose, token: string) {
    const id = verifyToken(deps.secret, purpose, token);
    return id ? deps.deliveries.byToken(id) : null;
  }

  const actions = new Hono<AppEnv>()
    .get('/:token', validate('param', tokenParam), validate('query', actionQuery), async (c) => {
      const delivery = await deliveryFor('response', c.req.valid('param').token);
      if (!delivery) return c.html(notFound(), 404);
      const alert = await deps.alerts.get(delivery.alertId);
      const { a } = c.req.valid('query');
      c.header('cache-control', 'no-store');
      if (!a) return c.html(page(alert?.title ?? 'Your answer', answerChooser(alert?.body ?? '')));
      return c.html(
        page(
          LABELS[a] ?? a,
          `<p>About: <strong>${esc(alert?.title ?? '')}</strong></p>
<form method="post"><input type="hidden" name="a" value="${esc(a)}"><button type="submit">Confirm: ${esc(LABELS[a] ?? a)}</button></form>`,
        ),
      );
    })
    .post('/:token', limit, validate('param', tokenParam), validate('form', actionForm), async (c) => {
      const delivery = await deliveryFor('response', c.req.valid('param').token);
      if (!delivery) return c.html(notFound(), 404);
      const { a } = c.req.valid('form');
      await recordResponse(deps, delivery, a, null);
      return c.html(page('Thank you', `<p>We have your answer: ${esc(LABELS[a] ?? a)}.</p>`));
    });

  const unsubscribe = new Hono<AppEnv>()
    .get('/:token', validate('param', tokenParam), async (c) => {
      const delivery = await deliveryFor('unsubscribe', c.req.valid('param').token);
      if (!delivery) return c.html(notFound(), 404);
      return c.html(
        page(
          'Unsubscribe',
          `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe from these alerts</button></form>`,
        ),
      );
    })
    // RFC 8058: mailbox providers POST `List-Unsubscribe=One-Click`; answer 200 and honour it.
    .post('/:token', limit, validate('param', tokenParam), async (c) => {
      const delivery = await deliveryFor('unsubscribe', c.req.valid('param').token);
      if (!delivery) return c.html(notFound(), 404);
      await recordResponse(deps, delivery, 'unsubscribe', null);
      return c.html(page('Unsubscribed', '<p>You will not receive these alerts any more.</p>'));
    });

  return { actions, unsubscribe };
}
