import type { Context } from 'hono';

/** One Web API method: its arguments in, Slack's answer out ({ok:true,...} or {ok:false,error}). */
export type WebApiMethod = (args: Record<string, unknown>) => Record<string, unknown>;

export const ok = (extra: Record<string, unknown> = {}) => ({ ok: true, ...extra });
export const fail = (error: string, messages?: string[]) => ({
  ok: false,
  error,
  ...(messages?.length ? { response_metadata: { messages } } : {}),
});

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Web API arguments arrive as a form (values JSON-encoded when not strings) or as JSON. */
export async function readArgs(c: Context): Promise<Record<string, unknown>> {
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
