import { verifyToken } from '../domain/broadcast/signed-token.js';
import { countsAsResponse, type CustomerAnswer, type ResponseKind } from '../domain/vocabulary/index.js';
import type { DeliveryRow, DeliveryStore } from '../store/deliveries.js';
import type { ResponseStore } from '../store/responses.js';
import type { AlertIntake } from './alert-intake.js';

export interface CustomerResponseDeps {
  alertIntake: AlertIntake;
  deliveries: DeliveryStore;
  responses: ResponseStore;
  secret: string;
}

/** What became of a customer's click on an answer button of an alert DM. */
export type SlackCustomerResponseOutcome = 'recorded' | 'repeated' | 'invalid' | 'not_recipient';

export type RecordSlackCustomerResponse = (input: {
  token: string;
  kind: CustomerAnswer;
  slackUserId: string;
}) => Promise<SlackCustomerResponseOutcome>;

/**
 * A click on an alert DM's answer button, recorded exactly as the email's action link is: the
 * signed response token names the delivery, the same response (per alert, contact and kind) is
 * stored once, and its workflow logs it in the CRM and routes it to the reply owner.
 */
export function slackCustomerResponses(deps: CustomerResponseDeps): RecordSlackCustomerResponse {
  return async ({ token, kind, slackUserId }) => {
    const id = verifyToken(deps.secret, 'response', token);
    const delivery = id ? await deps.deliveries.byToken(id) : null;
    if (!delivery) return 'invalid';
    // The DM went to one Slack user: a click by anyone else (a shared or forwarded message) is not their answer.
    const dmUser =
      delivery.channel === 'slack'
        ? delivery.address
        : delivery.fallbackChannel === 'slack'
          ? delivery.fallbackAddress
          : null;
    if (dmUser !== slackUserId) return 'not_recipient';
    const { created } = await recordResponse(deps, delivery, kind, null);
    return created ? 'recorded' : 'repeated';
  };
}

/** Records a response once (per alert, contact and kind), and hands it to its workflow. */
export async function recordResponse(
  deps: Omit<CustomerResponseDeps, 'secret'>,
  delivery: DeliveryRow,
  kind: ResponseKind,
  body: string | null,
  dedupeKey = `${delivery.alertId}:${delivery.contactId}:${kind}`,
) {
  const { row, created } = await deps.responses.record({
    alertId: delivery.alertId,
    contactId: delivery.contactId,
    kind,
    dedupeKey,
    body,
  });
  if (countsAsResponse(kind)) await deps.deliveries.markResponded(delivery.alertId, delivery.contactId);
  // Started on every repeat too: the id is derived from the response, so an earlier failed start is healed.
  // Temporal down: the response is stored; the sweeper starts its workflow later.
  await deps.alertIntake.startResponseWorkflow(row).catch(() => undefined);
  return { row, created };
}
