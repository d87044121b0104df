import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerInterceptors, WorkerOptions } from '@temporalio/worker';
import { createRequire } from 'node:module';
import type { Env } from '../config/env.js';
import type { SpanAttributes, SpanKindName, Tracing } from '../lib/tracing.js';

const require = createRequire(import.meta.url);
/** The SDK's workflow interceptors: bundled with the workflows, they trace runs inside the sandbox. */
export const WORKFLOW_TRACING_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** What a worker needs to trace: activity interceptors, the workflow module and the sink its spans leave by. */
export interface WorkerTracing {
  interceptors: WorkerInterceptors;
  sinks: NonNullable<WorkerOptions['sinks']>;
  workflowModules: string[];
}

/** One process's tracing, on when OTEL_EXPORTER_OTLP_ENDPOINT (or a test's exporter) is given. */
export interface TracingRuntime {
  tracer: Tracer;
  /** The lib/tracing.ts face the CRM decorator and the channels are handed. */
  tracing: Tracing;
  /** For the Temporal Client: starts, signals and updates carry the caller's trace to the workflow. */
  clientInterceptors: ClientInterceptors;
  worker: WorkerTracing;
  /** Sends what is still buffered (at stop). */
  shutdown(): Promise<void>;
}

export type TracingEnv = Pick<
  Env,
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_HEADERS'
  | 'OTEL_SERVICE_NAME'
  | 'OTEL_TRACES_SAMPLER_ARG'
>;

/** `<endpoint>/v1/traces` (the OTLP/HTTP path), or the traces endpoint as given. */
export function tracesUrl(env: TracingEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/** `key=value,key2=value2` as the OTel specification writes OTEL_EXPORTER_OTLP_HEADERS (values URL-encoded). */
export function parseOtlpHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of (value ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const key = part.slice(0, at).trim();
    const raw = part.slice(at + 1).trim();
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // Not URL-encoded after all: sent as written.
    }
    if (key) headers[key] = decoded;
  }
  return headers;
}

let globalsRegistered = false;

/**
 * Tracing for this process, or undefined (off: no provider, no middleware, no interceptors, so a
 * request pays nothing). `exporter`: a test's in-memory exporter, sent span by span.
 */
export function startTracing(
  env: TracingEnv,
  options: { defaultServiceName: string; exporter?: SpanExporter; version?: string },
): TracingRuntime | undefined {
  const url = tracesUrl(env);
  if (!url && !options.exporter) return undefined;
  const resource = new Resource({
    [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? options.defaultServiceName,
    ...(options.version ? { [ATTR_SERVICE_VERSION]: options.version } : {}),
  });
  const processor: SpanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url, headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS) }));
  const provider = new NodeTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(env.OTEL_TRACES_SAMPLER_ARG ?? 1) }),
    spanProcessors: [processor],
  });
  // The context manager (AsyncLocalStorage) and the W3C propagator are process-wide in the OTel
  // API: registered once. Spans are started on this provider's tracer, handed to each part, so a
  // second runtime in one process (tests) still exports to its own processor.
  if (!globalsRegistered) {
    globalsRegistered = true;
    provider.register();
  }
  const tracer = provider.getTracer('rapport');
  const interceptorOptions = { tracer };
  return {
    tracer,
    tracing: tracingOn(tracer),
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor(interceptorOptions)] },
    worker: {
      interceptors: {
        // The worker's own client (the sweep's starts) and each activity: a span per execution,
        // the child of the workflow span that scheduled it.
        client: { workflow: [new OpenTelemetryWorkflowClientInterceptor(interceptorOptions)] },
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx, interceptorOptions),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      // Workflow code cannot export: its spans leave the sandbox through this sink (never on replay).
      sinks: { exporter: makeWorkflowExporter(processor, resource) },
      workflowModules: [WORKFLOW_TRACING_MODULE],
    },
    shutdown: () => provider.shutdown(),
  };
}

const KINDS: Record<SpanKindName, SpanKind> = {
  client: SpanKind.CLIENT,
  server: SpanKind.SERVER,
  internal: SpanKind.INTERNAL,
};

/** lib/tracing.ts on an OpenTelemetry tracer: client spans unless told, children of the active context. */
export function tracingOn(tracer: Tracer): Tracing {
  return {
    on: true,
    span: (name, attributes, fn, options) =>
      tracer.startActiveSpan(
        name,
        { kind: KINDS[options?.kind ?? 'client'], attributes: defined(attributes) },
        async (span) => {
          try {
            return await fn((more) => span.setAttributes(defined(more)));
          } catch (error) {
            // The error's code or class, not its message: a message may quote a customer's address.
            const type = errorType(error);
            span.setAttribute('error.type', type);
            span.setStatus({ code: SpanStatusCode.ERROR, message: type });
            throw error;
          } finally {
            span.end();
          }
        },
      ),
  };
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}

/** An error's string code (CrmError, EmailSendError, DomainError) or its class name. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[\w.-]{1,64}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'error';
}
