import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { customerResponseActionId } from '../../../channels/slack/customer-response-ids.js';
import { NO_TRACING, type SpanAttributes, type SpanKindName, type Tracing } from '../../../lib/tracing.js';
import { ACTIONS, COMMANDS, SHORTCUTS, VIEWS } from '../../../slack-app/ids.js';
import { listenerOf, listenerSpans } from '../../../slack-app/listener-spans.js';

/** A Tracing that records each span's name, kind, attributes and whether it failed. */
function recording() {
  const spans: { name: string; kind: SpanKindName | undefined; attributes: SpanAttributes; failed: boolean }[] = [];
  const tracing: Tracing = {
    on: true,
    async span(name, attributes, fn, options) {
      const span = { name, kind: options?.kind, attributes: { ...attributes }, failed: false };
      spans.push(span);
      try {
        return await fn((more) => Object.assign(span.attributes, more));
      } catch (error) {
        span.failed = true;
        throw error;
      }
    },
  };
  return { tracing, spans };
}

const run = (middleware: ReturnType<typeof listenerSpans>, body: unknown, next: () => Promise<void>) =>
  middleware({ body, next } as unknown as AnyMiddlewareArgs & AllMiddlewareArgs);

describe('listenerOf', () => {
  it('names the listener of each kind of Slack request by the id Rapport gave it', () => {
    expect(listenerOf({ command: COMMANDS.touch, text: 'hello' })).toEqual({ kind: 'command', id: '/touch' });
    expect(listenerOf({ type: 'block_actions', actions: [{ action_id: ACTIONS.approveAlert }] })).toEqual({
      kind: 'action',
      id: ACTIONS.approveAlert,
    });
    expect(
      listenerOf({ type: 'block_actions', actions: [{ action_id: customerResponseActionId('interested') }] }).id,
    ).toBe('alert_customer_response:interested');
    expect(listenerOf({ type: 'view_submission', view: { callback_id: VIEWS.requestAlert } })).toEqual({
      kind: 'view',
      id: VIEWS.requestAlert,
      detail: 'view_submission',
    });
    expect(listenerOf({ type: 'message_action', callback_id: SHORTCUTS.logMessageAsTouch })).toMatchObject({
      kind: 'shortcut',
      id: SHORTCUTS.logMessageAsTouch,
    });
    expect(listenerOf({ type: 'block_suggestion', action_id: ACTIONS.customerSelect })).toEqual({
      kind: 'options',
      id: ACTIONS.customerSelect,
    });
    expect(listenerOf({ type: 'event_callback', event: { type: 'app_home_opened' } })).toEqual({
      kind: 'event',
      id: 'app_home_opened',
    });
  });

  it('an id Rapport did not give, or a malformed body, is `other`: no typed text reaches a span', () => {
    expect(listenerOf({ command: '/secret-plans' }).id).toBe('other');
    expect(listenerOf({ type: 'block_actions', actions: [{ action_id: 'Call Joe at 555-0100' }] }).id).toBe('other');
    expect(listenerOf({ type: 'view_submission', view: { callback_id: 'Dear Joe' } }).id).toBe('other');
    expect(listenerOf({ type: 'event_callback', event: { type: 'Hello there Joe' } }).id).toBe('other');
    expect(listenerOf({ type: 'block_actions' })).toEqual({ kind: 'action', id: 'other' });
    expect(listenerOf(null)).toEqual({ kind: 'other', id: 'other' });
    expect(listenerOf('payload=x')).toEqual({ kind: 'other', id: 'other' });
  });
});

describe('listenerSpans', () => {
  it('wraps the listener in a span whose outcome is ok when it ends well', async () => {
    const { tracing, spans } = recording();
    let ran = false;
    await run(listenerSpans(tracing, 'http'), { command: COMMANDS.alert }, async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(spans).toEqual([
      {
        name: 'slack.command /alert',
        kind: 'internal',
        attributes: {
          'rapport.slack.kind': 'command',
          'rapport.slack.callback_id': '/alert',
          'rapport.slack.payload_type': undefined,
          'rapport.slack.outcome': 'ok',
        },
        failed: false,
      },
    ]);
  });

  it("records a listener's failure as the outcome and rethrows it for Bolt's error handler", async () => {
    const { tracing, spans } = recording();
    const failure = new Error('listener broke');
    await expect(
      run(listenerSpans(tracing, 'socket'), { type: 'view_submission', view: { callback_id: VIEWS.logTouch } }, () =>
        Promise.reject(failure),
      ),
    ).rejects.toBe(failure);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      name: `slack.view ${VIEWS.logTouch}`,
      kind: 'server',
      failed: true,
      attributes: { 'rapport.slack.outcome': 'error' },
    });
  });

  it('with tracing off, calls the listener and nothing else', async () => {
    let ran = 0;
    await run(listenerSpans(NO_TRACING, 'http'), { command: COMMANDS.touch }, async () => {
      ran++;
    });
    expect(ran).toBe(1);
  });
});
