import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { controlProblem } from '../../domain/text.js';
import { decideInSlack } from '../alert-decision.js';
import { readReasonModal } from '../blocks/alert-decision-modals.js';
import type { SlackDeps } from '../deps.js';
import { journal, runFollowUp } from '../follow-ups.js';
import { ALERT_BLOCKS } from '../ids.js';

/** The reason modal of Reject / Request changes: the reason is required; then the decision goes to the Update. */
export function alertReasonSubmitted(deps: SlackDeps) {
  return async ({ ack, body, view, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const read = readReasonModal(view.private_metadata, view.state?.values);
    if (!read || !read.reason) {
      await ack({ response_action: 'errors', errors: { [ALERT_BLOCKS.reason]: 'Say why, for the requester' } });
      return;
    }
    // The text rule before the Update: a reason the store cannot hold never reaches the workflow.
    const problem = controlProblem(read.reason, 'The reason');
    if (problem) {
      await ack({ response_action: 'errors', errors: { [ALERT_BLOCKS.reason]: problem } });
      return;
    }
    const entry = {
      key: `decide:${body.user.id}:${view.id}`,
      kind: 'decide' as const,
      payload: {
        userId: body.user.id,
        alertId: read.meta.alertId,
        version: read.meta.version,
        decision: read.meta.decision,
        reason: read.reason,
      },
    };
    const fresh = await journal(deps, entry);
    await ack();
    if (fresh) runFollowUp(deps, client, entry, decideInSlack);
  };
}
