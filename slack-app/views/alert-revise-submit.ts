import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { reviseInSlack } from '../alert-requester.js';
import { readReviseModal } from '../blocks/alert-decision-modals.js';
import type { SlackDeps } from '../deps.js';
import { journal, runFollowUp } from '../follow-ups.js';
import { ALERT_BLOCKS } from '../ids.js';

/** The revision modal: fields checked here (errors beside them), then the `revise` Update after ack. */
export function alertReviseSubmitted(deps: SlackDeps) {
  return async ({ ack, body, view, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const read = readReviseModal(view.private_metadata, view.state?.values);
    if (!read) {
      await ack({
        response_action: 'errors',
        errors: { [ALERT_BLOCKS.title]: 'Something was off; open Revise again' },
      });
      return;
    }
    if (!read.ok) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    const entry = {
      key: `revise:${body.user.id}:${view.id}`,
      kind: 'revise' as const,
      payload: {
        userId: body.user.id,
        alertId: read.meta.alertId,
        title: read.title,
        ...(read.meta.channelId ? { channelId: read.meta.channelId } : {}),
        ...(read.body !== undefined ? { body: read.body } : {}),
        ...(read.comment ? { comment: read.comment } : {}),
      },
    };
    const fresh = await journal(deps, entry);
    await ack();
    if (fresh) runFollowUp(deps, client, entry, reviseInSlack);
  };
}
