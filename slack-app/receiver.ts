import { isValidSlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Metrics } from '../lib/metrics.js';
import { commandForm, dropNulls, eventEnvelope, firstIssue, interactivePayload } from './envelope.js';

/**
 * Bolt's HTTP receiver for hono (there is no official one): `handle(request)` takes the raw
 * Fetch Request that reaches /slack/events and answers the way Slack expects.
 *
 * - signature: `v0:{timestamp}:{raw body}` HMAC-SHA256 via Bolt's isValidSlackRequest; bad
 *   signature, missing headers, or a timestamp more than 5 minutes off -> 401;
 * - body: JSON (Events API) or form (commands; interactivity and options as `payload=`),
 *   parsed with zod; anything malformed -> 400, never a crash;
 * - url_verification answers the challenge; ssl_check answers 200;
 * - events are deduplicated on event_id, so Slack's retries (X-Slack-Retry-Num) never act twice:
 *   through `eventClaims` (the store, shared by every API process: a retry that reaches another
 *   replica is caught too), else in this process's memory;
 * - Bolt's ack() resolves the HTTP response; listeners keep running after it.
 */

export interface HonoReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** How long a request may wait for ack() before Slack would give up (default 3 s). */
  ackTimeoutMs?: number;
  maxBodyBytes?: number;
  /** How long an event id is remembered (Slack retries for ~5 minutes). */
  dedupeTtlMs?: number;
  now?: () => number;
  /** Told when a request comes in and when its answer is out (the after-ack queue waits for the burst). */
  inFlight?: { arrived(): void; answered(): void };
  /** Event ids claimed in the store, so one process of many acts on each event; unset: this process's memory. */
  eventClaims?: EventClaims;
  /** Each answer's latency by request type and status (lib/metrics.ts). */
  metrics?: Pick<Metrics, 'slackAck'>;
}

/** This process's claims on Slack events (store/slack-claims.ts, bound to the process). */
export interface EventClaims {
  /** True: act on it. A claim older than `staleMs` that was never answered is taken over. */
  claim(eventId: string, staleMs: number): Promise<boolean>;
  /** Our 2xx went out. */
  answered(eventId: string): Promise<void>;
  /** Our answer was not a 2xx: Slack retries, and the retry must act. */
  release(eventId: string): Promise<void>;
}

const MAX_SKEW_SECONDS = 5 * 60;

/** A signed event answered 200 and not acted on (see HonoReceiver.parse). */
const IGNORED = Symbol('ignored');

const isEventCallback = (json: unknown) =>
  typeof json === 'object' && json !== null && (json as { type?: unknown }).type === 'event_callback';

export class SlackHttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 413,
    message: string,
  ) {
    super(message);
  }
}

