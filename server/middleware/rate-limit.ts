import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { httpError } from '../errors.js';

/** A group of public routes sharing one limit per client. */
export interface RateRule {
  name: string;
  /** Whether a request path belongs to the group. */
  matches: (path: string) => boolean;
  /** Requests a client may make per minute (bursts up to that many at once); 0 turns the group off. */
  perMinute: number;
}

export interface RateLimitOptions {
  /**
   * Header naming the client behind a reverse proxy (its last value: the address the proxy saw).
   * Unset: the socket's address, which behind a proxy is the proxy's, so one limit for everyone.
   */
  clientHeader?: string;
  /** Clients remembered at once; beyond it, the longest idle are forgotten. */
  maxClients?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** The client a request comes from: the configured header's last value, else the socket's address. */
function clientOf(c: Context, header: string | undefined): string {
  if (header) {
    const named = c.req.header(header)?.split(',').pop()?.trim();
    if (named) return named;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/**
 * Rate limits on public routes (links, inbound webhooks, Slack): a token bucket per group and
 * client, refilled at perMinute/60 a second. Over it: 429 with Retry-After (seconds until the
 * next request would pass), before anything else is done. Kept in memory, per process: with
 * several API processes each allows its own share; a shared limit would go through PostgreSQL.
 */
export function rateLimits(rules: RateRule[], options: RateLimitOptions = {}) {
  const active = rules.filter((r) => r.perMinute > 0);
  const now = options.now ?? Date.now;
  const maxClients = options.maxClients ?? 50_000;
  const buckets = new Map<string, Bucket>();

  /** Tokens a bucket holds now; Infinity-safe for a new one. */
  const refill = (bucket: Bucket, rule: RateRule, at: number) =>
    Math.min(rule.perMinute, bucket.tokens + ((at - bucket.at) / 60_000) * rule.perMinute);

  const remember = (key: string, bucket: Bucket) => {
    buckets.delete(key);
    buckets.set(key, bucket); // Map order = least recently used first
    while (buckets.size > maxClients) buckets.delete(buckets.keys().next().value!);
  };

  return createMiddleware(async (c, next) => {
    const rule = active.find((r) => r.matches(c.req.path));
    if (!rule) return next();
    const key = `${rule.name}\u0000${clientOf(c, options.clientHeader)}`;
    const at = now();
    const held = buckets.get(key);
    const tokens = held ? refill(held, rule, at) : rule.perMinute;
    if (tokens < 1) {
      remember(key, { tokens, at });
      const retryAfter = Math.max(1, Math.ceil(((1 - tokens) / rule.perMinute) * 60));
      throw httpError(
        'RATE_LIMITED',
        `too many requests to ${rule.name} from this client; try again in ${retryAfter} s`,
        undefined,
        { 'retry-after': String(retryAfter) },
      );
    }
    remember(key, { tokens: tokens - 1, at });
    await next();
  });
}

/** The public route groups and how their paths look. */
export const PUBLIC_ROUTES = {
  // The dashboard's sign-in too: unauthenticated, and each callback costs a call to the identity provider.
  links: (path: string) => /^\/+(?:approvals|r|u|trail|p|dashboard\/auth)(?:\/|$)/.test(path),
  webhooks: (path: string) => path === '/api/inbound/email' || path === '/sms/inbound',
  slack: (path: string) => path === '/slack/events',
};
