import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { Question } from '../../domain/questions.js';
import { controlProblem } from '../../domain/text.js';
import { TOUCH_LIMITS } from '../../domain/touch.js';
import {
  isTouchChannel,
  TOUCH_CHANNEL_LABELS,
  TOUCH_CHANNELS,
  type TouchChannel,
} from '../../domain/vocabulary/index.js';
import { ACTIONS, TOUCH_BLOCKS, VIEWS } from '../ids.js';
import { SLACK_LIMITS, clip } from '../../channels/slack/limits.js';
import { mk, mkUser, mrkdwnLink } from '../../channels/slack/mrkdwn.js';
import { mrkdwn } from './alert-view-parts.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;
type PlainTextOption = types.PlainTextOption;

/** What the modal carries between opening, updates and submission (private_metadata, <= 3,000 chars). */
export const touchModalMetadataSchema = z.object({
  /** Where the confirmation goes (the channel /touch or the shortcut came from); absent: a DM. */
  channelId: z.string().max(40).optional(),
  /** Permalink of the message the touch was logged from. */
  sourceUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
  /** The question ids shown, so the submission only reads those. */
  questionIds: z.array(z.string().max(41)).max(2).default([]),
});
export type TouchModalMetadata = z.infer<typeof touchModalMetadataSchema>;

export interface CustomerOption {
  id: string;
  label: string;
}

export interface TouchModalInput {
  metadata: TouchModalMetadata;
  customer?: CustomerOption;
  channel?: TouchChannel;
  /** ISO date-time shown in the "when" picker; defaults to now at submission. */
  occurredAt?: string;
  summary?: string;
  /**
   * The customer's next questions (never asked before): a list once a customer is picked,
   * 'pick' before, 'unavailable' when the CRM could not be asked.
   */
  questions: Question[] | 'pick' | 'unavailable';
  /** The message the touch comes from (message shortcut). */
  source?: { permalink: string; author?: string };
}

const text = (t: string, max: number): types.PlainTextElement => ({ type: 'plain_text', text: clip(t, max) });

/** One option of the customer picker: "Joe Smith · Acme Logistics · joe@..." within 75 chars. */
export function customerOption(c: {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  company?: string | null;
}): PlainTextOption {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || `Contact ${c.id}`;
  const parts = [name, c.company, c.email && c.email !== name ? c.email : null].filter(Boolean) as string[];
  return { text: text(parts.join(' · '), SLACK_LIMITS.optionText), value: clip(c.id, SLACK_LIMITS.optionValue) };
}

function channelOption(ch: TouchChannel): PlainTextOption {
  return { text: text(TOUCH_CHANNEL_LABELS[ch], SLACK_LIMITS.optionText), value: ch };
}

function questionBlock(q: Question): KnownBlock {
  const element: types.InputBlockElement =
    q.kind === 'choice' && q.choices?.length
      ? {
          type: 'static_select',
          action_id: ACTIONS.answerInput,
          placeholder: text('Their answer', SLACK_LIMITS.placeholder),
          options: q.choices.slice(0, SLACK_LIMITS.options).map((c) => ({
            text: text(c, SLACK_LIMITS.optionText),
            value: clip(c, SLACK_LIMITS.optionValue),
          })),
        }
      : {
          type: 'plain_text_input',
          action_id: ACTIONS.answerInput,
          max_length: TOUCH_LIMITS.answer,
          placeholder: text('Their answer, if it came up', SLACK_LIMITS.placeholder),
        };
  return {
    type: 'input',
    block_id: `${TOUCH_BLOCKS.questionPrefix}${q.id}`,
    optional: true,
    label: text(q.text, SLACK_LIMITS.inputLabel),
    element,
  };
}

