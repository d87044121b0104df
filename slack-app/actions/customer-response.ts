import { createHash } from 'node:crypto';
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { readCustomerResponseActionId } from '../../channels/slack/customer-response-ids.js';
import { mk } from '../../channels/slack/mrkdwn.js';
import { RESPONSE_KIND_LABELS, type CustomerAnswer } from '../../domain/vocabulary/index.js';
import type { SlackDeps } from '../deps.js';
import { journal, runFollowUp } from '../follow-ups.js';
import { postToResponseUrl } from '../helpers.js';

/**
 * A customer's answer button (Interested, Call me, Not now, Unsubscribe) on an alert DM: journalled,
 * then recorded through the same path as the email's action links, then a private "thanks" under
 * the message.
 */
export function customerResponse(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    const kind = readCustomerResponseActionId(action.action_id);
    const token = action.value;
    if (!kind || !token || !deps.alerts?.recordCustomerResponse) {
      await ack();
      return;
    }
    const click = createHash('sha256').update(`${action.action_id}:${token}`).digest('hex').slice(0, 16);
    const entry = {
      key: `response:${body.user.id}:${action.action_ts}:${click}`,
      kind: 'response' as const,
      payload: {
        token,
        kind,
        slackUserId: body.user.id,
        ...(body.response_url ? { responseUrl: body.response_url } : {}),
      },
    };
    const fresh = await journal(deps, entry);
    await ack();
    if (fresh) runFollowUp(deps, client, entry, (_client, d, p) => recordCustomerAnswer(d, p));
  };
}

/** What an answer button leaves to do after ack(), as journalled (follow-ups.ts). */
export interface ResponseFollowUp {
  /** The signed response token of the delivery (the button's value). */
  token: string;
  kind: CustomerAnswer;
  slackUserId: string;
  /** Where the "thanks" goes (Slack's response_url for the click: 30 minutes, a few uses). */
  responseUrl?: string;
}

/** Idempotent: the same answer to the same alert is recorded once ('repeated' the next time). */
export async function recordCustomerAnswer(deps: SlackDeps, p: ResponseFollowUp): Promise<void> {
  const record = deps.alerts?.recordCustomerResponse;
  if (!record) return;
  const outcome = await record({ token: p.token, kind: p.kind, slackUserId: p.slackUserId });
  const text =
    outcome === 'recorded' || outcome === 'repeated'
      ? p.kind === 'unsubscribe'
        ? mk`You are unsubscribed: you will not receive these alerts any more.`
        : mk`Thank you, we have your answer: ${RESPONSE_KIND_LABELS[p.kind]}.`
      : mk`This button no longer works.`;
  if (p.responseUrl)
    await postToResponseUrl(p.responseUrl, { response_type: 'ephemeral', replace_original: false, text: text.text });
}
