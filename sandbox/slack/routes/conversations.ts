import type { SlackState } from '../state.js';
import { fail, ok, type WebApiMethod } from '../web-api.js';

/** conversations.open: a DM (or group DM) with known users, as the bot opens to message them. */
export function conversationMethods(state: SlackState): Record<string, WebApiMethod> {
  const { users } = state;
  return {
    'conversations.open': (args) => {
      const ids = typeof args.users === 'string' ? args.users.split(',').filter(Boolean) : [];
      if (typeof args.channel === 'string') return ok({ channel: { id: args.channel } });
      if (!ids.length) return fail('users_list_not_supplied');
      if (ids.length > 8) return fail('too_many_users');
      const unknown = ids.find((u) => users.size && !users.has(u));
      if (unknown) return fail('user_not_found');
      return ok({ channel: { id: `D${ids.sort().join('').slice(1, 11)}` } });
    },
  };
}
