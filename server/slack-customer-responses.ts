import type { AlertAction } from '../channels/email/alert-email.js';
import { verifyToken } from '../domain/broadcast/signed-token.js';
import { recordResponse, type ResponseRoutesDeps } from './routes/responses.js';

/** What became of a customer's click on an answer button of an alert DM. */
export type SlackCustomerResponseOutcome = 'recorded' | 'repeated' | 'invalid' | 'not_recipient';

export type RecordSlackCustomerResponse = (input: {
  token: string;
  kind: AlertAction;
  slackUserId: string;
}) => Promise<SlackCustomerResponseOutcome>;

/**
 * A click on an alert DM's answer button, recorded exactly as the email's action link is: the
 * signed response token names the delivery, the same response (per alert, contact and kind) is
 * stored once, and its workflow logs it in the CRM and routes it to the reply owner.
 */
export function slackCustomerResponses(
  deps: Pick<ResponseRoutesDeps, 'alertIntake' | 'deliveries' | 'responses' | 'secret'>,
): RecordSlackCustomerResponse {
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
