import { CUSTOMER_ANSWERS, type CustomerAnswer } from '../../domain/vocabulary/index.js';

/**
 * The ids Slack echoes back from the answer buttons on an alert DM'd to a customer. The channel
 * adapter draws the buttons and the Slack face listens for them: both take the ids from here.
 */

/** block_id of the answer buttons. */
export const RESPONSE_BLOCK_ID = 'alert_customer_response';

/** Prefix of the buttons' action_ids; each button's value is the delivery's signed response token. */
const ACTION_PREFIX = 'alert_customer_response:';

/** Matches the action_id of every answer button: the Slack face's listener registers with it. */
export const CUSTOMER_RESPONSE_ACTION = new RegExp(`^${ACTION_PREFIX}`);

/** `alert_customer_response:<answer>`: one action_id per button (ids must be unique within a block). */
export function customerResponseActionId(answer: CustomerAnswer): string {
  return `${ACTION_PREFIX}${answer}`;
}

/** The answer a button stands for, or null for any other action_id. */
export function readCustomerResponseActionId(actionId: string): CustomerAnswer | null {
  if (!actionId.startsWith(ACTION_PREFIX)) return null;
  const answer = actionId.slice(ACTION_PREFIX.length);
  return CUSTOMER_ANSWERS.find((a) => a === answer) ?? null;
}

/** The DM's "Your preferences" link button: Slack echoes an action for it too, which the face acknowledges. */
export const PREFERENCES_BLOCK_ID = 'alert_customer_preferences';
export const PREFERENCES_ACTION_ID = 'alert_customer_preferences:open';
