import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../../channels/adapter.js';
import type { EmailSender } from '../../../channels/email/sender.js';
import type { CrmPort } from '../../../crm/port.js';
import { NO_TRACING } from '../../../lib/tracing.js';
import { traceCrm } from '../../../main/traced-crm.js';
import { parseOtlpHeaders, startTracing, tracesUrl } from '../../../main/tracing.js';
import { requestTracing } from '../../../server/middleware/tracing.js';
import { traceChannel, traceEmailSender } from '../../../services/traced-channels.js';

const off = {
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_HEADERS: undefined,
  OTEL_SERVICE_NAME: undefined,
  OTEL_TRACES_SAMPLER_ARG: undefined,
};

function traced() {
  const exporter = new InMemorySpanExporter();
  const runtime = startTracing(off, { defaultServiceName: 'rapport-test', exporter })!;
  return { exporter, runtime };
}

const fakeCrm = {
  findContactByEmail: async () => null,
  createEngagements: async (batch: unknown[]) => batch.map((_, i) => ({ id: String(i), created: true })),
  getContact: async () => {
    throw Object.assign(new Error('contact joe@acme.example not found'), { code: 'CRM_NOT_FOUND' });
  },
} as unknown as CrmPort;

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('builds nothing: no provider, and every decorator hands back the very object it was given', () => {
    expect(startTracing(off, { defaultServiceName: 'rapport' })).toBeUndefined();
    const mail = { send: async () => undefined } as unknown as EmailSender;
    const adapter = { channel: 'slack', send: async () => undefined } as unknown as ChannelAdapter;
    expect(traceCrm(fakeCrm, NO_TRACING, 'background')).toBe(fakeCrm);
    expect(traceEmailSender(mail, NO_TRACING)).toBe(mail);
    expect(traceChannel(adapter, NO_TRACING)).toBe(adapter);
  });
});

describe('the standard OTLP variables', () => {
  it('send traces to <endpoint>/v1/traces, or to the traces endpoint as given', () => {
    expect(tracesUrl({ ...off, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesUrl({
        ...off,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo.example/otlp/v1/traces',
      }),
    ).toBe('https://tempo.example/otlp/v1/traces');
    expect(tracesUrl(off)).toBeUndefined();
  });

  it('read OTEL_EXPORTER_OTLP_HEADERS as key=value pairs, URL-decoded', () => {
    expect(parseOtlpHeaders('api-key=abc%3D%3D, x-scope-orgid=tenant1,broken')).toEqual({
      'api-key': 'abc==',
      'x-scope-orgid': 'tenant1',
    });
  });
});

describe('tracing on', () => {
  it('wraps each CRM call in a client span with the operation and batch size, never its arguments', async () => {
    const { exporter, runtime } = traced();
    const crm = traceCrm(fakeCrm, runtime.tracing, 'background');
    await crm.createEngagements([{} as never, {} as never]);
    await expect(crm.getContact('1')).rejects.toMatchObject({ code: 'CRM_NOT_FOUND' });
    const [write, failed] = exporter.getFinishedSpans();
    expect(write!.name).toBe('crm.createEngagements');
    expect(write!.kind).toBe(SpanKind.CLIENT);
    expect(write!.attributes).toMatchObject({ 'rapport.crm.batch_size': 2, 'rapport.crm.traffic': 'background' });
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'CRM_NOT_FOUND' });
    // The error's message named a customer: the span keeps its code only.
    expect(JSON.stringify([failed!.attributes, failed!.events, failed!.status])).not.toContain('joe@');
  });

  it('wraps SMTP sends and channel sends with their outcome', async () => {
    const { exporter, runtime } = traced();
    const mail = {
      send: async () => ({ accepted: true, permanent: false, messageId: 'm', response: '250', responseCode: 250 }),
      target: 'smtp://catcher',
    } as unknown as EmailSender;
    const slack = {
      channel: 'slack',
      send: async () => ({ status: 'bounced', channel: 'slack' }),
    } as unknown as ChannelAdapter;
    const tracedMail = traceEmailSender(mail, runtime.tracing);
    expect(tracedMail.target).toBe('smtp://catcher');
    await tracedMail.send({} as never);
    await traceChannel(slack, runtime.tracing).send({} as never, {} as never, () => '');
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.attributes])).toEqual([
      ['smtp.send', expect.objectContaining({ 'rapport.send.accepted': true, 'rapport.smtp.response_code': 250 })],
      ['slack.chat.postMessage', { 'rapport.channel': 'slack', 'rapport.send.outcome': 'bounced' }],
    ]);
  });

  it('opens a server span per request, named by the route template, joining a caller traceparent', async () => {
    const { exporter, runtime } = traced();
    const app = new Hono().use(requestTracing(runtime.tracer));
    app.get('/api/alerts/:id', async (c) => {
      // A CRM call inside the request is the request span's child.
      await traceCrm(fakeCrm, runtime.tracing, 'interactive').findContactByEmail('x');
      return c.json({ ok: true });
    });
    const caller = '0af7651916cd43dd8448eb211c80319c';
    await app.request('/api/alerts/alr_123?email=joe@acme.example', {
      headers: { traceparent: `00-${caller}-b7ad6b7169203331-01` },
    });
    const [crm, http] = exporter.getFinishedSpans();
    expect(http!.name).toBe('GET /api/alerts/:id');
    expect(http!.kind).toBe(SpanKind.SERVER);
    expect(http!.spanContext().traceId).toBe(caller);
    expect(http!.parentSpanId).toBe('b7ad6b7169203331');
    expect(crm!.parentSpanId).toBe(http!.spanContext().spanId);
    expect(http!.attributes).toMatchObject({ 'http.route': '/api/alerts/:id', 'http.response.status_code': 200 });
    // The query string (an address here) is not recorded.
    expect(JSON.stringify(http!.attributes)).not.toContain('joe@');
  });
});

describe("the bot client's Slack Web API calls", () => {
  it('are client spans named by method, through the real WebClient, and off means the client untouched', async () => {
    const { webApi } = await import('@slack/bolt');
    const { startSlackStandIn } = await import('../../../sandbox/slack/index.js');
    const { traceSlackClient, slackMethodOf } = await import('../../../slack-app/traced-client.js');
    const standIn = await startSlackStandIn({
      botToken: 'xoxb-unit',
      users: [{ id: 'U0ANA', name: 'ana', email: 'ana@bank.example', realName: 'Ana' }],
    });
    try {
      const { exporter, runtime } = traced();
      const make = () => new webApi.WebClient('xoxb-unit', { slackApiUrl: `${standIn.apiUrl.replace(/\/?$/, '/')}` });
      const plain = make();
      const before = (plain as unknown as { makeRequest: unknown }).makeRequest;
      expect(traceSlackClient(plain, NO_TRACING)).toBe(plain);
      expect((plain as unknown as { makeRequest: unknown }).makeRequest).toBe(before);

      const client = traceSlackClient(make(), runtime.tracing);
      await client.users.lookupByEmail({ email: 'ana@bank.example' });
      const [span] = exporter.getFinishedSpans();
      expect(span!.name).toBe('slack.users.lookupByEmail');
      expect(span!.kind).toBe(SpanKind.CLIENT);
      expect(span!.attributes).toEqual({ 'peer.service': 'slack', 'rapport.slack.method': 'users.lookupByEmail' });
      expect(slackMethodOf('https://slack.com/api/chat.postMessage')).toBe('chat.postMessage');
    } finally {
      await standIn.close();
    }
  });
});
