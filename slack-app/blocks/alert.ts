import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { AudienceSummary } from '../../domain/audience/summary.js';
import { CHANNELS } from '../../domain/audience/types.js';
import { alertRequestSchema, type DecisionKind } from '../../domain/broadcast/alert-request.js';
import type { DeliveryCounts } from '../../domain/broadcast/final-summary.js';
import { CANCELLABLE_STATUSES } from '../../store/alerts.js';
import { ACTIONS, ALERT_BLOCKS, VIEWS } from '../ids.js';
import { SLACK_LIMITS, clip, escapeMrkdwn } from './limits.js';
import type { SlackMessage } from './messages.js';

type KnownBlock = types.KnownBlock;
type PlainTextOption = types.PlainTextOption;

const plain = (t: string, max: number) => ({ type: 'plain_text' as const, text: clip(t, max) });
const mrkdwn = (t: string) => ({ type: 'mrkdwn' as const, text: clip(t, SLACK_LIMITS.sectionText) });

export const CHANNEL_NAMES: Record<(typeof CHANNELS)[number], string> = { email: 'Email', slack: 'Slack', sms: 'SMS' };

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

/** /alert: title, message, topic, lists (CRM search), allowed channels, who gets replies, send window. */
export function alertModal(metadata: AlertModalMetadata = {}): types.ModalView {
  const channelOptions = CHANNELS.map((c) => ({ text: plain(CHANNEL_NAMES[c], 75), value: c }));
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
        element: { type: 'plain_text_input', action_id: 'value', max_length: 80 },
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

const option = z.object({ value: z.string() }).loose();
const value = z
  .object({
    value: z.string().nullish(),
    selected_options: z.array(option).nullish(),
    selected_option: option.nullish(),
    selected_date_time: z.number().nullish(),
  })
  .loose();
const alertState = z.record(z.string(), z.record(z.string(), value));
export type AlertViewState = z.infer<typeof alertState>;

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
  const state = alertState.safeParse(values ?? {});
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
    topic: first(ALERT_BLOCKS.topic)?.value ?? '',
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

/** What the Slack messages of one alert show; all read from the store. */
export interface AlertSnapshot {
  id: string;
  title: string;
  body: string;
  topic: string;
  requester: string;
  status: string;
  version: number;
  summary: AudienceSummary | null;
  counts: DeliveryCounts | null;
  decidedBy: string | null;
  decisionComment: string | null;
  approvedAt: string | null;
  responses: number;
}

/** A Block Kit text progress bar: "▓▓▓▓▓░░░░░ 50%". */
export function progressBar(done: number, total: number, width = 20): string {
  if (total <= 0) return `${'░'.repeat(width)} 0%`;
  const ratio = Math.max(0, Math.min(1, done / total));
  const filled = Math.round(ratio * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.floor(ratio * 100)}%`;
}

const STATUS_LINE: Record<string, string> = {
  resolving: '⏳ Working out the audience…',
  awaiting_approval: '🕒 Waiting for approval',
  changes_requested: '✏️ Changes requested',
  rejected: '❌ Rejected',
  expired: '⌛ Expired without a decision',
  approved: '✅ Approved; sending starts soon',
  dispatching: '📤 Sending',
  following_up: '📬 Sent; collecting responses',
  completed: '🏁 Completed',
  cancelled: '🛑 Cancelled',
  failed: '⚠️ Failed',
};

export const FINAL_STATUSES = new Set(['completed', 'rejected', 'expired', 'cancelled', 'failed']);

const reasonLabel = (reason: string) => reason.toLowerCase().replace(/_/g, ' ');

/** The deduplicated audience summary: lists, memberships, unique, channel mix, suppressed by reason. */
export function audienceBlocks(summary: AudienceSummary): KnownBlock[] {
  const lists = summary.lists
    .slice(0, 15)
    .map((l) => `• ${escapeMrkdwn(clip(l.name, 80))}: ${l.memberships}`)
    .join('\n');
  const more = summary.lists.length > 15 ? `\n… and ${summary.lists.length - 15} more lists` : '';
  const mix = Object.entries(summary.channelMix)
    .map(([c, n]) => `${CHANNEL_NAMES[c as keyof typeof CHANNEL_NAMES] ?? c} ${n}`)
    .join(' · ');
  const suppressed = Object.entries(summary.suppressedByReason)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${reasonLabel(r)}: ${n}`)
    .join(' · ');
  return [
    {
      type: 'section',
      fields: [
        mrkdwn(`*Lists*\n${lists || '—'}${more}`),
        mrkdwn(
          `*Audience*\n${summary.totalMemberships} memberships\n${summary.uniqueContacts} unique contacts (${summary.duplicates} duplicates)\n*${summary.deliveries} will receive it*`,
        ),
        mrkdwn(`*Channel mix*\n${mix || '—'}`),
        mrkdwn(
          `*Suppressed*\n${suppressed || 'none'}${summary.delayedByQuietHours ? `\n${summary.delayedByQuietHours} wait for quiet hours to end` : ''}`,
        ),
      ],
    },
  ];
}