export class HonoReceiver implements Receiver {
  private bolt?: App;
  private readonly seen = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: HonoReceiverOptions) {
    this.now = options.now ?? Date.now;
  }

  init(app: App): void {
    this.bolt = app;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.seen.clear();
    return Promise.resolve();
  }

  /** The hono handler for POST /slack/events. */
  async handle(request: Request): Promise<Response> {
    this.options.inFlight?.arrived();
    const started = performance.now();
    const seen = { type: 'unread' };
    let status = 500;
    try {
      const response = await this.dispatch(request, seen);
      status = response.status;
      return response;
    } catch (error) {
      if (error instanceof SlackHttpError) {
        this.options.logger.warn({ status: error.status, reason: error.message }, 'slack request refused');
        status = error.status;
        return new Response(error.message, { status: error.status, headers: { 'content-type': 'text/plain' } });
      }
      this.options.logger.error({ err: error }, 'slack request failed');
      return new Response('', { status: 500 });
    } finally {
      this.options.inFlight?.answered();
      this.options.metrics?.slackAck(seen.type, status, (performance.now() - started) / 1000);
    }
  }

  private async dispatch(request: Request, seen: { type: string }): Promise<Response> {
    if (request.method !== 'POST') throw new SlackHttpError(405, 'POST only');
    if (!this.bolt) throw new Error('HonoReceiver used before Bolt initialised it');

    const raw = await this.readBody(request);
    this.verify(request.headers, raw);

    const body = this.parse(request.headers.get('content-type') ?? '', raw);
    if (body === IGNORED) return new Response('', { status: 200 });
    seen.type = requestType(body);
    if (body.ssl_check) return new Response('', { status: 200 });
    if (body.type === 'url_verification') {
      const challenge = z.string().min(1).max(200).safeParse(body.challenge);
      if (!challenge.success) throw new SlackHttpError(400, 'url_verification without a challenge');
      return Response.json({ challenge: challenge.data });
    }

    const retryHeader = Number.parseInt(request.headers.get('x-slack-retry-num') ?? '', 10);
    const retryNum = Number.isNaN(retryHeader) ? undefined : retryHeader;
    const retryReason = request.headers.get('x-slack-retry-reason') ?? undefined;
    if (body.type === 'event_callback' && typeof body.event_id === 'string') {
      const eventId = body.event_id;
      if (!(await this.claim(eventId, retryNum))) {
        this.options.logger.info({ eventId, retryNum, retryReason }, 'slack retry of a handled event');
        return new Response('', { status: 200, headers: { 'x-slack-no-retry': '1' } });
      }
      const response = await this.process(body, retryNum, retryReason);
      void this.settle(eventId, response.ok);
      return response;
    }
    return this.process(body, retryNum, retryReason);
  }

  /**
   * Whether this delivery acts on the event. A claim a process left unanswered is stale after the
   * 3 s in which it had to answer; for Slack's retry (sent because no 2xx came in those 3 s) after
   * one second, so the retry that follows a dead process's claim at once still acts.
   */
  private async claim(eventId: string, retryNum: number | undefined): Promise<boolean> {
    const claims = this.options.eventClaims;
    if (!claims) return !this.alreadySeen(eventId);
    const staleMs = retryNum ? 1_000 : (this.options.ackTimeoutMs ?? 3000);
    try {
      return await claims.claim(eventId, staleMs);
    } catch (error) {
      // The store is down: acting (here, from memory) beats dropping the event.
      this.options.logger.warn(
        { eventId, err: (error as Error).message },
        'slack event claim failed; deduped in memory',
      );
      return !this.alreadySeen(eventId);
    }
  }

  private async settle(eventId: string, ok: boolean): Promise<void> {
    const claims = this.options.eventClaims;
    if (!claims) return;
    try {
      await (ok ? claims.answered(eventId) : claims.release(eventId));
    } catch (error) {
      this.options.logger.warn({ eventId, err: (error as Error).message }, 'slack event claim not updated');
    }
  }

  private async readBody(request: Request): Promise<string> {
    const max = this.options.maxBodyBytes ?? 1024 * 1024;
    const declared = Number(request.headers.get('content-length') ?? 0);
    if (declared > max) throw new SlackHttpError(413, 'request body too large');
    const raw = await request.text();
    if (Buffer.byteLength(raw) > max) throw new SlackHttpError(413, 'request body too large');
    return raw;
  }

  private verify(headers: Headers, raw: string): void {
    const signature = headers.get('x-slack-signature');
    const timestampHeader = headers.get('x-slack-request-timestamp');
    if (!signature || !timestampHeader || !/^\d{1,12}$/.test(timestampHeader))
      throw new SlackHttpError(401, 'missing or malformed Slack signature headers');
    const timestamp = Number(timestampHeader);
    const nowMs = this.now();
    // Bolt refuses stale timestamps; a timestamp from the future is refused too (replays).
    if (timestamp > Math.floor(nowMs / 1000) + MAX_SKEW_SECONDS)
      throw new SlackHttpError(401, 'request timestamp is in the future');
    const valid = isValidSlackRequest({
      signingSecret: this.options.signingSecret,
      body: raw,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: nowMs,
    });
    if (!valid) throw new SlackHttpError(401, 'invalid Slack signature or stale timestamp');
  }

  /**
   * The body as Bolt may read it (slack-app/envelope.ts). A signed event Bolt could not read is
   * IGNORED: answered 200, because Slack retries an event answered otherwise (three times, over
   * minutes) and counts the failures against the app, and a retry is the same unreadable event.
   * Anything else malformed (a command, a click, options) is a 400: Slack does not retry those, and
   * the person sees an error at once instead of nothing.
   */
  private parse(contentType: string, raw: string): Record<string, unknown> | typeof IGNORED {
    if (contentType.startsWith('application/json')) {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new SlackHttpError(400, 'body is not valid JSON');
      }
      const parsed = eventEnvelope.safeParse(json);
      if (parsed.success) return parsed.data;
      if (isEventCallback(json)) {
        this.options.logger.warn(
          { reason: firstIssue(parsed.error) },
          'slack event ignored: not a shape Bolt can read',
        );
        return IGNORED;
      }
      throw new SlackHttpError(400, `unexpected JSON body: ${firstIssue(parsed.error)}`);
    }
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(raw));
      if (form.ssl_check === '1') return { ssl_check: true };
      if (typeof form.payload === 'string') {
        let json: unknown;
        try {
          json = JSON.parse(form.payload);
        } catch {
          throw new SlackHttpError(400, 'payload is not valid JSON');
        }
        const parsed = interactivePayload.safeParse(dropNulls(json, ['channel']));
        if (!parsed.success)
          throw new SlackHttpError(400, `unexpected interactive payload: ${firstIssue(parsed.error)}`);
        return parsed.data;
      }
      const parsed = commandForm.safeParse(form);
      if (!parsed.success) throw new SlackHttpError(400, `unexpected form body: ${firstIssue(parsed.error)}`);
      return parsed.data;
    }
    throw new SlackHttpError(400, 'expected application/json or application/x-www-form-urlencoded');
  }

  private alreadySeen(eventId: string): boolean {
    const now = this.now();
    const ttl = this.options.dedupeTtlMs ?? 10 * 60_000;
    if (this.seen.size > 10_000) {
      for (const [id, at] of this.seen) if (now - at > ttl) this.seen.delete(id);
    }
    const at = this.seen.get(eventId);
    if (at !== undefined && now - at <= ttl) return true;
    this.seen.set(eventId, now);
    return false;
  }

  /** Runs Bolt on the body; the HTTP answer is whatever the listener passes to ack(). */
  private process(body: Record<string, unknown>, retryNum?: number, retryReason?: string): Promise<Response> {
    const logger = this.options.logger;
    return new Promise<Response>((resolve) => {
      let acked = false;
      const timer = setTimeout(() => {
        if (acked) return;
        acked = true;
        logger.error({ type: body.type }, 'slack request not acknowledged within 3 s');
        resolve(new Response('', { status: 404 }));
      }, this.options.ackTimeoutMs ?? 3000);

      const event: ReceiverEvent = {
        body,
        retryNum,
        retryReason,
        ack: async (response?: unknown) => {
          if (acked) return;
          acked = true;
          clearTimeout(timer);
          resolve(toResponse(response));
        },
      };
      this.bolt!.processEvent(event).then(
        () => {
          if (acked) return;
          // No listener acknowledged it: Slack shows the user an error, as with Bolt's receiver.
          acked = true;
          clearTimeout(timer);
          logger.warn({ type: body.type }, 'no Slack listener handled this request');
          resolve(new Response('', { status: 404 }));
        },
        (error: unknown) => {
          logger.error({ err: error, type: body.type }, 'slack listener failed');
          if (acked) return;
          acked = true;
          clearTimeout(timer);
          resolve(new Response('', { status: 500 }));
        },
      );
    });
  }
}

/** The request's type for metrics: Slack's own word (block_actions, event_callback, ...), `command` for slash commands. */
function requestType(body: Record<string, unknown>): string {
  if (typeof body.type === 'string' && /^[a-z_]{1,40}$/.test(body.type)) return body.type;
  return typeof body.command === 'string' ? 'command' : 'other';
}

function toResponse(body: unknown): Response {
  if (body === undefined || body === null || body === '') return new Response('', { status: 200 });
  if (typeof body === 'string') return new Response(body, { status: 200, headers: { 'content-type': 'text/plain' } });
  return Response.json(body);
}
