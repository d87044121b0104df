import { signatureHeaders } from './slack-requests.js';
import { createRandom } from '../sandbox/hubspot/seed/prng.js';

/**
 * Hostile HTTP requests for every public route, from a seed: the hostile-input suite
 * (test/integration/http/hostile-input.test.ts) and `npm run fuzz` (scripts/fuzz.ts) draw from
 * here. Property-based in the fast-check manner, without fast-check (not a dependency): a seeded
 * generator, so a failing request is reproduced from its seed and index. Each request starts from
 * a well-formed one for its route and is broken one way: a field replaced by a hostile value (NUL,
 * lone surrogates, control characters, huge or deeply nested values, wrong types), the body's bytes
 * broken (invalid UTF-8, truncated JSON, deep nesting), an oversized or chunked body, a wrong
 * content type, a path or query with bad percent-encoding, or a bad credential.
 */

// The sandbox's seeded generator: the same sequence for the same seed everywhere.
export type Rng = ReturnType<typeof createRandom>;

export interface HostileRequest {
  /** The route's name, for counts (`POST /api/touches`). */
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Bytes of the body; sent in `chunks` pieces (a chunked body) when chunks > 1. */
  body?: Uint8Array;
  chunks?: number;
  /** What was broken, for the report of a failing request. */
  how: string;
}

/** What the generator needs to know of the Rapport it attacks. */
export interface Target {
  apiToken: string;
  /** A valid add-in token (the development sign-in's), so add-in routes are reached past sign-in. */
  addinToken?: string;
  slackSigningSecret?: string;
  /** Ids that exist, so some requests reach deep into a route (an alert, a touch, a follow-up). */
  known?: { alertId?: string; touchId?: string; taskId?: string; customerEmail?: string };
}

const enc = new TextEncoder();
const bytes = (text: string) => enc.encode(text);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Strings a parser, a database or a renderer may choke on. */
export function hostileString(rng: Rng): string {
  const big = () => 'A'.repeat(rng.pick([255, 256, 1_000, 10_001, 70_000, 300_000]));
  return rng.pick<() => string>([
    () => '',
    () => '\u0000',
    () => `before\u0000after`,
    () => '\ud800',
    () => 'x\udfff\ud800y',
    () => '\u0001\u0002\u0007\u001b[31m\u007f',
    () => '\u202e\u200b\ufeff',
    () => big(),
    () => '<script>alert(1)</script>',
    () => '<!channel> <https://evil.example|Approve>',
    () => "'; drop table touches; --",
    () => '../../../../etc/passwd',
    () => '%00%ZZ%E0%A4%A',
    () => '{{7*7}}${7*7}',
    () => '𝕏'.repeat(rng.int(1, 5_000)),
    () => ' '.repeat(rng.int(1, 300)),
    () => 'a@b',
    () => '\r\nSet-Cookie: x=1',
    () => '1e309',
    () => '__proto__',
  ])();
}

/** A hostile JSON value: strings as above, odd numbers, wrong types, deep or wide structures. */
export function hostileValue(rng: Rng, depth = 0): unknown {
  const kinds: (() => unknown)[] = [
    () => hostileString(rng),
    () => null,
    () => rng.pick([0, -1, -0, 1e308, -1e308, 2 ** 53 + 1, 0.1, 4294967296, -2147483649]),
    () => rng.pick([true, false]),
    () => [],
    () => ({}),
    () => nested(rng.int(10, 1_000), rng.chance(0.5)), // deeper: as text (encodeBody)
    () => Array.from({ length: rng.int(100, 20_000) }, () => 'x'),
    () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  ];
  if (depth < 2) kinds.push(() => ({ [hostileString(rng).slice(0, 50)]: hostileValue(rng, depth + 1) }));
  return rng.pick(kinds)();
}

function nested(depth: number, arrays: boolean): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
}

/** `base` with one field (at any depth) replaced, removed, or one field added. */
function mutate(rng: Rng, base: Record<string, unknown>): { body: unknown; how: string } {
  const copy = structuredClone(base);
  const paths: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        paths.push([...path, k]);
        walk(v, [...path, k]);
      }
  };
  walk(copy, []);
  const choice = rng.int(0, 9);
  if (choice === 0 || paths.length === 0) {
    const key = rng.chance(0.5) ? hostileString(rng).slice(0, 40) : 'extra';
    (copy as Record<string, unknown>)[key] = hostileValue(rng);
    return { body: copy, how: 'added a field' };
  }
  const path = rng.pick(paths);
  let parent: Record<string | number, unknown> = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (choice === 1) {
    delete parent[last];
    return { body: copy, how: `removed ${path.join('.')}` };
  }
  parent[last] = hostileValue(rng);
  return { body: copy, how: `replaced ${path.join('.')}` };
}

