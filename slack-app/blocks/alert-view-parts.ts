import { z } from 'zod';
import { SLACK_LIMITS, clip } from '../../channels/slack/limits.js';
import type { Mrkdwn } from '../../channels/slack/mrkdwn.js';

/** Text objects of the views and messages, cut to Slack's limits; mrkdwn only as Mrkdwn (every value escaped). */
export const plain = (t: string, max: number) => ({ type: 'plain_text' as const, text: clip(t, max) });
export const mrkdwn = (t: Mrkdwn, max: number = SLACK_LIMITS.sectionText) => ({
  type: 'mrkdwn' as const,
  text: clip(t.text, max),
});

/** An alert id as the views carry it in button values and private_metadata. */
export const ALERT_ID = /^alr_[0-9a-z]{26}$/;

const option = z.object({ value: z.string() }).loose();
const value = z
  .object({
    value: z.string().nullish(),
    selected_options: z.array(option).nullish(),
    selected_option: option.nullish(),
    selected_date_time: z.number().nullish(),
  })
  .loose();
/** The submitted values of an alert modal: block id -> action id -> value. */
export const alertViewState = z.record(z.string(), z.record(z.string(), value));
