import { z } from 'zod';

/**
 * Slack's request bodies as Bolt reads them, checked before Bolt sees them. Bolt (5.x:
 * `getTypeAndConversation`, `buildSource`, `isBodyWithTypeEnterpriseInstall`, the listener
 * arguments and the built-in `matchConstraints`) walks into fields without checking them: a
 * correctly signed event with `event.user: null` threw a TypeError there, before any listener,
 * and the request was a 500. Every field Bolt reads is held here to the shape Bolt assumes; what
 * Rapport's own listeners read is checked by those listeners (a listener's error is logged by
 * `app.error` and never a 5xx).
 */

/** A JSON object: never null, never a primitive (Bolt uses `in` and property reads on these). */
const record = z.record(z.string(), z.unknown());

/** `event` of an Events API callback: what Bolt reads before dispatching to listeners. */
const boltEvent = z
  .object({
    type: z.string().min(1),
    // buildSource: a string, or an object with an id (user_change and friends).
    user: z.union([z.string().min(1), z.object({ id: z.string().min(1) }).loose()]).optional(),
    // getTypeAndConversation / buildSource: `'id' in channel`, `'creator' in channel`.
    channel: z.union([z.string(), record]).optional(),
    channel_id: z.string().optional(),
    // getTypeAndConversation: `'channel' in event.item`.
    item: record.optional(),
    // buildSource: `event.subteam.created_by`.
    subteam: record.optional(),
  })
  .loose();

/** The events Rapport listens to, and the fields its listeners need. */
const rapportEvents: Record<string, z.ZodType> = {
  app_home_opened: z.object({ user: z.string().min(1), tab: z.string() }).loose(),
};

/** The Events API envelope (JSON): url_verification, event_callback, app_rate_limited. */
export const eventEnvelope = z
  .object({
    type: z.string().min(1),
    token: z.string().optional(),
    team_id: z.string().optional(),
    enterprise_id: z.string().nullable().optional(),
    event_id: z.string().min(1).max(200).optional(),
    event: boltEvent.optional(),
    challenge: z.string().optional(),
    // isBodyWithTypeEnterpriseInstall / buildSource read `authorizations[0].team_id` and friends.
    authorizations: z.array(record).optional(),
    is_enterprise_install: z.boolean().optional(),
  })
  .loose()
  .superRefine((body, ctx) => {
    if (body.type !== 'event_callback') return;
    if (body.event === undefined)
      ctx.addIssue({ code: 'custom', path: ['event'], message: 'event_callback needs event' });
    if (body.event_id === undefined)
      ctx.addIssue({ code: 'custom', path: ['event_id'], message: 'event_callback needs event_id' });
    const own = body.event && rapportEvents[body.event.type];
    if (own) {
      const parsed = own.safeParse(body.event);
      for (const issue of parsed.error?.issues ?? [])
        ctx.addIssue({ code: 'custom', path: ['event', ...issue.path], message: issue.message });
    }
  });

/** A slash command (form encoded: every field is a string). */
export const commandForm = z
  .object({
    command: z.string().regex(/^\/[\w-]{1,31}$/),
    user_id: z.string().min(1),
    team_id: z.string().min(1),
    channel_id: z.string().min(1),
    trigger_id: z.string().min(1),
    text: z.string().default(''),
  })
  .loose();

/** One element of `actions`: Bolt's matchConstraints does `'action_id' in payload`. */
const action = z
  .object({ action_id: z.string().min(1), block_id: z.string().optional(), type: z.string().optional() })
  .loose();

/** Interactivity, options and shortcuts (`payload=` JSON in a form). */
export const interactivePayload = z
  .object({
    type: z.enum([
      'block_actions',
      'block_suggestion',
      'view_submission',
      'view_closed',
      'shortcut',
      'message_action',
      'interactive_message',
      'dialog_submission',
      'dialog_suggestion',
      'dialog_cancellation',
    ]),
    // buildSource: `user.id`, and `user.team_id` when `team` is null (org-wide installs).
    user: z.object({ id: z.string().min(1), team_id: z.string().optional() }).loose(),
    team: z
      .object({ id: z.string().min(1) })
      .loose()
      .nullable()
      .optional(),
    enterprise: record.nullable().optional(),
    // getTypeAndConversation: `channel.id` whenever channel is not undefined.
    channel: record.optional(),
    // buildSource: `view.app_installed_team_id`; matchConstraints: `view.callback_id`.
    view: z.object({ id: z.string().optional(), callback_id: z.string().optional() }).loose().optional(),
    // `[payload] = actions`, then matchConstraints on it.
    actions: z.array(action).min(1).optional(),
    callback_id: z.string().optional(),
    trigger_id: z.string().optional(),
    response_url: z.string().optional(),
    // The listener's `respond`: `response_urls[0].response_url`.
    response_urls: z.array(z.object({ response_url: z.string() }).loose()).optional(),
    is_enterprise_install: z.boolean().optional(),
  })
  .loose()
  .superRefine((body, ctx) => {
    const need = (field: keyof typeof body, why: string) => {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${body.type} ${why}` });
    };
    if (body.type === 'block_actions' || body.type === 'interactive_message') need('actions', 'needs actions');
    if (body.type === 'view_submission' || body.type === 'view_closed') need('view', 'needs a view');
    if (body.type === 'shortcut' || body.type === 'message_action') need('callback_id', 'needs a callback_id');
    if (body.type === 'block_suggestion') {
      const suggestion = z
        .object({ action_id: z.string().min(1), value: z.string() })
        .loose()
        .safeParse(body);
      for (const issue of suggestion.error?.issues ?? [])
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  });

/**
 * Fields Slack may send as null that Bolt reads as absent only when they are missing: dropped,
 * so a click is not refused for a null Bolt cannot tell from "not there". (Not documented by
 * Slack for these fields; cheap insurance, since refusing would show the person an error.)
 */
export function dropNulls(payload: unknown, fields: readonly string[]): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  const copy: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  for (const field of fields) if (copy[field] === null) delete copy[field];
  return copy;
}

/** The first issue of a failed parse, as `path: message` (the path and the rule, never the value). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
