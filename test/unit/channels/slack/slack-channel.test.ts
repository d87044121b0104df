import { describe, expect, it } from 'vitest';
import { ChannelSendError, isOutcomeUnknown } from '../../../../channels/send-error.js';
import { createSlackChannel, type SlackApi } from '../../../../channels/slack/slack-channel.js';
import { classifySlackError } from '../../../../channels/slack/slack-errors.js';
import { validateMessage } from '../../../../sandbox/slack/validate.js';

const ALERT = { id: 'alr_01jdz0000000000000000000ab', title: 'Rates move', body: 'Up **0.25%**.' };
const RECIPIENT = { contactId: '102', address: 'U04MGARCIA1' };
const sign = () => 'tok0000000001.AbCdEfGhIjKlMnOpQrStUv';

// The shapes @slack/web-api 8 throws (errors.d.ts): string codes, the platform's error in data.
const platform = (error: string) => ({ code: 'slack_webapi_platform_error', data: { ok: false, error } });
const rateLimited = (retryAfter: number) => ({ code: 'slack_webapi_rate_limited_error', retryAfter });
const http = (statusCode: number) => ({ code: 'slack_webapi_http_error', statusCode });
const network = (code: string) => ({
  code: 'slack_webapi_request_error',
  original: { name: 'TypeError', cause: { code } },
});

describe('Slack answers sorted', () => {
  it.each([
    ['user_not_found', platform('user_not_found'), false, { kind: 'permanent', code: 'user_not_found' }],
    ['channel_not_found', platform('channel_not_found'), true, { kind: 'permanent' }],
    ['account_inactive', platform('account_inactive'), true, { kind: 'permanent' }],
    ['cannot_dm_bot', platform('cannot_dm_bot'), false, { kind: 'permanent' }],
    ['invalid_blocks', platform('invalid_blocks'), true, { kind: 'permanent' }],
    ['429 with Retry-After', rateLimited(12), true, { kind: 'rate_limited', retryAfterSeconds: 12 }],
    ['ratelimited in the body', platform('ratelimited'), true, { kind: 'rate_limited' }],
  ])('%s', (_name, error, posting, expected) => {
    expect(classifySlackError(error, posting)).toMatchObject(expected);
  });

  it.each([
    ['invalid_auth', platform('invalid_auth'), true, 'SLACK_CONFIG'],
    ['missing_scope', platform('missing_scope'), false, 'SLACK_CONFIG'],
    ['HTTP 404 (wrong SLACK_API_URL)', http(404), false, 'SLACK_CONFIG'],
    ['HTTP 503', http(503), true, 'SLACK_TEMPORARY'],
    ['internal_error', platform('internal_error'), true, 'SLACK_TEMPORARY'],
    ['refused connection while posting', network('ECONNREFUSED'), true, 'SLACK_TEMPORARY'],
    ['reset while opening the DM', network('ECONNRESET'), false, 'SLACK_TEMPORARY'],
    ['reset while posting', network('ECONNRESET'), true, 'SLACK_OUTCOME_UNKNOWN'],
  ])('%s: retry as %s', (_name, error, posting, code) => {
    const verdict = classifySlackError(error, posting);
    expect(verdict.kind).toBe('retry');
    expect(verdict.kind === 'retry' && verdict.error.code).toBe(code);
  });
});

describe('the Slack channel adapter', () => {
  function fakeSlack(failures: Record<string, unknown[]> = {}) {
    const calls: { method: string; args: Record<string, unknown> }[] = [];
    const api: SlackApi = {
      async apiCall(method, args = {}) {
        calls.push({ method, args });
        const failure = failures[method]?.shift();
        if (failure) throw failure;
        if (method === 'conversations.open') return { ok: true, channel: { id: 'D0MARIA' } };
        return { ok: true, channel: args.channel, ts: '1700000000.000100' };
      },
    };
    return { api, calls };
  }

  it('opens the DM and posts the Block Kit alert there', async () => {
    const { api, calls } = fakeSlack();
    const attempt = await createSlackChannel({ botToken: 'xoxb-test', client: api }).send(ALERT, RECIPIENT, sign);
    expect(attempt).toEqual({ status: 'sent', channel: 'slack', messageId: 'D0MARIA/1700000000.000100' });
    expect(calls.map((c) => c.method)).toEqual(['conversations.open', 'chat.postMessage']);
    expect(calls[0]!.args).toMatchObject({ users: 'U04MGARCIA1' });
    expect(calls[1]!.args.channel).toBe('D0MARIA');
    expect(validateMessage(calls[1]!.args, 40_000).problems).toEqual([]);
  });

  it('reports an unknown user as a bounce without posting', async () => {
    const { api, calls } = fakeSlack({ 'conversations.open': [platform('user_not_found')] });
    const attempt = await createSlackChannel({ botToken: 'xoxb-test', client: api }).send(ALERT, RECIPIENT, sign);
    expect(attempt).toMatchObject({ status: 'bounced', channel: 'slack', error: 'conversations.open: user_not_found' });
    expect(calls).toHaveLength(1);
  });

  it('waits Retry-After on a 429 and then posts once', async () => {
    const { api, calls } = fakeSlack({ 'chat.postMessage': [rateLimited(0.2)] });
    const started = Date.now();
    const attempt = await createSlackChannel({ botToken: 'xoxb-test', client: api }).send(ALERT, RECIPIENT, sign);
    expect(attempt.status).toBe('sent');
    expect(calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('gives up with a retryable error when Slack asks for a long wait, and the next send does not wait either', async () => {
    const { api, calls } = fakeSlack({ 'conversations.open': [rateLimited(300)] });
    const slack = createSlackChannel({ botToken: 'xoxb-test', client: api });
    for (let i = 0; i < 2; i++) {
      const error = await slack.send(ALERT, RECIPIENT, sign).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChannelSendError);
      expect((error as ChannelSendError).code).toBe('SLACK_RATE_LIMITED');
    }
    expect(calls).toHaveLength(1);
  });

  it('throws for outages and a lost chat.postMessage answer, marking the latter as possibly delivered', async () => {
    const down = fakeSlack({ 'conversations.open': [http(503)] });
    const outage = await createSlackChannel({ botToken: 'xoxb-test', client: down.api })
      .send(ALERT, RECIPIENT, sign)
      .catch((e: unknown) => e);
    expect((outage as ChannelSendError).code).toBe('SLACK_TEMPORARY');
    expect(isOutcomeUnknown(outage)).toBe(false);

    const lost = fakeSlack({ 'chat.postMessage': [network('ECONNRESET')] });
    const unknown = await createSlackChannel({ botToken: 'xoxb-test', client: lost.api })
      .send(ALERT, RECIPIENT, sign)
      .catch((e: unknown) => e);
    expect(isOutcomeUnknown(unknown)).toBe(true);
  });
});
