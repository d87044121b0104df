import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { CUSTOMER_RESPONSE_ACTION, PREFERENCES_ACTION_ID } from '../channels/slack/customer-response-ids.js';
import type { Tracing } from '../lib/tracing.js';
import { ACTIONS, COMMANDS, SHORTCUTS, VIEWS } from './ids.js';
import { traceSlackClient } from './traced-client.js';

/** What kind of Slack request a listener answers, as the span names it. */
export type ListenerKind = 'command' | 'action' | 'view' | 'shortcut' | 'options' | 'event' | 'other';

/**
 * The ids Rapport itself gave its commands, buttons, modals and shortcuts: only these go on a
 * span. Anything else Slack might echo (an id of another app's message, a crafted payload) is
 * `other`, so no text a person typed can reach a span's attributes.
 */
const KNOWN_IDS = new Set<string>([
  ...Object.values(COMMANDS),
  ...Object.values(SHORTCUTS),
  ...Object.values(VIEWS),
  ...Object.values(ACTIONS),
  PREFERENCES_ACTION_ID,
]);
/** Event types are Slack's vocabulary (app_home_opened, ...): lowercase words, nothing of a user's. */
const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const known = (id: string | undefined) =>
  id !== undefined && (KNOWN_IDS.has(id) || CUSTOMER_RESPONSE_ACTION.test(id)) ? id.slice(0, 100) : 'other';

/** The kind of a request and the id of the listener it goes to (`other` for an id Rapport did not give). */
export function listenerOf(body: unknown): { kind: ListenerKind; id: string; detail?: string } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof b.command === 'string') return { kind: 'command', id: known(b.command) };
  const type = str(b.type);
  switch (type) {
    case 'block_actions': {
      const first = Array.isArray(b.actions) ? (b.actions[0] as Record<string, unknown> | undefined) : undefined;
      return { kind: 'action', id: known(str(first?.action_id)) };
    }
    case 'view_submission':
    case 'view_closed': {
      const view = b.view as Record<string, unknown> | undefined;
      return { kind: 'view', id: known(str(view?.callback_id)), detail: type };
    }
    case 'shortcut':
    case 'message_action':
      return { kind: 'shortcut', id: known(str(b.callback_id)), detail: type };
    case 'block_suggestion':
      return { kind: 'options', id: known(str(b.action_id)) };
    case 'event_callback': {
      const eventType = str((b.event as Record<string, unknown> | undefined)?.type);
      return { kind: 'event', id: eventType && EVENT_TYPE.test(eventType) ? eventType : 'other' };
    }
    default:
      return { kind: 'other', id: 'other' };
  }
}

/**
 * Bolt global middleware: one span around every listener call (`slack.command /touch`,
 * `slack.action alert_approve`, `slack.view touch_log`, `slack.event app_home_opened`, ...), with
 * the listener's kind, its callback id and its outcome (`ok`, or `error` with the error's code).
 * The Web API and CRM calls a listener makes are its children. Over HTTP the span sits inside the
 * request's span (internal); over Socket Mode no span of ours is above it (server).
 *
 * Attributes are ids Rapport gave (slack-app/ids.ts) and Slack's event types, never a user id,
 * a channel, a typed value or a message: spans leave the process for a collector.
 */
export function listenerSpans(tracing: Tracing, mode: 'http' | 'socket'): Middleware<AnyMiddlewareArgs> {
  if (!tracing.on) return async ({ next }) => next();
  const kind = mode === 'socket' ? 'server' : 'internal';
  // The client Bolt hands listeners (one per token, kept by Bolt) is the one this middleware gets:
  // traced once, its Web API calls (views.open, chat.postEphemeral, ...) are the listener span's children.
  const traced = new WeakSet<object>();
  return async ({ body, client, next }) => {
    if (client && !traced.has(client)) {
      traced.add(client);
      traceSlackClient(client, tracing);
    }
    const listener = listenerOf(body);
    await tracing.span(
      `slack.${listener.kind} ${listener.id}`,
      {
        'rapport.slack.kind': listener.kind,
        'rapport.slack.callback_id': listener.id,
        'rapport.slack.payload_type': listener.detail,
      },
      async (annotate) => {
        try {
          await next();
          annotate({ 'rapport.slack.outcome': 'ok' });
        } catch (error) {
          annotate({ 'rapport.slack.outcome': 'error' });
          throw error;
        }
      },
      { kind },
    );
  };
}
