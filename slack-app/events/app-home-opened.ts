import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { handOff } from '../helpers.js';
import { publishHome } from '../home.js';

/** App Home opened (Bolt has already acknowledged the event): publish the user's Home. */
export function appHomeOpened(deps: SlackDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab !== 'home') return;
    handOff(deps, 'app home', () => publishHome(client, deps, event.user));
  };
}
