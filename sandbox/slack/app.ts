import { Hono } from 'hono';
import type { createSlackFaults } from './faults.js';
import { authMethods } from './routes/auth.js';
import { chatMethods } from './routes/chat.js';
import { conversationMethods } from './routes/conversations.js';
import { responseUrlRoutes } from './routes/response-url.js';
import { userMethods } from './routes/users.js';
import { viewMethods } from './routes/views.js';
import type { SlackState } from './state.js';
import { fail, readArgs, type WebApiMethod } from './web-api.js';

export interface SlackAppOptions {
  state: SlackState;
  faults: ReturnType<typeof createSlackFaults>;
  /** When set, calls must carry `Authorization: Bearer <botToken>` (else not_authed / invalid_auth). */
  botToken?: string;
  /** Delay before every Web API answer. */
  latencyMs?: number;
}

/** The hono app: the Web API under /api/<method>, response_urls under /response/<id>. */
export function createSlackApp(options: SlackAppOptions) {
  const { state, faults } = options;
  const methods: Record<string, WebApiMethod> = {
    ...authMethods(state),
    ...viewMethods(state),
    ...chatMethods(state),
    ...userMethods(state),
    ...conversationMethods(state),
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
      state.calls.push({ method, args: shown, response: fail(error), at: Date.now() });
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
    state.calls.push({ method, args: recorded, response, at: Date.now() });
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    return c.json(response);
  });
  app.route('/', responseUrlRoutes(state));
  return app;
}
