import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { APPROVER, BROADCAST_ENV, OFFICER, REQUESTER } from '../broadcast/support.js';
import { BOT_TOKEN, SIGNING_SECRET, slackDriver } from './driver.js';

/** The Slack users of the broadcast journeys: the analyst who requests, two approvers of the `alerts` group. */
export const REQ = { id: 'U0ANALYST', name: 'analyst', email: REQUESTER, realName: 'Ana Lyst' };
export const APR = { id: 'U0APPROVER', name: 'approver', email: APPROVER, realName: 'Ap Prover' };
export const OFF = { id: 'U0OFFICER', name: 'officer', email: OFFICER, realName: 'Of Ficer' };

export interface SlackBroadcast {
  t: TestRapport;
  slack: SlackStandIn;
  driver: ReturnType<typeof slackDriver>;
  stop(): Promise<void>;
}

/** A Rapport with the broadcast settings whose Bolt app talks to a Slack stand-in holding REQ, APR and OFF. */
export async function startSlackBroadcast(): Promise<SlackBroadcast> {
  const slack = await startSlackStandIn({ botToken: BOT_TOKEN, users: [REQ, APR, OFF] });
  const t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
  }).catch(async (error: unknown) => {
    await slack.close();
    throw error;
  });
  return {
    t,
    slack,
    driver: slackDriver(t.rapport.app, slack),
    stop: async () => {
      await t.stop();
      await slack.close();
    },
  };
}