function progressBlocks(a: AlertSnapshot): KnownBlock[] {
  const c = a.counts;
  const total = c?.total || a.summary?.deliveries || 0;
  if (!c || !['dispatching', 'following_up', 'completed', 'cancelled'].includes(a.status) || !a.approvedAt) return [];
  const done = c.sent + c.failed + c.bounced + c.cancelled;
  return [
    {
      type: 'section',
      text: mrkdwn(
        `\`${progressBar(done, total)}\`\nSent *${c.sent}* of ${total} · failed ${c.failed + c.bounced}${c.cancelled ? ` · cancelled ${c.cancelled}` : ''} · responses so far *${a.responses}*`,
      ),
    },
  ];
}

function decisionLine(a: AlertSnapshot): string | null {
  if (!a.decidedBy) return null;
  const who = escapeMrkdwn(a.decidedBy);
  const why = a.decisionComment ? `: “${escapeMrkdwn(clip(a.decisionComment, 300))}”` : '';
  if (a.approvedAt) return `✅ Approved by ${who}`;
  if (a.status === 'rejected') return `❌ Rejected by ${who}${why}`;
  if (a.status === 'changes_requested') return `✏️ Changes requested by ${who}${why}`;
  return null;
}

function header(a: AlertSnapshot, prefix = ''): KnownBlock {
  return { type: 'header', text: plain(`${prefix}${a.title}`, SLACK_LIMITS.headerText) };
}

function footer(a: AlertSnapshot): KnownBlock {
  return {
    type: 'context',
    elements: [mrkdwn(`Alert \`${a.id}\` · version ${a.version} · topic ${escapeMrkdwn(clip(a.topic, 80))}`)],
  };
}

/** "Cancelled by x" (the workflow writes it when no reason was given), or the reason given. */
function cancelLine(a: AlertSnapshot): string | null {
  if (a.status !== 'cancelled') return null;
  const comment = a.decisionComment?.trim();
  if (!comment) return '🛑 Cancelled';
  if (/^cancelled by /i.test(comment)) return `🛑 Cancelled by ${escapeMrkdwn(clip(comment.slice(13), 254))}`;
  return `🛑 Cancelled: “${escapeMrkdwn(clip(comment, 300))}”`;
}

/** Revise (changes requested) and Cancel (with Slack's confirm dialog) for the requester. */
function requesterActions(a: AlertSnapshot): KnownBlock[] {
  const value = `${a.id}:${a.version}`;
  const elements: types.Button[] = [];
  if (a.status === 'changes_requested') {
    elements.push({
      type: 'button',
      action_id: ACTIONS.reviseAlert,
      style: 'primary',
      text: plain('Revise', 75),
      value,
    });
  }
  if (CANCELLABLE_STATUSES.has(a.status)) {
    const sending = a.status === 'approved' || a.status === 'dispatching';
    elements.push({
      type: 'button',
      action_id: ACTIONS.cancelAlert,
      style: 'danger',
      text: plain('Cancel alert', 75),
      value,
      confirm: {
        title: plain('Cancel this alert?', 100),
        text: plain(
          sending
            ? 'No further messages go out. What was already sent stays sent and recorded.'
            : 'It will not be sent. This cannot be undone.',
          300,
        ),
        confirm: plain('Cancel alert', 30),
        deny: plain('Keep it', 30),
        style: 'danger',
      },
    });
  }
  return elements.length ? [{ type: 'actions', elements }] : [];
}

/** The requester's message: the preview with the audience summary, then status and live progress. */
export function requesterMessage(a: AlertSnapshot): SlackMessage {
  const lines = [decisionLine(a), cancelLine(a)].filter((l): l is string => l !== null);
  const blocks: KnownBlock[] = [
    header(a),
    {
      type: 'section',
      text: mrkdwn(`*${STATUS_LINE[a.status] ?? escapeMrkdwn(a.status)}*${lines.map((l) => `\n${l}`).join('')}`),
    },
    ...(a.summary ? audienceBlocks(a.summary) : []),
    ...progressBlocks(a),
    ...requesterActions(a),
    footer(a),
  ];
  return {
    text: clip(`Alert "${a.title}": ${STATUS_LINE[a.status] ?? a.status}`, SLACK_LIMITS.messageText),
    blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage),
  };
}