/** The body's bytes, broken in one of several ways (or not at all). */
function encodeBody(rng: Rng, value: unknown): { body: Uint8Array; how: string } {
  const text = JSON.stringify(value) ?? 'null';
  switch (rng.int(0, 11)) {
    case 0: {
      // Invalid UTF-8 inside a string.
      const at = Math.max(1, text.indexOf('"', 1) + 1);
      const bad = rng.pick([[0xff], [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xf0, 0x90, 0x28, 0xbc], [0xed, 0xa0, 0x80]]);
      return {
        body: concat(bytes(text.slice(0, at)), Uint8Array.from(bad), bytes(text.slice(at))),
        how: 'invalid UTF-8',
      };
    }
    case 1:
      return { body: bytes(text.slice(0, rng.int(0, text.length))), how: 'truncated JSON' };
    case 2: {
      const depth = rng.pick([1_000, 50_000, 200_000]);
      return { body: bytes('['.repeat(depth) + ']'.repeat(depth)), how: `nesting ${depth} deep` };
    }
    case 3:
      return { body: bytes(text.replace(/"/, '"\u0000')), how: 'raw NUL in the JSON' };
    case 4:
      return { body: bytes(`${text}${text}`), how: 'two JSON documents' };
    default:
      return { body: bytes(text), how: 'JSON' };
  }
}

/** Lone surrogates as U+FFFD: they cannot be percent-encoded (String#toWellFormed, before ES2024 libs). */
const wellFormed = (text: string) =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

const badPathParts = ['%', '%zz', '%E0%A4%A', '%00', '..%2F..%2Fetc%2Fpasswd', '%C0%AF', 'x'.repeat(5_000), '%FF%FE'];

/** One route of Rapport's public surface and a well-formed request body for it. */
interface RouteSpec {
  method: string;
  /** With `{id}` where an id goes. */
  path: string;
  auth: 'api' | 'addin' | 'slack' | 'none';
  base?: (target: Target) => Record<string, unknown>;
  contentType?: string;
  /** A body that is not JSON: built whole. */
  raw?: (rng: Rng, target: Target) => { body: Uint8Array; how: string };
}

const touch = (t: Target) => ({
  contact: { email: t.known?.customerEmail ?? 'joe.smith@acme-logistics.example' },
  channel: 'call',
  summary: 'Discussed the renewal',
  loggedBy: 'ana@rapport.example',
  outcome: 'positive',
  answers: { budget: 'yes' },
  occurredAt: new Date(0).toISOString(),
  idempotencyKey: 'fuzz-1',
});
const alert = () => ({
  requester: 'analyst@bank.example',
  title: 'Rates move',
  body: 'Our **rates** rise.',
  topic: 'rates',
  lists: ['1'],
  channels: ['email', 'slack', 'sms'],
  replyTo: 'analyst',
  approverGroup: 'alerts',
  sendAt: new Date(0).toISOString(),
});

const topic = () => ({
  name: 'Rates',
  description: 'Changes to our rates.',
  defaultChannels: ['email'],
  schedule: { kind: 'weekly', day: 'mon', time: '07:00' },
  urgentAllowed: false,
});

function mime(rng: Rng): { body: Uint8Array; how: string } {
  const headerBytes = rng.pick([100, 10_000, 1_100_000]);
  const kinds: (() => { body: Uint8Array; how: string })[] = [
    () => ({
      body: bytes(
        `From: a@b.example\r\nTo: reply+${hostileString(rng).slice(0, 100)}@rapport.example\r\nMessage-ID: <${hostileString(rng).slice(0, 200)}>\r\nSubject: ${hostileString(rng).slice(0, 1_000)}\r\n\r\n${hostileString(rng)}`,
      ),
      how: 'hostile headers and body',
    }),
    () => ({ body: bytes(`X-Big: ${'h'.repeat(headerBytes)}\r\n\r\nbody`), how: `${headerBytes} bytes of headers` }),
    () => ({ body: Uint8Array.from({ length: rng.int(0, 5_000) }, () => rng.int(0, 255)), how: 'random bytes' }),
    () => ({
      body: bytes(
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n--b',
      ),
      how: 'broken multipart',
    }),
  ];
  return rng.pick(kinds)();
}

function slackBody(rng: Rng): { body: Uint8Array; how: string; contentType: string } {
  const event = {
    type: 'event_callback',
    event_id: `Ev${rng.int(0, 1e9)}`,
    team_id: 'T0RAPPORT',
    event: { type: 'app_home_opened', user: 'U0ANA', tab: 'home', channel: 'D1' },
    authorizations: [{ team_id: 'T0RAPPORT', is_bot: true }],
  };
  const action = {
    type: rng.pick(['block_actions', 'view_submission', 'block_suggestion', 'shortcut', 'message_action']),
    user: { id: 'U0ANA' },
    team: { id: 'T0RAPPORT' },
    trigger_id: 't',
    actions: [{ action_id: rng.pick(['home_refresh', 'approve_alert', 'customer_select', 'x']), value: 'v' }],
    view: { id: 'V1', callback_id: rng.pick(['log_touch', 'request_alert', 'x']), state: { values: {} } },
    callback_id: 'log_touch',
    action_id: 'customer_select',
    value: 'jo',
  };
  switch (rng.int(0, 3)) {
    case 0: {
      const { body, how } = mutate(rng, event);
      const encoded = encodeBody(rng, body);
      return { ...encoded, how: `event: ${how}, ${encoded.how}`, contentType: 'application/json' };
    }
    case 1: {
      const { body, how } = mutate(rng, action);
      const payload = rng.chance(0.8) ? JSON.stringify(body) : hostileString(rng);
      return {
        body: bytes(new URLSearchParams({ payload }).toString()),
        how: `interaction: ${how}`,
        contentType: 'application/x-www-form-urlencoded',
      };
    }
    case 2: {
      const form: Record<string, string> = {
        command: rng.pick(['/touch', '/customer', '/alert', '/x']),
        text: hostileString(rng),
        user_id: 'U0ANA',
        team_id: 'T0RAPPORT',
        channel_id: 'C1',
        trigger_id: 't',
      };
      if (rng.chance(0.3)) delete form[rng.pick(Object.keys(form))];
      return {
        body: bytes(new URLSearchParams(form).toString()),
        how: 'command',
        contentType: 'application/x-www-form-urlencoded',
      };
    }
    default: {
      const encoded = encodeBody(rng, hostileValue(rng));
      return { ...encoded, how: `any JSON: ${encoded.how}`, contentType: rng.pick(['application/json', 'text/plain']) };
    }
  }
}

export const ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/healthz', auth: 'none' },
  { method: 'GET', path: '/readyz', auth: 'none' },
  { method: 'GET', path: '/api/docs', auth: 'none' },
  { method: 'GET', path: '/api/openapi.json', auth: 'none' },
  { method: 'GET', path: '/api/status', auth: 'api' },
  { method: 'POST', path: '/api/touches', auth: 'api', base: touch },
  { method: 'GET', path: '/api/touches/{id}', auth: 'api' },
  { method: 'GET', path: '/api/customers/context?email={email}', auth: 'api' },
  { method: 'POST', path: '/api/customers/follow-ups/{id}/complete', auth: 'api' },
  { method: 'POST', path: '/api/alerts', auth: 'api', base: alert },
  { method: 'GET', path: '/api/alerts?status={id}&topic={id}&limit={id}', auth: 'api' },
  { method: 'GET', path: '/api/alerts/{id}', auth: 'api' },
  { method: 'GET', path: '/api/topics?archived={id}', auth: 'api' },
  { method: 'GET', path: '/api/topics/{id}', auth: 'api' },
  { method: 'PUT', path: '/api/topics/{id}', auth: 'api', base: topic },
  { method: 'DELETE', path: '/api/topics/{id}', auth: 'api' },
  { method: 'GET', path: '/api/alerts/{id}/audit', auth: 'api' },
  { method: 'GET', path: '/api/alerts/{id}/progress', auth: 'api' },
  { method: 'GET', path: '/api/alerts/{id}/responses', auth: 'api' },
  { method: 'GET', path: '/api/alerts/{id}/suppressed', auth: 'api' },
  {
    method: 'POST',
    path: '/api/alerts/{id}/decision',
    auth: 'api',
    base: () => ({ approver: 'approver@bank.example', decision: 'reject', reason: 'no' }),
  },
  { method: 'PUT', path: '/api/alerts/{id}/revision', auth: 'api', base: alert },
  { method: 'POST', path: '/api/alerts/{id}/cancel', auth: 'api', base: () => ({ by: 'analyst@bank.example' }) },
  { method: 'POST', path: '/api/alerts/{id}/retry', auth: 'api', base: () => ({}) },
  { method: 'POST', path: '/api/inbound/email', auth: 'api', contentType: 'message/rfc822', raw: mime },
  { method: 'GET', path: '/api/addin/me', auth: 'addin' },
  { method: 'GET', path: '/api/addin/context?email={email}', auth: 'addin' },
  {
    method: 'POST',
    path: '/api/addin/touches',
    auth: 'addin',
    base: (t) => ({
      contactEmail: t.known?.customerEmail ?? 'joe.smith@acme-logistics.example',
      summary: 'Email "Renewal"',
      outcome: 'positive',
      messageId: '<m1@mail.example>',
      answers: { budget: 'yes' },
    }),
  },
  { method: 'GET', path: '/api/addin/touches/{id}', auth: 'addin' },
  { method: 'POST', path: '/api/addin/follow-ups/{id}/complete', auth: 'addin' },
  { method: 'GET', path: '/api/addin/alerts/{id}', auth: 'addin' },
  {
    method: 'POST',
    path: '/api/addin/alerts/{id}/decision',
    auth: 'addin',
    base: () => ({ decision: 'approve', version: 1, reason: 'ok' }),
  },
  { method: 'POST', path: '/api/addin/dev-token', auth: 'none', base: () => ({ email: 'a@b.example' }) },
  { method: 'GET', path: '/addin', auth: 'none' },
  { method: 'GET', path: '/addin/config.json', auth: 'none' },
  { method: 'GET', path: '/addin/{id}', auth: 'none' },
  { method: 'GET', path: '/approvals/{id}', auth: 'none' },
  {
    method: 'POST',
    path: '/approvals/{id}',
    auth: 'none',
    contentType: 'application/x-www-form-urlencoded',
    raw: (rng) => ({
      body: bytes(
        new URLSearchParams({ decision: rng.pick(['approve', 'reject', 'x']), reason: hostileString(rng) }).toString(),
      ),
      how: 'form',
    }),
  },
  { method: 'GET', path: '/r/{id}?a={id}', auth: 'none' },
  {
    method: 'POST',
    path: '/r/{id}',
    auth: 'none',
    contentType: 'application/x-www-form-urlencoded',
    raw: (rng) => ({ body: bytes(`a=${encodeURIComponent(wellFormed(hostileString(rng)))}`), how: 'form' }),
  },
  { method: 'GET', path: '/u/{id}', auth: 'none' },
  {
    method: 'POST',
    path: '/u/{id}',
    auth: 'none',
    contentType: 'application/x-www-form-urlencoded',
    raw: () => ({ body: bytes('List-Unsubscribe=One-Click'), how: 'one-click' }),
  },
  {
    method: 'POST',
    path: '/sms/inbound',
    auth: 'none',
    contentType: 'application/x-www-form-urlencoded',
    raw: (rng) => ({
      body: bytes(
        new URLSearchParams({
          From: hostileString(rng).slice(0, 100),
          Body: hostileString(rng),
          MessageSid: 'SM1',
        }).toString(),
      ),
      how: 'form',
    }),
  },
  { method: 'POST', path: '/slack/events', auth: 'slack' },
];

const routeName = (r: RouteSpec) => `${r.method} ${r.path.split('?')[0]}`;

/** A path parameter: a real id sometimes, a hostile one mostly. */
function param(rng: Rng, known: string | undefined): string {
  if (known && rng.chance(0.3)) return encodeURIComponent(wellFormed(known));
  if (rng.chance(0.3)) return rng.pick(badPathParts);
  if (rng.chance(0.2)) return rng.pick(['taskpane.html', 'taskpane.js', '..%2Fpackage.json', '.%2E/.env', 'a.b.c']);
  // A lone surrogate cannot be percent-encoded (nor sent): it goes as U+FFFD.
  return encodeURIComponent(wellFormed(hostileString(rng).slice(0, 2_000)));
}

/** The `index`-th request of the run with `seed`: the same one every time. */
export function hostileRequest(seed: number, index: number, target: Target): HostileRequest {
  const rng = createRandom(seed * 1_000_003 + index);
  const route = rng.pick(ROUTES);
  const known = target.known ?? {};
  const path = route.path
    .replace(/\{email\}/g, () => (rng.chance(0.3) && known.customerEmail ? known.customerEmail : param(rng, undefined)))
    .replace(/\{id\}/g, () => param(rng, rng.pick([known.alertId, known.touchId, known.taskId])));
  const headers: Record<string, string> = {};
  const hows: string[] = [];
  if (route.auth === 'api' && !rng.chance(0.1)) headers.authorization = `Bearer ${target.apiToken}`;
  if (route.auth === 'addin' && target.addinToken && rng.chance(0.7))
    headers.authorization = `Bearer ${target.addinToken}`;
  else if (route.auth === 'addin' || rng.chance(0.05))
    headers.authorization = rng.pick([
      'Bearer e30.e30.e30',
      `Bearer ${'a'.repeat(rng.int(1, 20_000))}`,
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      'Basic Zm9vOmJhcg==',
      'Bearer \u00ff',
    ]);

  let body: Uint8Array | undefined;
  if (route.method !== 'GET') {
    if (route.auth === 'slack') {
      const slack = slackBody(rng);
      body = slack.body;
      headers['content-type'] = slack.contentType;
      hows.push(slack.how);
      if (target.slackSigningSecret && rng.chance(0.85)) {
        Object.assign(headers, signatureHeaders(Buffer.from(body).toString('utf8'), target.slackSigningSecret));
        hows.push('signed');
        // A signature over bytes that were not UTF-8 does not match what the receiver hashes: that is fine.
      } else hows.push('unsigned');
    } else if (route.raw) {
      const raw = route.raw(rng, target);
      body = raw.body;
      hows.push(raw.how);
      headers['content-type'] = route.contentType ?? 'application/octet-stream';
    } else {
      const { body: value, how } = route.base
        ? mutate(rng, route.base(target))
        : { body: hostileValue(rng), how: 'any' };
      const encoded = encodeBody(rng, value);
      body = encoded.body;
      hows.push(how, encoded.how);
      headers['content-type'] = 'application/json';
    }
    if (rng.chance(0.05)) {
      headers['content-type'] = rng.pick([
        'text/plain',
        'application/json; charset=x-nope',
        'multipart/form-data',
        '',
        '\u0000',
      ]);
      hows.push(`content-type ${JSON.stringify(headers['content-type'])}`);
    }
    if (rng.chance(0.02)) {
      body = concat(body, new Uint8Array(rng.pick([70_000, 1_100_000, 2_200_000])).fill(0x61));
      hows.push(`oversized (${body.length} bytes)`);
    }
  }
  return {
    route: routeName(route),
    method: route.method,
    path,
    headers,
    ...(body ? { body } : {}),
    ...(body && rng.chance(0.15) ? { chunks: rng.int(2, 8) } : {}),
    how: hows.join(', ') || 'path',
  };
}

/** Sends one request; resolves to its status (0: the connection failed). */
export async function send(baseUrl: string, request: HostileRequest, timeoutMs = 15_000): Promise<number> {
  const { body, chunks } = request;
  let payload: RequestInit['body'] = body as RequestInit['body'];
  if (body && chunks && chunks > 1) {
    const size = Math.ceil(body.length / chunks);
    let at = 0;
    payload = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= body.length) return controller.close();
        controller.enqueue(body.subarray(at, at + size));
        at += size;
      },
    });
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(request.headers)) {
    try {
      headers.set(k, v);
    } catch {
      // A header value fetch will not send (a NUL): the request goes without it.
    }
  }
  try {
    const res = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers,
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      ...(payload instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  } catch {
    return 0;
  }
}

