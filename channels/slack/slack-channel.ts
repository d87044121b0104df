import type { webApi as WebApi } from '@slack/bolt';
import type { Attempt, ChannelAdapter, ChannelAlert, ChannelRecipient, TokenSigner } from '../adapter.js';
import { createProviderPause } from '../provider-pause.js';
import { ChannelSendError } from '../send-error.js';
import { buildSlackAlertMessage } from './alert-message.js';
import { classifySlackError } from './slack-errors.js';

/** The one Web API call the adapter makes; @slack/web-api's WebClient has it, tests may fake it. */
export interface SlackApi {
  apiCall(method: string, options?: Record<string, unknown>): Promise<{ ok: boolean }>;
}

export interface SlackChannelOptions {
  /** xoxb- bot token (scopes chat:write, im:write); never logged. */
  botToken: string;
  /** Web API base, e.g. the local stand-in's http://127.0.0.1:3200/api/; Slack's own when unset. */
  apiUrl?: string;
  /** Per call (default 10 s). */
  timeoutMs?: number;
  /** Instead of a WebClient built from the token (tests). */
  client?: SlackApi;
}

/** Rate-limited answers waited out inside one send before it gives up with a retryable error. */
const RATE_LIMIT_TRIES = 3;

/** Errors come back to the caller; the client's own logging would only repeat them. */
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => 'error',
  setName: () => undefined,
};

/** Bolt (and its WebClient) is loaded only by workers that send Slack DMs: the email-only worker stays lean. */
export async function slackWebClient(options: SlackChannelOptions): Promise<SlackApi> {
  const { webApi } = await import('@slack/bolt');
  const apiUrl = options.apiUrl && (options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
  return new webApi.WebClient(options.botToken, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    // Retries are ours: WebClient's own (up to 30 min, and again after a lost postMessage answer)
    // would outlast the activity's heartbeat and could post a DM twice.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 10_000,
    logger: quiet as unknown as WebApi.Logger,
  });
}

/**
 * Alerts as a direct message from the app to the contact's Slack user: conversations.open (the
 * DM channel, Tier 3) then chat.postMessage with the Block Kit alert. A 429 pauses every send of
 * this adapter for Retry-After; an unknown or deactivated user is a permanent failure (the
 * fallback channel gets one try); outages and network errors throw for the activity to retry.
 */
export function createSlackChannel(options: SlackChannelOptions): ChannelAdapter {
  let client: Promise<SlackApi> | undefined = options.client && Promise.resolve(options.client);
  const pause = createProviderPause();

  /** The call's result, or the permanent error code; throws ChannelSendError when there is no verdict. */
  async function call(method: string, args: Record<string, unknown>) {
    for (let tries = 1; ; tries++) {
      if (!(await pause.ready())) {
        const left = pause.secondsLeft();
        throw new ChannelSendError('SLACK_RATE_LIMITED', `Slack asked to wait ${left} s`, left);
      }
      try {
        return { ok: await (await (client ??= slackWebClient(options))).apiCall(method, args) } as const;
      } catch (error) {
        const verdict = classifySlackError(error, method === 'chat.postMessage');
        if (verdict.kind === 'permanent') return { permanent: `${method}: ${verdict.code}` } as const;
        if (verdict.kind === 'retry') throw verdict.error;
        const waitable = pause.pauseFor(verdict.retryAfterSeconds);
        if (!waitable || tries >= RATE_LIMIT_TRIES) {
          throw new ChannelSendError(
            'SLACK_RATE_LIMITED',
            `Slack rate limit on ${method}: retry after ${verdict.retryAfterSeconds} s`,
            verdict.retryAfterSeconds,
            { cause: error },
          );
        }
      }
    }
  }

  return {
    channel: 'slack',
    async send(alert: ChannelAlert, recipient: ChannelRecipient, sign: TokenSigner): Promise<Attempt> {
      const message = buildSlackAlertMessage(alert, sign('response'), recipient.firstName, recipient.preferencesUrl);
      const opened = await call('conversations.open', { users: recipient.address, return_im: false });
      if ('permanent' in opened) return { status: 'bounced', channel: 'slack', error: opened.permanent };
      const dm = (opened.ok as { channel?: { id?: unknown } }).channel?.id;
      if (typeof dm !== 'string' || !dm)
        throw new ChannelSendError('SLACK_TEMPORARY', 'conversations.open answered without a channel id');

      const posted = await call('chat.postMessage', { channel: dm, ...message });
      if ('permanent' in posted) return { status: 'bounced', channel: 'slack', error: posted.permanent };
      const ts = (posted.ok as { ts?: unknown }).ts;
      return { status: 'sent', channel: 'slack', messageId: `${dm}/${typeof ts === 'string' ? ts : ''}` };
    },
  };
}
