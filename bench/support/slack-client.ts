import { Worker } from 'node:worker_threads';
import { rpc } from './threads.js';

/** One HTTP request, ready to write as it is. */
export interface Prepared {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** One answer: time from writing the request until the whole response arrived. */
export interface Sent {
  ms: number;
  status: number;
  body: string;
}

/**
 * Fires every request of a batch at once and times each from writing it until its whole response
 * has arrived, on its own event loop. Keep-alive sockets, as Slack's side keeps them; enough of
 * them that no request waits for one.
 */
const CLIENT = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 4096 });
function send(base, p) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request(
      { agent, host: base.host, port: base.port, method: p.method, path: p.path, headers: p.headers },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ ms: performance.now() - started, status: res.statusCode, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', (e) => resolve({ ms: performance.now() - started, status: 0, body: String(e) }));
    req.end(p.body);
  });
}
parentPort.on('message', async ({ id, request }) => {
  parentPort.postMessage({ id, result: await Promise.all(request.requests.map((p) => send(request.base, p))) });
});
`;

/** Slack's side of the HTTP calls, on a thread of its own so its work is not on Rapport's loop. */
export function startSlackClient() {
  const thread = new Worker(CLIENT, { eval: true });
  const ask = rpc(thread);
  return {
    /** Sends the whole batch at once to `base`; answers in the batch's order. */
    send: (base: { host: string; port: string }, requests: Prepared[]) => ask<Sent[]>({ base, requests }),
    close: () => thread.terminate(),
  };
}
