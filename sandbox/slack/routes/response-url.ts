import { Hono } from 'hono';
import { checkMessage } from '../content-checks.js';
import type { SlackState } from '../state.js';

/** POST to a response_url: answered as Slack does (text bodies), refused when unknown or invalid. */
export function responseUrlRoutes(state: SlackState) {
  const app = new Hono();
  app.post('/response/:id', async (c) => {
    const id = c.req.param('id');
    let body: Record<string, unknown> = {};
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      state.responses.push({ id, body, status: 400, at: Date.now() });
      return c.text('invalid_payload', 400);
    }
    if (!state.responseUrls.has(id)) {
      state.responses.push({ id, body, status: 404, at: Date.now() });
      return c.text('expired_url', 404);
    }
    const bad = checkMessage(body, 40_000);
    const status = bad ? 400 : 200;
    state.responses.push({ id, body, status, at: Date.now() });
    return bad ? c.text(String(bad.error), 400) : c.text('ok');
  });
  return app;
}
