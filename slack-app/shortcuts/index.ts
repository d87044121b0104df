import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { SHORTCUTS } from '../ids.js';
import { logMessageShortcut } from './log-message.js';
import { logTouchShortcut } from './log-touch.js';

export function register(app: App, deps: SlackDeps): void {
  app.shortcut({ callback_id: SHORTCUTS.logMessageAsTouch, type: 'message_action' }, logMessageShortcut(deps));
  app.shortcut({ callback_id: SHORTCUTS.logTouch, type: 'shortcut' }, logTouchShortcut(deps));
}
