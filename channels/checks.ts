import { EmailSendError } from './email/send-errors.js';
import type { EmailSender } from './email/sender.js';
import { classifySlackError } from './slack/slack-errors.js';
import { slackWebClient, type SlackChannelOptions } from './slack/slack-channel.js';
import { retryAfterSeconds, type HttpSmsProviderOptions } from './sms/http-provider.js';

/**
 * What one look at a provider found, for the status endpoint. A check never throws and never
 * reports a credential; `problem` is one line an operator can act on.
 */
export interface ProviderCheck {
  /** It answered (a refusal counts: the network path is fine). */
  reachable: boolean;
  /** It asked us to hold our sends: rate limited, or the account suspended. */
  paused: boolean;
  /** Until when, when it said. */
  pausedUntil?: string;
  problem?: string;
}

const until = (seconds: number | undefined) =>
  seconds !== undefined ? { pausedUntil: new Date(Date.now() + seconds * 1000).toISOString() } : {};

/**
 * SMTP: a session up to authentication (nodemailer's verify). A 4xx greeting or AUTH answer
 * (421 too many connections, 454 throttled) is the relay holding us back.
 */
export async function checkSmtp(sender: Pick<EmailSender, 'verify'>): Promise<ProviderCheck> {
  try {
    await sender.verify();
    return { reachable: true, paused: false };
  } catch (error) {
    if (!(error instanceof EmailSendError)) return { reachable: false, paused: false, problem: oneLine(error) };
    const { responseCode, response, transportCode } = error.details;
    if (responseCode !== undefined) {
      const answer = `SMTP ${responseCode}${response ? ` ${oneLine(response)}` : ''}`;
      return responseCode >= 400 && responseCode < 500
        ? { reachable: true, paused: true, problem: answer }
        : { reachable: true, paused: false, problem: `the relay refused the session: ${answer}` };
    }
    return error.code === 'SMTP_CONFIG'
      ? { reachable: true, paused: false, problem: `the relay refused the session (${transportCode ?? error.message})` }
      : { reachable: false, paused: false, problem: `no SMTP session: ${transportCode ?? error.message}` };
  }
}

/** Slack: auth.test with the bot token (Tier 4, so a look every few seconds is nothing). */
export async function checkSlack(
  options: Pick<SlackChannelOptions, 'botToken' | 'apiUrl' | 'client'>,
): Promise<ProviderCheck> {
  try {
    const client = options.client ?? (await slackWebClient({ ...options, timeoutMs: 5_000 }));
    await client.apiCall('auth.test', {});
    return { reachable: true, paused: false };
  } catch (error) {
    const verdict = classifySlackError(error, false);
    if (verdict.kind === 'rate_limited')
      return { reachable: true, paused: true, ...until(verdict.retryAfterSeconds), problem: 'Slack rate limit' };
    if (verdict.kind === 'permanent')
      return { reachable: true, paused: false, problem: `Slack refused the app: ${verdict.code}` };
    const e = verdict.error;
    return e.code === 'SLACK_CONFIG'
      ? { reachable: true, paused: false, problem: e.message }
      : { reachable: !/unreachable/i.test(e.message), paused: false, problem: e.message };
  }
}

/**
 * SMS (Twilio's shape): GET the account. `suspended` or `closed` is the provider holding every
 * text; 429 its rate limit; 401/404 credentials that do not fit.
 */
export async function checkSmsAccount(
  options: Pick<HttpSmsProviderOptions, 'apiUrl' | 'accountSid' | 'authToken' | 'fetch'>,
): Promise<ProviderCheck> {
  const base = options.apiUrl.replace(/\/+$/, '');
  const url = `${base}/Accounts/${encodeURIComponent(options.accountSid)}.json`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      headers: {
        authorization: `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`,
        accept: 'application/json',
      },
      signal: AbortSignal.timeout(5_000),
      redirect: 'error',
    });
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string } };
    return {
      reachable: false,
      paused: false,
      problem: `SMS provider unreachable: ${e.cause?.code ?? e.name ?? 'request failed'}`,
    };
  }
  if (response.status === 429)
    return {
      reachable: true,
      paused: true,
      ...until(retryAfterSeconds(response.headers.get('retry-after'))),
      problem: 'SMS provider rate limit',
    };
  if (response.status === 401 || response.status === 403 || response.status === 404)
    return {
      reachable: true,
      paused: false,
      problem: `the SMS provider refused the account (HTTP ${response.status}): check SMS_ACCOUNT_SID and SMS_AUTH_TOKEN`,
    };
  if (!response.ok)
    return { reachable: true, paused: false, problem: `the SMS provider answered HTTP ${response.status}` };
  const body = (await response.json().catch(() => ({}))) as { status?: unknown };
  if (body.status === 'suspended' || body.status === 'closed')
    return { reachable: true, paused: true, problem: `the SMS provider has ${body.status} the account` };
  return { reachable: true, paused: false };
}

function oneLine(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.split('\n')[0]!.slice(0, 200);
}
