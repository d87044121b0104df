/**
 * What Rapport counts for operators, as an interface the parts that do the work are handed
 * (main/metrics.ts implements it on prom-client and serves it at /metrics). The faces, services,
 * channels, workflows and the CRM adapter know only this, never the metrics library, so a process
 * without metrics (a test, a script) passes NO_METRICS and nothing else changes.
 *
 * Labels are closed vocabularies (channel, outcome, route template, status code): never an
 * email, a name, an alert's title or a path with a customer's id in it.
 */
export interface Metrics {
  /** One delivery's outcome as the ledger records it (sent, failed, bounced), on the channel it went out on. */
  delivery(channel: string, outcome: string): void;
  /** One HTTP request to the CRM (retries each count): kind standard or search, status an HTTP code, `timeout` or `network`. */
  crmRequest(kind: string, traffic: string, status: string): void;
  /** An approver's decision was recorded: seconds from the approval request to it. */
  approvalDecision(decision: string, seconds: number): void;
  /** A Slack request answered: seconds from its arrival to our answer (Slack gives up after 3). */
  slackAck(type: string, status: number, seconds: number): void;
  /** One HTTP request served: the route's template (never the raw path), its status and duration. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
}

/** For processes and tests that count nothing. */
export const NO_METRICS: Metrics = {
  delivery: () => undefined,
  crmRequest: () => undefined,
  approvalDecision: () => undefined,
  slackAck: () => undefined,
  httpRequest: () => undefined,
};
