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

/** The HTTP listener on HOST:PORT; a taken port is named in the error. */
export async function startHttp(app: RapportApp, hostname: string, port: number, cleanups: Cleanups): Promise<void> {
  const server = await new Promise<ServerType>((resolvePromise, reject) => {
    const listening = serve({ fetch: app.fetch, hostname, port }, () => resolvePromise(listening));
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
}
