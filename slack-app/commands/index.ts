import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { COMMANDS } from '../ids.js';
import { alertCommand } from './alert.js';
import { customerCommand } from './customer.js';
import { touchCommand } from './touch.js';

export function register(app: App, deps: SlackDeps): void {
  app.command(COMMANDS.touch, touchCommand(deps));
  app.command(COMMANDS.customer, customerCommand(deps));
  app.command(COMMANDS.alert, alertCommand(deps));
}
