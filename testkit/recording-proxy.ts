import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request through the proxy and what came back, bodies parsed as JSON where they are JSON. */
export interface RecordedExchange {
  method: string;
  url: string;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
  headers: Record<string, string>;
}

export interface RecordingProxy {
  url: string;
  exchanges: RecordedExchange[];
  close(): Promise<void>;
}

// Hop-by-hop or rewritten by fetch (it decompresses): never passed on.
const DROP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

const parse = (text: string): unknown => {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A local HTTP proxy in front of a HubSpot (the sandbox or a real portal): the adapter talks to it
 * unchanged, and every exchange is kept, so a test can check what HubSpot actually answered, not
 * what the client library made of it. Authorization is passed through and never recorded.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const base = target.replace(/\/+$/, '');
  const exchanges: RecordedExchange[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || DROP.has(name)) continue;
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const method = req.method ?? 'GET';
      try {
        const answer = await fetch(base + (req.url ?? '/'), {
          method,
          headers,
          ...(body.length > 0 && method !== 'GET' ? { body } : {}),
        });
        const text = await answer.text();
        const answerHeaders: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (!DROP.has(name)) answerHeaders[name] = value;
        });
        exchanges.push({
          method,
          url: req.url ?? '/',
          requestBody: parse(body.toString('utf8')),
          status: answer.status,
          responseBody: parse(text),
          headers: answerHeaders,
        });
        res.writeHead(answer.status, answerHeaders);
        res.end(text);
      } catch (error) {
        // The target dropped the connection: drop ours too, so the client sees what it would have.
        exchanges.push({
          method,
          url: req.url ?? '/',
          requestBody: parse(body.toString('utf8')),
          status: 0,
          headers: {},
        });
        res.destroy(error instanceof Error ? error : undefined);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
