/**
 * The page of one workflow in the Temporal Web UI (TEMPORAL_UI_URL), for operators following an
 * alert from the API or Slack into Temporal's history of it.
 */
export interface TemporalUi {
  /** The UI's base URL, e.g. http://localhost:8233 or https://cloud.temporal.io. */
  url: string;
  namespace: string;
}

export function workflowUrl(ui: TemporalUi, workflowId: string): string {
  return `${ui.url.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
