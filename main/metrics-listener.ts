import { createServer, type Server } from 'node:http';
import { answerMetrics, type MetricsEndpoint } from '../server/routes/metrics.js';

/**
 * `npm run worker` has no HTTP face: its /metrics gets a listener of its own on METRICS_PORT,
 * behind the same bearer token as the API's (METRICS_TOKEN). It answers GET /metrics and nothing
 * else. Resolves with the port bound (0: any free one).
 */
export async function startMetricsListener(
  endpoint: MetricsEndpoint,
  host: string,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    const request = new Request(`http://${host}${path}`, {
      headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
    });
    answerMetrics(request, endpoint).then(
      async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text());
      },
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' ? new Error(`METRICS_PORT ${port} is already in use; set another port`) : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
