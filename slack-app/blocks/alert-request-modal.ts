import type { types } from '@slack/bolt';
import { z } from 'zod';
import { clip, SLACK_LIMITS } from '../../channels/slack/limits.js';
import { alertRequestSchema } from '../../domain/broadcast/alert-request.js';
import { CHANNEL_LABELS, CHANNELS } from '../../domain/vocabulary/index.js';
import { ACTIONS, ALERT_BLOCKS, VIEWS } from '../ids.js';
import { alertViewState, plain } from './alert-view-parts.js';

type PlainTextOption = types.PlainTextOption;

/** Where the modal was opened (for telling the requester about problems). */
export interface AlertModalMetadata {
  channelId?: string;
}

/** One option of the CRM list picker: "Gold customers (1,204 members)" within 75 chars. */
export function listOption(list: { id: string; name: string; size: number }): PlainTextOption {
  const suffix = ` (${list.size.toLocaleString('en-US')} member${list.size === 1 ? '' : 's'})`;
  return {
    text: plain(`${clip(list.name, SLACK_LIMITS.optionText - suffix.length)}${suffix}`, SLACK_LIMITS.optionText),
    value: clip(list.id, SLACK_LIMITS.optionValue),
  };
}

/** A topic of the catalogue as the modal offers it: its name, its id as the value. */
export interface TopicChoice {
  id: string;
  name: string;
}

/** Slack's limit on a static_select's options. */
const MAX_TOPIC_OPTIONS = 100;

/**
 * /alert: title, message, topic, lists (CRM search), allowed channels, who gets replies, send window.
 * `topics`: the catalogue's open topics, offered in a static_select; absent or empty (the catalogue
 * could not be read), a text field, which the intake holds to the catalogue all the same.
 */
export function alertModal(metadata: AlertModalMetadata = {}, topics: readonly TopicChoice[] = []): types.ModalView {
  const channelOptions = CHANNELS.map((c) => ({ text: plain(CHANNEL_LABELS[c], 75), value: c }));
  const replyOptions = [
    { text: plain('Me (the requester)', 75), value: 'analyst' },
    { text: plain("Each customer's account owner", 75), value: 'owner' },
  ];
  return {
    type: 'modal',
    callback_id: VIEWS.requestAlert,
    private_metadata: clip(JSON.stringify(metadata), SLACK_LIMITS.privateMetadata),
    title: plain('Request an alert', SLACK_LIMITS.modalTitle),
    submit: plain('Preview', SLACK_LIMITS.modalButton),
    close: plain('Cancel', SLACK_LIMITS.modalButton),
    blocks: [
      {
        type: 'input',
        block_id: ALERT_BLOCKS.title,
        label: plain('Title', 2000),
        element: { type: 'plain_text_input', action_id: 'value', max_length: 200 },
      },
      {
        type: 'input',
        block_id: ALERT_BLOCKS.message,
        label: plain('Message', 2000),
        hint: plain('Paragraphs, **bold**, _italic_, links and "- " lists.', 2000),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 },
      },
      {
        type: 'input',
        block_id: ALERT_BLOCKS.topic,
        label: plain('Topic', 2000),
        hint: plain('Customers can opt out of one topic (e.g. rates).', 2000),
        element:
          topics.length > 0
            ? {
                type: 'static_select',
                action_id: 'value',
                placeholder: plain('Choose a topic', SLACK_LIMITS.placeholder),
                options: topics.slice(0, MAX_TOPIC_OPTIONS).map((t) => ({
                  text: plain(clip(`${t.name} (${t.id})`, SLACK_LIMITS.optionText), SLACK_LIMITS.optionText),
                  value: clip(t.id, SLACK_LIMITS.optionValue),
                })),
              }
            : { type: 'plain_text_input', action_id: 'value', max_length: 80 },
      },
      {
        type: 'input',
        block_id: ALERT_BLOCKS.lists,
        label: plain('CRM lists', 2000),
        hint: plain('Someone on several lists gets the alert once.', 2000),
        element: {
          type: 'multi_external_select',
          action_id: ACTIONS.alertLists,
          min_query_length: 0,
          max_selected_items: 50,
          placeholder: plain('Search the CRM lists', SLACK_LIMITS.placeholder),
        },
      },
      {
        type: 'input',
        block_id: ALERT_BLOCKS.channels,
        label: plain('Allowed channels', 2000),
        element: {
          type: 'checkboxes',
          action_id: 'value',
          options: channelOptions,
          initial_options: [channelOptions[0]!],
        },
      },
      {
        type: 'input',
        block_id: ALERT_BLOCKS.replyTo,
        label: plain('Who gets the replies', 2000),
        element: { type: 'radio_buttons', action_id: 'value', options: replyOptions, initial_option: replyOptions[0]! },
      },
      {
        type: 'input',
        block_id: ALERT_BLOCKS.notBefore,
        optional: true,
        label: plain('Send from', 2000),
        element: { type: 'datetimepicker', action_id: 'value' },
      },
      {
        type: 'input',
        block_id: ALERT_BLOCKS.notAfter,
        optional: true,
        label: plain('Send until', 2000),
        hint: plain('Deliveries outside the window wait or are not sent.', 2000),
        element: { type: 'datetimepicker', action_id: 'value' },
      },
    ],
  };
}

