import type { SlackStandInUser, SlackState } from '../state.js';
import { fail, ok, type WebApiMethod } from '../web-api.js';

/** users.info and users.lookupByEmail over the stand-in's known users. */
export function userMethods(state: SlackState): Record<string, WebApiMethod> {
  const { users } = state;
  return {
    'users.info': (args) => {
      const user = typeof args.user === 'string' ? users.get(args.user) : undefined;
      if (!user) return fail('user_not_found');
      return ok({ user: userView(user, state.teamId) });
    },
    'users.lookupByEmail': (args) => {
      const email = typeof args.email === 'string' ? args.email.toLowerCase() : '';
      const user = [...users.values()].find((u) => u.email?.toLowerCase() === email);
      if (!user) return fail('users_not_found');
      return ok({ user: userView(user, state.teamId) });
    },
  };
}

function userView(u: SlackStandInUser, teamId: string) {
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    real_name: u.realName ?? u.name,
    is_bot: false,
    profile: { real_name: u.realName ?? u.name, display_name: u.name, ...(u.email ? { email: u.email } : {}) },
  };
}
