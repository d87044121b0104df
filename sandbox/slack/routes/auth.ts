import type { SlackState } from '../state.js';
import { ok, type WebApiMethod } from '../web-api.js';

/** api.test and auth.test: who the bot token belongs to. */
export function authMethods(state: SlackState): Record<string, WebApiMethod> {
  return {
    'api.test': (args) => ok({ args }),
    'auth.test': () =>
      ok({
        url: 'https://rapport-demo.slack.com/',
        team: 'Rapport demo',
        user: 'rapport',
        team_id: state.teamId,
        user_id: 'U0RAPPORTBOT',
        bot_id: 'B0RAPPORT',
      }),
  };
}
