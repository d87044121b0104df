import type { Server } from 'node:net';

/** Listens and resolves with the bound port; rejects on EADDRINUSE and friends instead of crashing. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Listens on the same port again; the port can stay busy for a moment after close, so retry briefly. */
export async function listenAgain(server: Server, port: number, host: string, attempts = 50): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await listen(server, port, host);
      return;
    } catch (error) {
      if (attempt >= attempts || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
