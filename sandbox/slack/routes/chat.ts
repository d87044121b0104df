import { checkMessage } from '../content-checks.js';
import type { SlackState } from '../state.js';
import { fail, ok, type WebApiMethod } from '../web-api.js';

/** chat.postMessage / postEphemeral / update / getPermalink, with Slack's text limits. */
export function chatMethods(state: SlackState): Record<string, WebApiMethod> {
  const noBot = state.channelsWithoutBot;
  return {
    'chat.postMessage': (args) => {
      if (typeof args.channel !== 'string' || !args.channel) return fail('channel_not_found');
      if (noBot.has(args.channel)) return fail('not_in_channel');
      const bad = checkMessage(args, 40_000);
      if (bad) return bad;
      const t = state.ts();
      return ok({
        channel: args.channel,
        ts: t,
        message: { type: 'message', text: args.text, blocks: args.blocks, ts: t, bot_id: 'B0RAPPORT' },
      });
    },
    'chat.postEphemeral': (args) => {
      if (typeof args.channel !== 'string' || !args.channel) return fail('channel_not_found');
      if (typeof args.user !== 'string' || !args.user) return fail('user_not_found');
      if (noBot.has(args.channel)) return fail('channel_not_found');
      const bad = checkMessage(args, 40_000);
      if (bad) return bad;
      return ok({ message_ts: state.ts() });
    },
    'chat.update': (args) => {
      if (typeof args.channel !== 'string' || typeof args.ts !== 'string') return fail('message_not_found');
      const bad = checkMessage(args, 4000);
      if (bad) return bad;
      return ok({ channel: args.channel, ts: args.ts, text: args.text });
    },
    'chat.getPermalink': (args) => {
      if (typeof args.channel !== 'string' || typeof args.message_ts !== 'string') return fail('message_not_found');
      return ok({
        channel: args.channel,
        permalink: `https://rapport-demo.slack.com/archives/${args.channel}/p${args.message_ts.replace('.', '')}`,
      });
    },
  };
}
