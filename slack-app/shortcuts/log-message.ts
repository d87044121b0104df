import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { EMAIL_IN_TEXT, handOffModal, openTouchModal } from '../helpers.js';

/** https://<team>.slack.com/archives/<channel>/p<ts without the dot>: Slack's permalink shape. */
export function messagePermalink(teamDomain: string | undefined, channelId: string, ts: string): string {
  const host = teamDomain && /^[a-z0-9-]{1,80}$/i.test(teamDomain) ? `${teamDomain}.slack.com` : 'app.slack.com';
  return `https://${host}/archives/${encodeURIComponent(channelId)}/p${ts.replace('.', '')}`;
}

/** Message shortcut "Log as customer touch": the modal prefilled with the message and its permalink. */
export function logMessageShortcut(deps: SlackDeps) {
  return async ({ ack, shortcut, client }: SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs) => {
    await ack();
    handOffModal(deps, 'message shortcut', async () => {
      const text = shortcut.message.text ?? '';
      const permalink = messagePermalink(shortcut.team?.domain, shortcut.channel.id, shortcut.message_ts);
      const email = EMAIL_IN_TEXT.exec(text)?.[0]?.toLowerCase();
      await openTouchModal(
        client,
        deps,
        shortcut.trigger_id,
        {
          metadata: { channelId: shortcut.channel.id, sourceUrl: permalink, questionIds: [] },
          channel: 'chat',
          summary: text,
          occurredAt: new Date(Number(shortcut.message_ts) * 1000).toISOString(),
          source: { permalink, author: shortcut.message.user },
          questions: 'pick',
        },
        email ? () => deps.contacts.byEmail(email) : undefined,
      );
    });
  };
}
