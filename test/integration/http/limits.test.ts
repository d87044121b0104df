import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanups } from '../../../main/steps/cleanups.js';
import { startHttp } from '../../../main/steps/http.js';
import { startTestRapport, TEST_API_TOKEN, type TestRapport } from '../../../testkit/rapport.js';
import { BROADCAST_ENV } from '../broadcast/support.js';

/**
 * Limits before work: bodies are read under a cap, mail the parser cannot take is accepted with
 * a reason instead of a 500 the provider would retry for ever, a URL that is not valid
 * percent-encoding is a 400, and an answer given before the body arrived closes the connection
 * instead of advertising keep-alive and then dropping the socket. Over a real socket, as a client
 * or a load balancer sees it.
 */
let t: TestRapport;
let port: number;
const cleanups = new Cleanups(() => undefined);

beforeAll(async () => {
  t = await startTestRapport({ env: BROADCAST_ENV });
  ({ port } = await startHttp(t.rapport.app, '127.0.0.1', 0, cleanups));
});
afterAll(async () => {
  await cleanups.run();
  await t?.stop();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  /** The server ended the connection within a second of answering. */
  closed: boolean;
}

/** Writes `head` (and `body`, if any) and reads the answer's status line and headers. */
function exchange(head: string, body = ''): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let answer: Omit<RawAnswer, 'closed'> | undefined;
    let closed = false;
    const finish = () => {
      socket.destroy();
      if (answer) resolve({ ...answer, closed });
      else reject(new Error(`no answer; got ${JSON.stringify(received.slice(0, 200))}`));
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (!answer && end > 0) {
        const [statusLine = '', ...lines] = received.slice(0, end).split('\r\n');
        answer = {
          status: Number(statusLine.split(' ')[1]),
          headers: Object.fromEntries(
            lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
          ),
        };
        setTimeout(finish, 1_000);
      }
    });
    socket.on('end', () => {
      closed = true;
    });
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', () => {
      closed = true;
    });
    socket.write(head + body);
    setTimeout(finish, 10_000);
  });
}

const post = (path: string, headers: Record<string, string>) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

describe('an answer given before the body arrived', () => {
  it('an unauthenticated upload still on its way: 401 at once, and the connection closes, said so', async () => {
    const answer = await exchange(
      post('/api/touches', { 'content-type': 'application/json', 'content-length': String(32 * 1024) }),
      '{"contact":',
    );
    expect(answer.status).toBe(401);
    expect(answer.headers.connection).toBe('close');
    expect(answer.closed).toBe(true);
  });

  it('a 10 MB upload: 400 before a byte of it is read or anyone is asked who sent it', async () => {
    const answer = await exchange(
      post('/api/touches', { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) }),
      '{"contact":',
    );
    expect(answer.status).toBe(400);
    expect(answer.headers.connection).toBe('close');
    expect(answer.closed).toBe(true);
  });

  it('a body over the cap: 400 naming the body, and the connection closes, said so', async () => {
    const answer = await exchange(
      post('/api/touches', {
        authorization: `Bearer ${TEST_API_TOKEN}`,
        'content-type': 'application/json',
        'content-length': String(1024 * 1024),
      }),
      '{"contact":',
    );
    expect(answer.status).toBe(400);
    expect(answer.headers.connection).toBe('close');
  });

  it('a chunked body past the cap is refused while it streams', async () => {
    const chunk = 'a'.repeat(32 * 1024);
    const chunks = Array.from({ length: 8 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const answer = await exchange(
      post('/api/touches', {
        authorization: `Bearer ${TEST_API_TOKEN}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      }),
      chunks, // no last chunk: the body never ends
    );
    expect(answer.status).toBe(400);
    expect(answer.headers.connection).toBe('close');
  });

  it('Slack events: an unsigned body past 1 MB is refused while it streams, before any signature check', async () => {
    const chunk = 'a'.repeat(32 * 1024);
    const chunks = Array.from({ length: 40 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const answer = await exchange(
      post('/slack/events', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
      chunks, // no last chunk: the body never ends
    );
    expect(answer.status).toBe(400);
    expect(answer.headers.connection).toBe('close');
  });

  it('a complete request keeps its connection', async () => {
    const answer = await exchange(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('keep-alive');
    expect(answer.closed).toBe(false);
  });
});

describe('URLs that are not valid percent-encoding', () => {
  it.each(['/addin/%', '/addin/%E0%A4%A', '/approvals/%zz', '/api/alerts?topic=%E0%A4%A', '/r/abc%?a=yes'])(
    'GET %s is a 400, not a 500',
    async (path) => {
      const res = await t.api(path);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { field?: string } }).error.field).toBe('(url)');
    },
  );
});

describe('inbound mail the parser cannot take', () => {
  it('more than 1 MiB of headers is accepted unmatched with the reason, never a 500 the provider retries', async () => {
    const raw = [
      'From: someone@acme-logistics.example',
      `X-Padding: ${'a'.repeat(1100 * 1024)}`,
      'Subject: hello',
      '',
      'body',
      '',
    ].join('\r\n');
    const res = await t.api('/api/inbound/email', {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ matched: false, reason: expect.stringMatching(/could not be parsed/) });
  });
});
