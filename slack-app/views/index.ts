import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { VIEWS } from '../ids.js';
import { alertReasonSubmitted } from './alert-reason-submit.js';
import { alertReviseSubmitted } from './alert-revise-submit.js';
import { alertSubmitted } from './alert-submit.js';
import { touchSubmitted } from './touch-submit.js';

export function register(app: App, deps: SlackDeps): void {
  app.view({ callback_id: VIEWS.logTouch, type: 'view_submission' }, touchSubmitted(deps));
  app.view({ callback_id: VIEWS.requestAlert, type: 'view_submission' }, alertSubmitted(deps));
  app.view({ callback_id: VIEWS.rejectAlert, type: 'view_submission' }, alertReasonSubmitted(deps));
  app.view({ callback_id: VIEWS.reviseAlert, type: 'view_submission' }, alertReviseSubmitted(deps));
}
