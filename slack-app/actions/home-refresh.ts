import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { handOff } from '../helpers.js';
import { publishHome } from '../home.js';

/** Refresh and "See more" on App Home: publish it again (with more touches for "See more"). */
export function homeRefresh(deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    handOff(deps, 'home refresh', async () => {
      const limit = Number.parseInt(action.value ?? '', 10);
      await publishHome(client, deps, body.user.id, Number.isFinite(limit) ? limit : undefined);
    });
  };
}
