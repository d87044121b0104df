import { createConnection, createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether nothing listens on the port yet (we can bind it ourselves). */
export function canListen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * `count` distinct free ports in [from, to]. The kernel's ephemeral range (freePort) starts at
 * 32768 on Linux, above what some servers can store (Temporal keeps member ports as SMALLINT),
 * so these are picked at random below it and checked by binding.
 */
export async function freePortsBelow(count: number, to = 32_767, from = 10_000, host = '127.0.0.1'): Promise<number[]> {
  const picked = new Set<number>();
  for (let tries = 0; picked.size < count; tries++) {
    if (tries > count * 200) throw new Error(`no ${count} free ports between ${from} and ${to} on ${host}`);
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (!picked.has(port) && (await canListen(port, host))) picked.add(port);
  }
  return [...picked];
}
