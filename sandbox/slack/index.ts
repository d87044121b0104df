import { randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { createSlackFaults, type SlackFault } from './faults.js';
import { validateMessage, validateView } from './validate.js';

/**
 * A local stand-in for Slack's Web API (and response_url), for demos and tests. It answers with
 * Slack's shapes ({ok:true,...} or {ok:false,error}), refuses what Slack would refuse (invalid
 * blocks, over-long text, expired or reused trigger_ids, stale view hashes), and records every call.
 */

export interface SlackStandInUser {
  id: string;
  name: string;
  email?: string;
  realName?: string;
}

export interface SlackStandInOptions {
  port?: number;
  host?: string;
  /** When set, calls must carry `Authorization: Bearer <botToken>` (else not_authed / invalid_auth). */
  botToken?: string;
  /** How long a trigger_id stays valid (Slack: about 3 s). */
  triggerTtlMs?: number;
  users?: SlackStandInUser[];
  /** Channels the bot is not in: chat.postEphemeral / postMessage there answer channel_not_found. */
  channelsWithoutBot?: string[];
  teamId?: string;
  /** Delay before every Web API answer, as Slack's own takes tens of milliseconds (default 0). */
  latencyMs?: number;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  response: Record<string, unknown>;
  at: number;
}

export interface RecordedResponse {
  id: string;
  body: Record<string, unknown>;
  status: number;
  at: number;
}

interface StoredView {
  id: string;
  hash: string;
  view: Record<string, unknown>;
  userId?: string;
  stack: string[];
}

const ok = (extra: Record<string, unknown> = {}) => ({ ok: true, ...extra });
const fail = (error: string, messages?: string[]) => ({
  ok: false,
  error,
  ...(messages?.length ? { response_metadata: { messages } } : {}),
});

export async function startSlackStandIn(options: SlackStandInOptions = {}) {
  const teamId = options.teamId ?? 'T0RAPPORT';
  const triggerTtl = options.triggerTtlMs ?? 3000;
  const users = new Map((options.users ?? []).map((u) => [u.id, u]));
  const noBot = new Set(options.channelsWithoutBot ?? []);
  const triggers = new Map<string, { at: number; used: boolean }>();
  const views = new Map<string, StoredView>();
  const calls: RecordedCall[] = [];
  const faults = createSlackFaults();
  const responses: RecordedResponse[] = [];
  const responseUrls = new Set<string>();
  let seq = 0;
  const nextId = (prefix: string) => `${prefix}${(++seq).toString(36).toUpperCase().padStart(8, '0')}`;
  const newHash = () => `${Math.floor(Date.now() / 1000)}.${randomBytes(6).toString('hex')}`;
  const ts = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

  function useTrigger(triggerId: unknown): string | undefined {
    if (typeof triggerId !== 'string' || !triggerId) return 'invalid_arguments';
    const t = triggers.get(triggerId);
    if (!t) return 'invalid_trigger_id';
    if (Date.now() - t.at > triggerTtl) return 'expired_trigger_id';
    if (t.used) return 'exchanged_trigger_id';
    t.used = true;
    return undefined;
  }

  function checkView(view: unknown): Record<string, unknown> | undefined {
    const { problems, tooLarge } = validateView(view);
    if (tooLarge) return fail('view_too_large');
    if (problems.length) return fail('invalid_arguments', problems);
    return undefined;
  }

  function viewResponse(stored: StoredView) {
    return {
      id: stored.id,
      team_id: teamId,
      hash: stored.hash,
      root_view_id: stored.stack[0] ?? stored.id,
      state: { values: {} },
      ...stored.view,
    };
  }

  function checkMessage(args: Record<string, unknown>, maxText: number) {
    if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) return fail('no_text');
    const { problems, textTooLong } = validateMessage(args, maxText);
    if (textTooLong) return fail('msg_too_long');
    if (problems.length) return fail('invalid_blocks', problems);
    return undefined;
  }

  const methods: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    'api.test': (args) => ok({ args }),
    'auth.test': () =>
      ok({
        url: 'https://rapport-demo.slack.com/',
        team: 'Rapport demo',
        user: 'rapport',
        team_id: teamId,
        user_id: 'U0RAPPORTBOT',
        bot_id: 'B0RAPPORT',
      }),
    'views.open': (args) => {
      const problem = useTrigger(args.trigger_id) ?? undefined;
      if (problem) return fail(problem);
      const bad = checkView(args.view);
      if (bad) return bad;
      const id = nextId('V');
      const stored: StoredView = { id, hash: newHash(), view: args.view as Record<string, unknown>, stack: [id] };
      views.set(id, stored);
      return ok({ view: viewResponse(stored) });
    },
    'views.push': (args) => {
      const problem = useTrigger(args.trigger_id);
      if (problem) return fail(problem);
      const bad = checkView(args.view);
      if (bad) return bad;
      const root = [...views.values()].filter((v) => v.view.type === 'modal').at(-1);
      if (root && root.stack.length >= 3) return fail('push_limit_reached');
      const id = nextId('V');
      const stack = [...(root?.stack ?? []), id];
      const stored: StoredView = { id, hash: newHash(), view: args.view as Record<string, unknown>, stack };
      views.set(id, stored);
      if (root) root.stack = stack;
      return ok({ view: viewResponse(stored) });
    },
    'views.update': (args) => {
      const stored =
        typeof args.view_id === 'string'
          ? views.get(args.view_id)
          : [...views.values()].find((v) => v.view.external_id === args.external_id);
      if (!stored) return fail('not_found');
      if (typeof args.hash === 'string' && args.hash !== stored.hash) return fail('hash_conflict');
      const bad = checkView(args.view);
      if (bad) return bad;
      stored.view = args.view as Record<string, unknown>;
      stored.hash = newHash();
      return ok({ view: viewResponse(stored) });
    },
    'views.publish': (args) => {
      if (typeof args.user_id !== 'string' || !args.user_id) return fail('invalid_arguments');
      if (!isObject(args.view) || args.view.type !== 'home')
        return fail('invalid_arguments', ['[ERROR] must be home [json-pointer:/view/type]']);
      const bad = checkView(args.view);
      if (bad) return bad;
      const key = `home:${args.user_id}`;
      const existing = views.get(key);
      if (existing && typeof args.hash === 'string' && args.hash !== existing.hash) return fail('hash_conflict');
      const stored: StoredView = {
        id: existing?.id ?? nextId('V'),
        hash: newHash(),
        view: args.view,
        userId: args.user_id,
        stack: [],
      };
      views.set(key, stored);
      return ok({ view: viewResponse(stored) });
    },
    'chat.postMessage': (args) => {
      if (typeof args.channel !== 'string' || !args.channel) return fail('channel_not_found');
      if (noBot.has(args.channel)) return fail('not_in_channel');
      const bad = checkMessage(args, 40_000);
      if (bad) return bad;
      const t = ts();
      return ok({
        channel: args.channel,
        ts: t,
        message: { type: 'message', text: args.text, blocks: args.blocks, ts: t, bot_id: 'B0RAPPORT' },
      });
    },
    'chat.postEphemeral': (args) => {
      if (typeof args.channel !== 'string' || !args.channel) return fail('channel_not_found');
      if (typeof args.user !== 'string' || !args.user) return fail('user_not_found');
      if (noBot.has(args.channel)) return fail('channel_not_found');
      const bad = checkMessage(args, 40_000);
      if (bad) return bad;
      return ok({ message_ts: ts() });
    },
    'chat.update': (args) => {
      if (typeof args.channel !== 'string' || typeof args.ts !== 'string') return fail('message_not_found');
      const bad = checkMessage(args, 4000);
      if (bad) return bad;
      return ok({ channel: args.channel, ts: args.ts, text: args.text });
    },
    'chat.getPermalink': (args) => {
      if (typeof args.channel !== 'string' || typeof args.message_ts !== 'string') return fail('message_not_found');
      return ok({
        channel: args.channel,
        permalink: `https://rapport-demo.slack.com/archives/${args.channel}/p${args.message_ts.replace('.', '')}`,
      });
    },
    'users.info': (args) => {
      const user = typeof args.user === 'string' ? users.get(args.user) : undefined;
      if (!user) return fail('user_not_found');
      return ok({ user: userView(user, teamId) });
    },
    'users.lookupByEmail': (args) => {
      const email = typeof args.email === 'string' ? args.email.toLowerCase() : '';
      const user = [...users.values()].find((u) => u.email?.toLowerCase() === email);
      if (!user) return fail('users_not_found');
      return ok({ user: userView(user, teamId) });
    },
    'conversations.open': (args) => {
      const ids = typeof args.users === 'string' ? args.users.split(',').filter(Boolean) : [];
      if (typeof args.channel === 'string') return ok({ channel: { id: args.channel } });
      if (!ids.length) return fail('users_list_not_supplied');
      if (ids.length > 8) return fail('too_many_users');
      const unknown = ids.find((u) => users.size && !users.has(u));
      if (unknown) return fail('user_not_found');
      return ok({ channel: { id: `D${ids.sort().join('').slice(1, 11)}` } });
    },
  };

  const app = new Hono();
  app.post('/api/:method', async (c) => {
    const method = c.req.param('method');
    const args = await readArgs(c);
    const handler = methods[method];
    const fault = handler ? faults.take(method) : undefined;
    if (fault) {
      // Slack under load: nothing happened, said with the status (and Retry-After on a 429).
      const error = fault.status === 429 ? 'ratelimited' : `http_${fault.status}`;
      const { token: _secret, ...shown } = args;
      calls.push({ method, args: shown, response: fail(error), at: Date.now() });
      if (fault.status === 429) c.header('retry-after', String(fault.retryAfterSeconds ?? 1));
      return c.json(fail(error), fault.status);
    }
    let response: Record<string, unknown>;
    const auth = c.req.header('authorization') ?? (typeof args.token === 'string' ? `Bearer ${args.token}` : undefined);
    if (!handler) response = fail('unknown_method');
    else if (options.botToken && !auth) response = fail('not_authed');
    else if (options.botToken && auth !== `Bearer ${options.botToken}`) response = fail('invalid_auth');
    else response = handler(args);
    const { token: _token, ...recorded } = args;
    calls.push({ method, args: recorded, response, at: Date.now() });
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    return c.json(response);
  });
  app.post('/response/:id', async (c) => {
    const id = c.req.param('id');
    let body: Record<string, unknown> = {};
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      responses.push({ id, body, status: 400, at: Date.now() });
      return c.text('invalid_payload', 400);
    }
    if (!responseUrls.has(id)) {
      responses.push({ id, body, status: 404, at: Date.now() });
      return c.text('expired_url', 404);
    }
    const bad = checkMessage(body, 40_000);
    const status = bad ? 400 : 200;
    responses.push({ id, body, status, at: Date.now() });
    return bad ? c.text(String(bad.error), 400) : c.text('ok');
  });

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: options.host ?? '127.0.0.1' }, () =>
      resolve(s),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url,
    /** Give this to the Web API client (SLACK_API_URL / slackApiUrl). */
    apiUrl: `${url}/api/`,
    calls,
    responses,
    /** A fresh trigger_id, valid for triggerTtlMs, exchangeable once (as Slack issues with each interaction). */
    trigger(): string {
      const id = `${Date.now()}.${randomBytes(4).toString('hex')}.${randomBytes(8).toString('hex')}`;
      triggers.set(id, { at: Date.now(), used: false });
      return id;
    },
    /** A fresh response_url, as Slack puts in commands and interactions. */
    responseUrl(): string {
      const id = randomBytes(8).toString('hex');
      responseUrls.add(id);
      return `${url}/response/${id}`;
    },
    addUser(user: SlackStandInUser) {
      users.set(user.id, user);
    },
    view(id: string) {
      return views.get(id);
    },
    homeOf(userId: string) {
      return views.get(`home:${userId}`)?.view;
    },
    callsTo(method: string) {
      return calls.filter((c) => c.method === method);
    },
    /** Answer the next matching calls with a 429 (Retry-After) or a 5xx; see faults.ts. */
    fail(fault: SlackFault) {
      faults.add(fault);
    },
    clearFaults() {
      faults.clear();
    },
    reset() {
      calls.length = 0;
      responses.length = 0;
      faults.clear();
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

export type SlackStandIn = Awaited<ReturnType<typeof startSlackStandIn>>;
export type { SlackFault } from './faults.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function userView(u: SlackStandInUser, teamId: string) {
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    real_name: u.realName ?? u.name,
    is_bot: false,
    profile: { real_name: u.realName ?? u.name, display_name: u.name, ...(u.email ? { email: u.email } : {}) },
  };
}

/** Web API arguments arrive as a form (values JSON-encoded when not strings) or as JSON. */
async function readArgs(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/json')) {
    try {
      const body = (await c.req.json()) as unknown;
      return isObject(body) ? body : {};
    } catch {
      return {};
    }
  }
  const form = new URLSearchParams(await c.req.text());
  const args: Record<string, unknown> = {};
  for (const [key, value] of form) {
    if (/^[[{]/.test(value)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // not JSON: keep the string
      }
    }
    args[key] = value;
  }
  return args;
}