export interface FuzzReport {
  total: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  /** The requests answered 5xx, to reproduce: seed, index, route, how. */
  failures: { index: number; route: string; path: string; how: string; status: number }[];
  /**
   * Requests of a normal size that got no answer at all (status 0). An oversized or streamed body
   * may get none, rightly: the server answers early and drops the connection while it is still sent.
   */
  unanswered: { index: number; route: string; path: string; how: string; status: number }[];
}

/** Runs requests `from`..`to` of `seed` against `baseUrl`, `concurrency` at a time. */
export async function fuzz(options: {
  baseUrl: string;
  target: Target;
  seed: number;
  count: number;
  concurrency?: number;
  onProgress?: (done: number) => void;
}): Promise<FuzzReport> {
  const report: FuzzReport = { total: 0, byStatus: {}, byRoute: {}, failures: [], unanswered: [] };
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      const index = next++;
      const request = hostileRequest(options.seed, index, options.target);
      const status = await send(options.baseUrl, request);
      report.total++;
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      const route = (report.byRoute[request.route] ??= {});
      route[status] = (route[status] ?? 0) + 1;
      const entry = { index, route: request.route, path: request.path.slice(0, 200), how: request.how, status };
      if (status >= 500) report.failures.push(entry);
      else if (status === 0 && (request.body?.length ?? 0) < 64 * 1024 && !request.chunks)
        report.unanswered.push(entry);
      if (report.total % 1000 === 0) options.onProgress?.(report.total);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return report;
}
