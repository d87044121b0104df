import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';

/**
 * The trace of one touch, as an operator would follow it in Jaeger or Tempo: the HTTP request,
 * the workflow start, the workflow run, the activity and the CRM call that wrote the engagement,
 * one trace, each span the child of the one before. Spans go to an in-memory exporter instead of
 * a collector; everything else is the real thing (hono, Temporal dev server, HubSpot sandbox).
 */
const exporter = new InMemorySpanExporter();
let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport({ spanExporter: exporter });
});
afterAll(async () => {
  await t?.stop();
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
});
