/**
 * `npm run sandbox:slack`: the Slack Web API stand-in on its own, for demos without a workspace.
 * It knows the demo book's Slack users (the contacts who prefer Slack) and the default approvers,
 * prints the three variables that point `npm start` at it, and prints every message Rapport posts,
 * so an alert to a Slack-preferring customer shows up here as a DM. SLACK_SANDBOX_PORT (default 3200).
 */
import { DEMO_CONTACTS } from '../sandbox/hubspot/index.js';
import { startSlackStandIn } from '../sandbox/slack/index.js';

/** Demo-only credentials: the stand-in is local and these mean nothing anywhere else. */
const BOT_TOKEN = 'xoxb-rapport-demo-0000';
const SIGNING_SECRET = 'rapport-demo-signing-secret-0000';

async function main() {
  const port = Number(process.env.SLACK_SANDBOX_PORT ?? 3200);
  const customers = Object.values(DEMO_CONTACTS).flatMap((c) =>
    'slackUserId' in c ? [{ id: c.slackUserId, name: c.firstName.toLowerCase(), email: c.email }] : [],
  );
  const staff = ['approver', 'officer', 'analyst'].map((name, i) => ({
    id: `U0STAFF00${i + 1}`,
    name,
    email: `${name}@rapport.example`,
  }));
  const slack = await startSlackStandIn({ port, botToken: BOT_TOKEN, users: [...customers, ...staff] });
  console.log(`Slack Web API stand-in on ${slack.url}. Start Rapport with:`);
  console.log(
    `  SLACK_API_URL=${slack.apiUrl} SLACK_BOT_TOKEN=${BOT_TOKEN} SLACK_SIGNING_SECRET=${SIGNING_SECRET} npm start`,
  );
  console.log(`Users: ${[...customers, ...staff].map((u) => `${u.id} (${u.email})`).join(', ')}`);

  // Every message Rapport posts, as it arrives: customer alert DMs, approval requests, notices.
  let seen = 0;
  const timer = setInterval(() => {
    const posts = slack.callsTo('chat.postMessage');
    for (const call of posts.slice(seen)) {
      const ok = call.response.ok ? '' : ` (refused: ${String(call.response.error)})`;
      console.log(
        `${new Date(call.at).toISOString()} message to ${String(call.args.channel)}: ${String(call.args.text ?? '')}${ok}`,
      );
    }
    seen = posts.length;
  }, 500);

  const stop = () => {
    clearInterval(timer);
    slack.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`Slack stand-in failed to start: ${error.message}`);
  process.exit(1);
});