export function readAlertMetadata(raw: string | undefined): AlertModalMetadata {
  try {
    const parsed = z.object({ channelId: z.string().max(50).optional() }).safeParse(JSON.parse(raw ?? '{}'));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

const requestWithoutRequester = alertRequestSchema.omit({ requester: true });
export type AlertDraft = z.output<typeof requestWithoutRequester>;

const FIELD_BLOCK: Record<string, string> = {
  title: ALERT_BLOCKS.title,
  body: ALERT_BLOCKS.message,
  topic: ALERT_BLOCKS.topic,
  lists: ALERT_BLOCKS.lists,
  channels: ALERT_BLOCKS.channels,
  replyTo: ALERT_BLOCKS.replyTo,
  sendWindow: ALERT_BLOCKS.notAfter,
};

/** The submitted modal as an alert request (without the requester), or errors beside the fields. */
export function parseAlertSubmission(
  values: unknown,
): { ok: true; draft: AlertDraft } | { ok: false; errors: Record<string, string> } {
  const state = alertViewState.safeParse(values ?? {});
  if (!state.success) return { ok: false, errors: { [ALERT_BLOCKS.title]: 'Something was off; try again' } };
  const first = (block: string) => Object.values(state.data[block] ?? {})[0];
  const when = (block: string) => {
    const seconds = first(block)?.selected_date_time;
    return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : undefined;
  };
  const notBefore = when(ALERT_BLOCKS.notBefore);
  const notAfter = when(ALERT_BLOCKS.notAfter);
  const candidate = {
    title: first(ALERT_BLOCKS.title)?.value ?? '',
    body: first(ALERT_BLOCKS.message)?.value ?? '',
    // A static_select of the catalogue, or the text field when the catalogue could not be read.
    topic: first(ALERT_BLOCKS.topic)?.selected_option?.value ?? first(ALERT_BLOCKS.topic)?.value ?? '',
    lists: (first(ALERT_BLOCKS.lists)?.selected_options ?? []).map((o) => o.value),
    channels: (first(ALERT_BLOCKS.channels)?.selected_options ?? []).map((o) => o.value),
    replyTo: first(ALERT_BLOCKS.replyTo)?.selected_option?.value ?? 'analyst',
    ...(notBefore || notAfter
      ? { sendWindow: { ...(notBefore ? { notBefore } : {}), ...(notAfter ? { notAfter } : {}) } }
      : {}),
  };
  const parsed = requestWithoutRequester.safeParse(candidate);
  if (parsed.success) return { ok: true, draft: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const block = FIELD_BLOCK[String(issue.path[0])] ?? ALERT_BLOCKS.title;
    errors[block] ??= clip(issue.message, 150);
  }
  return { ok: false, errors };
}