/** The "Log a touch" modal; pure, so views.open and every views.update render the same thing. */
export function touchModal(input: TouchModalInput): ModalView {
  const questions = Array.isArray(input.questions) ? input.questions.slice(0, 2) : [];
  const metadata: TouchModalMetadata = { ...input.metadata, questionIds: questions.map((q) => q.id) };
  const blocks: KnownBlock[] = [];

  if (input.source) {
    blocks.push({
      type: 'context',
      block_id: TOUCH_BLOCKS.source,
      elements: [
        mrkdwn(
          mk`From ${mrkdwnLink(input.source.permalink, 'this message')}${input.source.author ? mk` by ${mkUser(input.source.author)}` : ''}`,
        ),
      ],
    });
  }

  blocks.push(
    {
      type: 'input',
      block_id: TOUCH_BLOCKS.customer,
      dispatch_action: true,
      label: text('Customer', SLACK_LIMITS.inputLabel),
      hint: text('Search by name, email or company', SLACK_LIMITS.inputHint),
      element: {
        type: 'external_select',
        action_id: ACTIONS.customerSelect,
        min_query_length: 2,
        placeholder: text('Joe Smith, joe@acme…, Acme', SLACK_LIMITS.placeholder),
        ...(input.customer
          ? { initial_option: { text: text(input.customer.label, SLACK_LIMITS.optionText), value: input.customer.id } }
          : {}),
      },
    },
    {
      type: 'input',
      block_id: TOUCH_BLOCKS.channel,
      label: text('Channel', SLACK_LIMITS.inputLabel),
      element: {
        type: 'static_select',
        action_id: ACTIONS.channelSelect,
        options: TOUCH_CHANNELS.map(channelOption),
        initial_option: channelOption(input.channel ?? 'call'),
      },
    },
    {
      type: 'input',
      block_id: TOUCH_BLOCKS.when,
      optional: true,
      label: text('When', SLACK_LIMITS.inputLabel),
      hint: text('Leave empty for now', SLACK_LIMITS.inputHint),
      element: {
        type: 'datetimepicker',
        action_id: ACTIONS.whenPicker,
        ...(input.occurredAt ? { initial_date_time: Math.floor(Date.parse(input.occurredAt) / 1000) } : {}),
      },
    },
    {
      type: 'input',
      block_id: TOUCH_BLOCKS.summary,
      label: text('Summary', SLACK_LIMITS.inputLabel),
      element: {
        type: 'plain_text_input',
        action_id: ACTIONS.summaryInput,
        multiline: true,
        max_length: SLACK_LIMITS.plainTextInput,
        placeholder: text('What was discussed, offered, agreed', SLACK_LIMITS.placeholder),
        ...(input.summary ? { initial_value: clip(input.summary, SLACK_LIMITS.plainTextInput) } : {}),
      },
    },
    {
      type: 'input',
      block_id: TOUCH_BLOCKS.outcome,
      optional: true,
      label: text('Outcome', SLACK_LIMITS.inputLabel),
      element: {
        type: 'plain_text_input',
        action_id: ACTIONS.outcomeInput,
        max_length: TOUCH_LIMITS.outcome,
        placeholder: text('e.g. wants a quote by Friday', SLACK_LIMITS.placeholder),
      },
    },
  );

  if (questions.length) {
    blocks.push(
      { type: 'divider' },
      {
        type: 'context',
        block_id: TOUCH_BLOCKS.questionsHint,
        elements: [mrkdwn(mk`*Never asked this customer* — ask one if it fits, note the answer:`)],
      },
      ...questions.map(questionBlock),
    );
  } else {
    const hint =
      input.questions === 'pick'
        ? 'Pick the customer to see the one or two questions they were never asked.'
        : input.questions === 'unavailable'
          ? 'The CRM is not answering, so the next questions cannot be shown; the touch is still logged.'
          : 'Nothing left to ask: this customer has answered every question.';
    blocks.push({
      type: 'context',
      block_id: TOUCH_BLOCKS.questionsHint,
      elements: [mrkdwn(mk`${hint}`)],
    });
  }

  return {
    type: 'modal',
    callback_id: VIEWS.logTouch,
    title: text('Log a touch', SLACK_LIMITS.modalTitle),
    submit: text('Log touch', SLACK_LIMITS.modalButton),
    close: text('Cancel', SLACK_LIMITS.modalButton),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

/** Reads private_metadata back; anything unexpected becomes an empty metadata, never a throw. */
export function readTouchMetadata(raw: string | undefined): TouchModalMetadata {
  try {
    const parsed = touchModalMetadataSchema.safeParse(JSON.parse(raw || '{}'));
    return parsed.success ? parsed.data : { questionIds: [] };
  } catch {
    return { questionIds: [] };
  }
}

const stateValue = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_date_time: z.number().nullish(),
  })
  .loose();
