import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { ACTIONS } from '../ids.js';
import { alertListOptions } from './alert-lists.js';
import { customerSearchOptions } from './customer-search.js';

export function register(app: App, deps: SlackDeps): void {
  app.options({ action_id: ACTIONS.customerSelect }, customerSearchOptions(deps));
  app.options({ action_id: ACTIONS.alertLists }, alertListOptions(deps));
}