/** The approver's DM: the preview and Approve / Reject / Request changes, or who decided and how. */
export function approverMessage(a: AlertSnapshot, dmVersion: number): SlackMessage {
  const blocks: KnownBlock[] = [
    header(a, 'Approval needed: '),
    { type: 'section', text: mrkdwn(`Requested by *${escapeMrkdwn(a.requester)}*`) },
    { type: 'section', text: mrkdwn(`>${escapeMrkdwn(clip(a.body, 1500)).replace(/\n/g, '\n>')}`) },
    ...(a.summary ? audienceBlocks(a.summary) : []),
  ];
  const outdated = a.version > dmVersion;
  let outcome: string | null;
  if (outdated) outcome = `This version was replaced by version ${a.version}; a new request follows.`;
  else outcome = decisionLine(a);
  if (!outcome && a.status === 'expired') outcome = '⌛ Expired without a decision.';
  if (!outcome && a.status === 'cancelled') outcome = '🛑 Cancelled by the requester.';
  if (outcome) {
    blocks.push({ type: 'section', text: mrkdwn(`*${outcome}*`) });
  } else if (a.status === 'awaiting_approval') {
    const value = `${a.id}:${a.version}`;
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', action_id: ACTIONS.approveAlert, style: 'primary', text: plain('Approve', 75), value },
        { type: 'button', action_id: ACTIONS.rejectAlert, style: 'danger', text: plain('Reject', 75), value },
        { type: 'button', action_id: ACTIONS.requestChanges, text: plain('Request changes', 75), value },
      ],
    });
  }
  blocks.push(footer(a));
  return {
    text: clip(
      `Approval needed: "${a.title}" from ${a.requester}${outcome ? ` (${outcome})` : ''}`,
      SLACK_LIMITS.messageText,
    ),
    blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage),
  };
}

/** Button value of the approval DM: "<alert id>:<version>". */
export function readDecisionValue(raw: string | undefined): { alertId: string; version: number } | null {
  const m = /^(alr_[0-9a-z]{26}):(\d{1,6})$/.exec(raw ?? '');
  return m ? { alertId: m[1]!, version: Number(m[2]) } : null;
}

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
      { type: 'section', text: mrkdwn(`*${escapeMrkdwn(clip(title, 200))}*`) },
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
        alertId: z.string().regex(/^alr_[0-9a-z]{26}$/),
        version: z.number().int().min(1),
        decision: z.enum(['reject', 'request_changes']),
      })
      .parse(JSON.parse(rawMeta ?? '{}'));
    const state = alertState.parse(values ?? {});
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
    ? `*${current.decidedBy ? `${escapeMrkdwn(current.decidedBy)} asks` : 'The approver asks'}:*\n>${escapeMrkdwn(clip(current.comment, 2000)).replace(/\n/g, '\n>')}`
    : '*Changes were requested.*';
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
              'The message is longer than Slack can edit (3,000 characters); it stays as it is. Revise it through the API to change it.',
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
    blocks: [{ type: 'section', text: mrkdwn(`⚠️ ${escapeMrkdwn(message)}`) }],
  };
}

const reviseMetaSchema = z.object({
  alertId: z.string().regex(/^alr_[0-9a-z]{26}$/),
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
  const state = alertState.safeParse(values ?? {});
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
  return {
    ok: true,
    meta,
    title: parsed.data.title,
    ...(meta.keepBody ? {} : { body: parsed.data.body }),
    ...(comment ? { comment } : {}),
  };
}

export interface ResponseNotice {
  alertId: string;
  alertTitle: string;
  contactId: string;
  customer: string;
  kind: string;
  body: string | null;
  crmUrl?: string;
}

const KIND_LABEL: Record<string, string> = {
  interested: '👍 is interested',
  'call-me': '📞 asks for a call',
  'not-now': '🙅 says not now',
  unsubscribe: '🚫 unsubscribed',
  reply: '✉️ replied',
  bounce: '⚠️ bounced',
};

/** DM to the reply owner: one customer response, with a button to log the follow-up. */
export function responseMessage(r: ResponseNotice): SlackMessage {
  const who = escapeMrkdwn(r.customer);
  const line = `*${who}* ${KIND_LABEL[r.kind] ?? escapeMrkdwn(r.kind)} to “${escapeMrkdwn(clip(r.alertTitle, 150))}”`;
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(line) }];
  if (r.body)
    blocks.push({ type: 'section', text: mrkdwn(`>${escapeMrkdwn(clip(r.body, 2500)).replace(/\n/g, '\n>')}`) });
  blocks.push({
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.logFollowUp,
        style: 'primary',
        text: plain('Log follow-up', 75),
        value: JSON.stringify({ c: r.contactId, a: r.alertId, k: r.kind }).slice(0, SLACK_LIMITS.buttonValue),
      },
      ...(r.crmUrl
        ? [
            {
              type: 'button' as const,
              action_id: ACTIONS.openCrmContact,
              text: plain('Open in CRM', 75),
              url: r.crmUrl,
            },
          ]
        : []),
    ],
  });
  blocks.push({ type: 'context', elements: [mrkdwn(`Alert \`${r.alertId}\``)] });
  return { text: clip(`${r.customer} ${r.kind} to "${r.alertTitle}"`, SLACK_LIMITS.messageText), blocks };
}

export function readFollowUpValue(
  raw: string | undefined,
): { contactId: string; alertId: string; kind: string } | null {
  try {
    const v = z
      .object({ c: z.string().regex(/^\d{1,18}$/), a: z.string().max(40), k: z.string().max(20) })
      .parse(JSON.parse(raw ?? ''));
    return { contactId: v.c, alertId: v.a, kind: v.k };
  } catch {
    return null;
  }
}
