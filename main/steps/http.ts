import { Server as HttpServer } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import type { RapportApp } from '../../server/app.js';
import type { Cleanups } from './cleanups.js';

/**
 * Idle keep-alive connections stay open this long. Node closes them after 5 s, so Slack (and a
 * load balancer: AWS ALB keeps idle connections 60 s) would often open a new connection, with its
 * TCP and TLS handshakes, on the path Slack times at 3 s. Longer than the balancer's, so the
 * server never closes a connection the balancer is about to reuse.
 */
const KEEP_ALIVE_MS = 65_000;

/**
 * An answer given before the whole request arrived (a 401 or a too-large 400 to an upload still
 * streaming) says `Connection: close`: the server then drains what is on its way for a moment and
 * drops the socket, and a client told keep-alive would reuse a connection that is going away.
 */
function closingEarlyAnswers(app: RapportApp) {
  return async (request: Request, env: { incoming: { complete: boolean } }): Promise<Response> => {
    const response = await app.fetch(request, env as never);
    if (env.incoming.complete) return response;
    try {
      response.headers.set('connection', 'close');
      return response;
    } catch {
      // Immutable headers (a redirect): copy them.
      const headers = new Headers(response.headers);
      headers.set('connection', 'close');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }
  };
}

/** The HTTP listener on HOST:PORT; a taken port is named in the error. Answers the port bound (PORT=0: any free one). */
export async function startHttp(
  app: RapportApp,
  hostname: string,
  port: number,
  cleanups: Cleanups,
): Promise<{ port: number }> {
  const server = await new Promise<ServerType>((resolvePromise, reject) => {
    const listening = serve({ fetch: closingEarlyAnswers(app), hostname, port }, () => resolvePromise(listening));
    if (listening instanceof HttpServer) {
      listening.keepAliveTimeout = KEEP_ALIVE_MS;
      // Node wants the headers timeout above the keep-alive timeout.
      listening.headersTimeout = KEEP_ALIVE_MS + 1_000;
    }
    listening.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' ? new Error(`PORT ${port} is already in use; set PORT to another port`) : error,
      ),
    );
  });
  cleanups.defer(() => new Promise((done) => server.close(() => done(undefined))));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : port };
}
