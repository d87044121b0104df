import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { VIEWS } from '../ids.js';
import { touchSubmitted } from './touch-submit.js';

export function register(app: App, deps: SlackDeps): void {
  app.view({ callback_id: VIEWS.logTouch, type: 'view_submission' }, touchSubmitted(deps));
}
