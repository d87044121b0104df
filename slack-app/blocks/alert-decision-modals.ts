import type { types } from '@slack/bolt';
import { z } from 'zod';
import { clip, SLACK_LIMITS } from '../../channels/slack/limits.js';
import { mk, mkQuote } from '../../channels/slack/mrkdwn.js';
import { alertRequestSchema, type DecisionKind } from '../../domain/broadcast/alert-request.js';
import { controlProblem } from '../../domain/text.js';
import { ALERT_BLOCKS, VIEWS } from '../ids.js';
import { ALERT_ID, alertViewState, mrkdwn, plain } from './alert-view-parts.js';

type KnownBlock = types.KnownBlock;

export interface ReasonModalMetadata {
  alertId: string;
  version: number;
  decision: Exclude<DecisionKind, 'approve'>;
}

/** Reject / Request changes: the reason the requester will read. */
export function reasonModal(meta: ReasonModalMetadata, title: string): types.ModalView {
  const reject = meta.decision === 'reject';
  return {
    type: 'modal',
    callback_id: VIEWS.rejectAlert,
    private_metadata: JSON.stringify(meta),
    title: plain(reject ? 'Reject alert' : 'Request changes', SLACK_LIMITS.modalTitle),
    submit: plain(reject ? 'Reject' : 'Send', SLACK_LIMITS.modalButton),
    close: plain('Cancel', SLACK_LIMITS.modalButton),
    blocks: [
      { type: 'section', text: mrkdwn(mk`*${clip(title, 200)}*`) },
      {
        type: 'input',
        block_id: ALERT_BLOCKS.reason,
        label: plain(reject ? 'Why is it rejected?' : 'What should change?', 2000),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 2000 },
      },
    ],
  };
}

export function readReasonModal(
  rawMeta: string | undefined,
  values: unknown,
): { meta: ReasonModalMetadata; reason: string } | null {
  try {
    const meta = z
      .object({
        alertId: z.string().regex(ALERT_ID),
        version: z.number().int().min(1),
        decision: z.enum(['reject', 'request_changes']),
      })
      .parse(JSON.parse(rawMeta ?? '{}'));
    const state = alertViewState.parse(values ?? {});
    const reason = (Object.values(state[ALERT_BLOCKS.reason] ?? {})[0]?.value ?? '').trim();
    return { meta, reason };
  } catch {
    return null;
  }
}

export interface ReviseModalMetadata {
  alertId: string;
  version: number;
  channelId?: string;
  /** The message is longer than Slack lets one edit (3,000 characters): it is kept as it is. */
  keepBody?: boolean;
}

/** "Revise" on the requester's message: title and message prefilled, the approver's comment on top. */
export function reviseModal(
  meta: Omit<ReviseModalMetadata, 'keepBody'>,
  current: { title: string; body: string; decidedBy: string | null; comment: string | null },
): types.ModalView {
  const keepBody = current.body.length > SLACK_LIMITS.plainTextInput;
  const asked = current.comment
    ? mk`*${current.decidedBy ? mk`${current.decidedBy} asks` : 'The approver asks'}:*\n${mkQuote(clip(current.comment, 2000))}`
    : mk`*Changes were requested.*`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(asked) },
    {
      type: 'input',
      block_id: ALERT_BLOCKS.title,
      label: plain('Title', 2000),
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        max_length: 200,
        initial_value: clip(current.title, 200),
      },
    },
    keepBody
      ? {
          type: 'context',
          elements: [
            mrkdwn(
              mk`The message is longer than Slack can edit (3,000 characters); it stays as it is. Revise it through the API to change it.`,
            ),
          ],
        }
      : {
          type: 'input',
          block_id: ALERT_BLOCKS.message,
          label: plain('Message', 2000),
          hint: plain('Paragraphs, **bold**, _italic_, links and "- " lists.', 2000),
          element: {
            type: 'plain_text_input',
            action_id: 'value',
            multiline: true,
            max_length: SLACK_LIMITS.plainTextInput,
            initial_value: current.body,
          },
        },
    {
      type: 'input',
      block_id: ALERT_BLOCKS.revisionComment,
      optional: true,
      label: plain('Note to the approvers', 2000),
      element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 2000 },
    },
  ];
  return {
    type: 'modal',
    callback_id: VIEWS.reviseAlert,
    private_metadata: clip(
      JSON.stringify({ ...meta, ...(keepBody ? { keepBody } : {}) }),
      SLACK_LIMITS.privateMetadata,
    ),
    title: plain('Revise alert', SLACK_LIMITS.modalTitle),
    submit: plain('Send for approval', SLACK_LIMITS.modalButton),
    close: plain('Close', SLACK_LIMITS.modalButton),
    blocks,
  };
}

/** A modal that only says something (a refused Revise, an alert that moved on). */
export function noticeModal(title: string, message: string): types.ModalView {
  return {
    type: 'modal',
    title: plain(title, SLACK_LIMITS.modalTitle),
    close: plain('Close', SLACK_LIMITS.modalButton),
    blocks: [{ type: 'section', text: mrkdwn(mk`⚠️ ${message}`) }],
  };
}

const reviseMetaSchema = z.object({
  alertId: z.string().regex(ALERT_ID),
  version: z.number().int().min(1),
  channelId: z.string().max(50).optional(),
  keepBody: z.boolean().optional(),
});

const revisionFields = alertRequestSchema.pick({ title: true, body: true });

/**
 * The submitted revision modal: title, message (absent when kept) and note, or errors beside the
 * fields; null when the metadata is not ours.
 */
export function readReviseModal(
  rawMeta: string | undefined,
  values: unknown,
):
  | { ok: true; meta: ReviseModalMetadata; title: string; body?: string; comment?: string }
  | { ok: false; errors: Record<string, string> }
  | null {
  let meta: ReviseModalMetadata;
  try {
    meta = reviseMetaSchema.parse(JSON.parse(rawMeta ?? '{}'));
  } catch {
    return null;
  }
  const state = alertViewState.safeParse(values ?? {});
  if (!state.success) return { ok: false, errors: { [ALERT_BLOCKS.title]: 'Something was off; try again' } };
  const first = (block: string) => Object.values(state.data[block] ?? {})[0]?.value ?? '';
  const parsed = revisionFields.safeParse({
    title: first(ALERT_BLOCKS.title),
    body: meta.keepBody ? 'kept' : first(ALERT_BLOCKS.message),
  });
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const block = issue.path[0] === 'body' ? ALERT_BLOCKS.message : ALERT_BLOCKS.title;
      errors[block] ??= clip(issue.message, 150);
    }
    return { ok: false, errors };
  }
  const comment = first(ALERT_BLOCKS.revisionComment).trim();
  const commentProblem = controlProblem(comment, 'The note');
  if (commentProblem) return { ok: false, errors: { [ALERT_BLOCKS.revisionComment]: commentProblem } };
  return {
    ok: true,
    meta,
    title: parsed.data.title,
    ...(meta.keepBody ? {} : { body: parsed.data.body }),
    ...(comment ? { comment } : {}),
  };
}
