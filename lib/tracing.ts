/**
 * Spans around calls that leave the process (the CRM, SMTP, Slack, SMS), as an interface the parts
 * are handed: main/tracing.ts implements it on OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set; everyone else gets NO_TRACING, which calls straight through (no span, no context, no cost).
 *
 * Attributes are operational facts (the operation, a channel, a count, an HTTP-like status), never
 * an email address, a name, an alert's text or a token: spans leave the process for a collector.
 */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/**
 * client (default): a call that leaves the process. server: work a caller outside started with no
 * span of ours above it (a Slack event over Socket Mode). internal: work inside a span of ours (a
 * Slack listener inside the HTTP request that carried it).
 */
export type SpanKindName = 'client' | 'server' | 'internal';

export interface Tracing {
  /** false for NO_TRACING: a caller may skip building attributes it would only hand to a span. */
  readonly on: boolean;
  /**
   * Runs `fn` inside a client span named `name`, a child of the span active where it is called (an
   * activity's, an HTTP request's). A rejection is recorded on the span and rethrown as it is.
   * `fn` may add attributes it learns on the way (a result's count, an outcome).
   */
  span<T>(
    name: string,
    attributes: SpanAttributes,
    fn: (annotate: (more: SpanAttributes) => void) => Promise<T>,
    options?: { kind?: SpanKindName },
  ): Promise<T>;
}

const ignore = () => undefined;

/** For processes and tests that trace nothing: the call, and nothing else. */
export const NO_TRACING: Tracing = {
  on: false,
  span: (_name, _attributes, fn) => fn(ignore),
};
