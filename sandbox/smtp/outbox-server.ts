import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface OutboxServer {
  port: number;
  close(): Promise<void>;
}

export async function startOutboxServer(app: Hono, port: number, host: string): Promise<OutboxServer> {
  const server = serve({ fetch: app.fetch, port, hostname: host });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        // Browsers and fetch keep connections alive; without this close() waits for them to time out.
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
