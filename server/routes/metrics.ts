import { timingSafeEqual } from 'node:crypto';

/** The Prometheus exposition of this process (main/metrics.ts) and the token that guards it. */
export interface MetricsEndpoint {
  /** METRICS_TOKEN: a scraper sends it as a bearer token. */
  token: string;
  render(): Promise<{ contentType: string; body: string }>;
}

/** True when the Authorization header carries `token` (compared in constant time). */
export function metricsAuthorized(header: string | undefined | null, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * GET /metrics: the series with the token, 401 without. Its own token, not the API's: a scraper
 * holds no right to read or change anything else, and an API token does not open it either.
 * The API mounts it (server/app.ts) and so does the worker's own listener (main/metrics-listener.ts).
 */
export async function answerMetrics(request: Request, endpoint: MetricsEndpoint): Promise<Response> {
  if (!metricsAuthorized(request.headers.get('authorization'), endpoint.token))
    return new Response('a bearer token (METRICS_TOKEN) is required\n', {
      status: 401,
      headers: { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' },
    });
  const { contentType, body } = await endpoint.render();
  return new Response(body, { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
}
