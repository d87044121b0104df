import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { alertRequest, approve, APPROVER, BROADCAST_ENV, REQUESTER, waitForStatus } from '../broadcast/support.js';
import { BOT_TOKEN, SIGNING_SECRET, slackDriver, viewPayload } from '../slack/driver.js';
import { ACTIONS, COMMANDS, TOUCH_BLOCKS, VIEWS } from '../../../slack-app/ids.js';

/**
 * The trace of one touch, as an operator would follow it in Jaeger or Tempo: the HTTP request,
 * the workflow start, the workflow run, the activity and the CRM call that wrote the engagement,
 * one trace, each span the child of the one before. Spans go to an in-memory exporter instead of
 * a collector; everything else is the real thing (hono, Temporal dev server, HubSpot sandbox).
 */
const exporter = new InMemorySpanExporter();
let t: TestRapport;
let slack: SlackStandIn;

beforeAll(async () => {
  slack = await startSlackStandIn({
    botToken: BOT_TOKEN,
    users: [
      { id: 'U0ANALYST', name: 'analyst', email: REQUESTER, realName: 'Ana Lyst' },
      { id: 'U0APPROVER', name: 'approver', email: APPROVER, realName: 'Ap Prover' },
    ],
  });
  t = await startTestRapport({
    spanExporter: exporter,
    env: {
      ...BROADCAST_ENV,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
  });
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
});

const id = (s: ReadableSpan) => s.spanContext().spanId;
const traceOf = (s: ReadableSpan) => s.spanContext().traceId;

async function logTouch(headers: Record<string, string> = {}) {
  const res = await t.api('/api/touches', {
    method: 'POST',
    headers,
    json: {
      contact: { email: DEMO.joe.email },
      channel: 'call',
      summary: 'Traced call',
      loggedBy: 'ana@rapport.example',
    },
  });
  expect(res.status).toBe(202);
  const { id: touchId } = (await res.json()) as { id: string };
  await eventually(async () => {
    const body = (await (await t.api(`/api/touches/${touchId}`)).json()) as { status: string };
    return body.status === 'synced' ? true : undefined;
  });
  return touchId;
}

/** The chain from `span` up to its trace's root, by parent span id, within one trace. */
function ancestry(span: ReadableSpan, all: ReadableSpan[]): ReadableSpan[] {
  const chain = [span];
  for (;;) {
    const parentId = chain.at(-1)!.parentSpanId;
    const parent = parentId ? all.find((s) => id(s) === parentId && traceOf(s) === traceOf(span)) : undefined;
    if (!parent) return chain;
    chain.push(parent);
  }
}

describe('traces (OpenTelemetry)', () => {
  it('one touch: the HTTP request, the workflow, its activity and the CRM write are one trace, parent to child', async () => {
    // The caller's own trace (a W3C traceparent, as a traced client sends): Rapport's spans join it.
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    await logTouch({ traceparent: `00-${callerTrace}-${callerSpan}-01` });

    // Workflow spans leave the sandbox through a sink after the task completes: wait for the write's span.
    const crmWrite = await eventually(async () =>
      exporter.getFinishedSpans().find((s) => traceOf(s) === callerTrace && /^crm\.createEngagements?$/.test(s.name)),
    );
    const spans = exporter.getFinishedSpans().filter((s) => traceOf(s) === callerTrace);
    const chain = ancestry(crmWrite, spans).map((s) => s.name);
    // CRM call <- activity run <- activity scheduled <- workflow run <- workflow start <- HTTP request.
    expect(chain).toEqual([
      crmWrite.name,
      expect.stringMatching(/^RunActivity:/),
      expect.stringMatching(/^StartActivity:/),
      'RunWorkflow:logTouch',
      'StartWorkflow:logTouch',
      'POST /api/touches',
    ]);
    const http = ancestry(crmWrite, spans).at(-1)!;
    expect(http.kind).toBe(SpanKind.SERVER);
    expect(http.parentSpanId).toBe(callerSpan);
    expect(http.attributes['http.route']).toBe('/api/touches');
    expect(http.attributes['http.response.status_code']).toBe(202);
    expect(crmWrite.kind).toBe(SpanKind.CLIENT);
    expect(crmWrite.attributes['peer.service']).toBe('hubspot');
    expect(crmWrite.attributes['rapport.crm.traffic']).toBe('background');

    // The contact check at intake is a CRM call inside the request itself.
    const lookups = spans.filter((s) => s.name.startsWith('crm.') && s.parentSpanId === id(http));
    expect(lookups.map((s) => s.attributes['rapport.crm.traffic'])).toContain('interactive');

    // Nothing of the customer leaves in the spans: no email, no summary.
    const text = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
    expect(text).not.toContain(DEMO.joe.email);
    expect(text).not.toContain('Traced call');
  });

  it('without a traceparent, each request starts its own trace with the HTTP span at its root', async () => {
    exporter.reset();
    await logTouch();
    const root = await eventually(async () =>
      exporter.getFinishedSpans().find((s) => s.name === 'POST /api/touches' && !s.parentSpanId),
    );
    const write = await eventually(async () =>
      exporter.getFinishedSpans().find((s) => traceOf(s) === traceOf(root) && /^crm\.createEngagements?$/.test(s.name)),
    );
    expect(ancestry(write, exporter.getFinishedSpans()).at(-1)).toBe(root);
  });

  it("an alert: each SMTP send is a span under its dispatch activity, the alert's workflow and the HTTP request", async () => {
    exporter.reset();
    const requestTrace = '5bf92f3577b34da6a3ce929d0e0e4799';
    const res = await t.api('/api/alerts', {
      method: 'POST',
      headers: { traceparent: `00-${requestTrace}-10f067aa0ba902b7-01` },
      json: alertRequest({ title: 'Traced alert' }),
    });
    expect(res.status).toBe(202);
    const alertId = ((await res.json()) as { id: string }).id;
    await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    // The workflow's own span ends with the workflow: after the response window (a few seconds here).
    await waitForStatus(t, alertId, 'following_up');
    await waitForStatus(t, alertId, 'completed', 40_000).catch(async (error: unknown) => {
      const handle = t.rapport.temporal.workflow.getHandle(alertId);
      const d = await handle.describe();
      const history = await handle.fetchHistory();
      const tail = (history.events ?? []).slice(-6).map((e) => JSON.stringify(e).slice(0, 600));
      throw new Error(
        `${(error as Error).message}: ${d.status.name} ${JSON.stringify(d.raw.pendingActivities).slice(0, 800)}\n${tail.join('\n')}`,
      );
    });
    const { rows } = await t.db.query<{ n: number }>(
      `select count(*)::int as n from deliveries where alert_id = $1 and status = 'sent'`,
      [alertId],
    );

    // Every message that went out is an smtp.send span whose chain leads, through a dispatch activity and
    // the alert's workflow, up to the HTTP request that set it going (its creation or the approval).
    const sent = rows[0]!.n;
    expect(sent).toBeGreaterThan(0);
    const roots = await eventually(async () => {
      const spans = exporter.getFinishedSpans();
      const sends = spans.filter((s) => s.name === 'smtp.send' && s.attributes['rapport.send.accepted'] === true);
      if (sends.length < sent) return undefined;
      const chains = sends.map((s) => ancestry(s, spans).map((a) => a.name));
      return chains.every((c) => c.at(-1)?.startsWith('POST ')) ? chains : undefined;
    }, 30_000).catch((error: unknown) => {
      const spans = exporter.getFinishedSpans();
      const seen = spans
        .filter((s) => s.name === 'smtp.send')
        .map((s) =>
          ancestry(s, spans)
            .map((a) => a.name)
            .join(' < '),
        );
      throw new Error(`${(error as Error).message}: ${sent} sent; chains: ${JSON.stringify([...new Set(seen)])}`);
    });
    for (const chain of roots) {
      expect(chain[1]).toMatch(/^RunActivity:/);
      expect(chain.some((name) => name.startsWith('RunWorkflow:broadcastAlert'))).toBe(true);
    }
    // The alert's creation is in the trace the caller sent.
    expect(
      exporter.getFinishedSpans().find((s) => s.name === 'POST /api/alerts' && traceOf(s) === requestTrace),
    ).toBeDefined();
  });

  it('every Slack listener call is a span with its kind, callback id and outcome, and none of what people typed', async () => {
    exporter.reset();
    const driver = slackDriver(t.rapport.app, slack);
    const secret = `Confidential renewal ${Date.now()}`;
    const listenerSpan = (name: string) =>
      eventually(async () => exporter.getFinishedSpans().find((s) => s.name === name), 20_000);

    // A command with text, a button Rapport never drew (its id is someone's text), App Home opened,
    // and a touch submitted from the modal with a typed summary.
    const command = await driver.command(COMMANDS.touch, { user: 'U0ANALYST', text: secret });
    expect(command.res.status).toBe(200);
    const crafted = await driver.interaction({
      type: 'block_actions',
      user: { id: 'U0ANALYST' },
      actions: [{ type: 'button', action_id: secret, block_id: 'b', value: secret, action_ts: '1' }],
    });
    // No listener has that id: Slack is answered 404 (on the HTTP span); the listener span still names it `other`.
    expect(crafted.status).toBe(404);
    const home = await driver.event(
      { type: 'app_home_opened', user: 'U0ANALYST', channel: 'D0ANA', tab: 'home', event_ts: '1.2' },
      `EvTrace${Date.now()}`,
    );
    expect(home.status).toBe(200);
    const submitted = await driver.interaction({
      type: 'view_submission',
      user: { id: 'U0ANALYST' },
      view: viewPayload(
        { id: `V0TRACE${Date.now()}`, hash: 'h', callback_id: VIEWS.logTouch, private_metadata: '{}' },
        {
          [TOUCH_BLOCKS.customer]: {
            [ACTIONS.customerSelect]: {
              type: 'external_select',
              selected_option: { text: { type: 'plain_text', text: 'Joe' }, value: String(DEMO.joe.id) },
            },
          },
          [TOUCH_BLOCKS.channel]: {
            [ACTIONS.channelSelect]: { type: 'static_select', selected_option: { value: 'call' } },
          },
          [TOUCH_BLOCKS.summary]: { [ACTIONS.summaryInput]: { type: 'plain_text_input', value: secret } },
        },
      ),
    });
    expect(submitted.status).toBe(200);

    const commandSpan = await listenerSpan('slack.command /touch');
    const actionSpan = await listenerSpan('slack.action other');
    const homeSpan = await listenerSpan('slack.event app_home_opened');
    const viewSpan = await listenerSpan(`slack.view ${VIEWS.logTouch}`);
    for (const [span, kind, callbackId] of [
      [commandSpan, 'command', COMMANDS.touch],
      [actionSpan, 'action', 'other'],
      [homeSpan, 'event', 'app_home_opened'],
      [viewSpan, 'view', VIEWS.logTouch],
    ] as const) {
      expect(span.kind).toBe(SpanKind.INTERNAL);
      expect(span.attributes).toMatchObject({
        'rapport.slack.kind': kind,
        'rapport.slack.callback_id': callbackId,
        'rapport.slack.outcome': 'ok',
      });
    }
    expect(viewSpan.attributes['rapport.slack.payload_type']).toBe('view_submission');

    // Each is the child of the HTTP request that carried it; the Web API calls it made are its children.
    const spans = exporter.getFinishedSpans();
    const parent = spans.find((s) => id(s) === commandSpan.parentSpanId);
    expect(parent?.name).toBe('POST /slack/events');
    const opened = await eventually(async () =>
      exporter.getFinishedSpans().find((s) => s.name === 'slack.views.open' && s.parentSpanId === id(commandSpan)),
    );
    expect(opened.attributes['peer.service']).toBe('slack');

    // Nothing anyone typed, and no Slack user, leaves in a span.
    const text = JSON.stringify(
      exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
    );
    expect(text).not.toContain(secret);
    expect(text).not.toContain('U0ANALYST');
  });
});
