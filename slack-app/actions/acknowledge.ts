import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';

/** Link buttons (Open in CRM) still send block_actions; Slack wants them acknowledged. */
export async function acknowledgeOnly({ ack }: SlackActionMiddlewareArgs & AllMiddlewareArgs) {
  await ack();
}