export const viewStateSchema = z.record(z.string(), z.record(z.string(), stateValue));
export type ViewState = z.infer<typeof viewStateSchema>;

export interface TouchSubmission {
  contactId: string;
  channel: TouchChannel;
  occurredAt?: string;
  summary: string;
  outcome?: string;
  answers: Record<string, string>;
}

/**
 * The submitted modal as a touch, or Slack's `response_action: errors` map (block_id -> message)
 * so the user sees what to fix beside the field.
 */
/** The text rule (domain/text.ts) in a modal's words: too long, or a control character. */
function textProblem(value: string, max: number, name: string): string | null {
  return value.length > max ? `At most ${max} characters` : controlProblem(value, name);
}

export function parseTouchSubmission(
  state: ViewState,
  metadata: TouchModalMetadata,
  now: Date = new Date(),
): { ok: true; touch: TouchSubmission } | { ok: false; errors: Record<string, string> } {
  const read = (block: string, action: string) => state[block]?.[action];
  const errors: Record<string, string> = {};

  const contactId = read(TOUCH_BLOCKS.customer, ACTIONS.customerSelect)?.selected_option?.value;
  if (!contactId || !/^\d{1,20}$/.test(contactId)) errors[TOUCH_BLOCKS.customer] = 'Pick the customer';

  const channelRaw = read(TOUCH_BLOCKS.channel, ACTIONS.channelSelect)?.selected_option?.value ?? 'call';
  const channel = isTouchChannel(channelRaw) ? channelRaw : undefined;
  if (!channel) errors[TOUCH_BLOCKS.channel] = 'Pick a channel';

  const seconds = read(TOUCH_BLOCKS.when, ACTIONS.whenPicker)?.selected_date_time;
  let occurredAt: string | undefined;
  if (typeof seconds === 'number') {
    if (seconds * 1000 > now.getTime() + 5 * 60_000) errors[TOUCH_BLOCKS.when] = 'That is in the future';
    else occurredAt = new Date(seconds * 1000).toISOString();
  }

  const summary = read(TOUCH_BLOCKS.summary, ACTIONS.summaryInput)?.value?.trim() ?? '';
  const summaryProblem = !summary ? 'Say what happened' : textProblem(summary, TOUCH_LIMITS.summary, 'The summary');
  if (summaryProblem) errors[TOUCH_BLOCKS.summary] = summaryProblem;

  const outcome = read(TOUCH_BLOCKS.outcome, ACTIONS.outcomeInput)?.value?.trim() || undefined;
  const outcomeProblem = outcome ? textProblem(outcome, TOUCH_LIMITS.outcome, 'The outcome') : null;
  if (outcomeProblem) errors[TOUCH_BLOCKS.outcome] = outcomeProblem;

  const answers: Record<string, string> = {};
  for (const id of metadata.questionIds) {
    const block = `${TOUCH_BLOCKS.questionPrefix}${id}`;
    const v = read(block, ACTIONS.answerInput);
    const answer = (v?.selected_option?.value ?? v?.value ?? '').trim();
    if (!answer) continue;
    const problem = textProblem(answer, TOUCH_LIMITS.answer, 'The answer');
    if (problem) errors[block] = problem;
    else answers[id] = answer;
  }

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    touch: { contactId: contactId!, channel: channel!, occurredAt, summary, outcome, answers },
  };
}
