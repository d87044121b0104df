import { describe, expect, it } from 'vitest';
import { buildAlertSms, SMS_MAX_CHARS, SMS_OPT_OUT } from '../../../../channels/sms/alert-text.js';
import { createHttpSmsProvider, mapSmsResponse, retryAfterSeconds } from '../../../../channels/sms/http-provider.js';
import type { SmsProvider, SmsSendResult } from '../../../../channels/sms/provider.js';
import { createSmsChannel } from '../../../../channels/sms/sms-channel.js';
import { ChannelSendError, isOutcomeUnknown } from '../../../../channels/send-error.js';

const ALERT = { id: 'alr_01jdz0000000000000000000ab', title: 'Rates move', body: 'ignored in texts' };
const RECIPIENT = { contactId: '103', address: '+16175550188' };
const sign = () => 'tok0000000001.AbCdEfGhIjKlMnOpQrStUv';

describe('SMS provider answers (Twilio shape)', () => {
  it.each<[string, number, unknown, string | null, Partial<SmsSendResult>]>([
    ['201 with a sid', 201, { sid: 'SM123', status: 'queued' }, null, { accepted: true, providerMessageId: 'SM123' }],
    [
      '21211 invalid number',
      400,
      { code: 21211, message: 'bad' },
      null,
      { permanent: true, code: 'SMS_INVALID_NUMBER', providerCode: 21211 },
    ],
    ['21614 not a mobile', 400, { code: 21614 }, null, { permanent: true, code: 'SMS_UNREACHABLE' }],
    ['21610 replied STOP', 400, { code: 21610 }, null, { permanent: true, code: 'SMS_OPTED_OUT' }],
    ['an unknown 400', 400, { code: 21999 }, null, { permanent: true, code: 'SMS_REJECTED' }],
    ['21212 invalid sender', 400, { code: 21212 }, null, { permanent: false, code: 'SMS_CONFIG' }],
    ['401 credentials', 401, { code: 20003 }, null, { permanent: false, code: 'SMS_CONFIG' }],
    ['404 wrong account', 404, 'not json', null, { permanent: false, code: 'SMS_CONFIG' }],
    [
      '429 with Retry-After',
      429,
      { code: 20429 },
      '7',
      { permanent: false, code: 'SMS_RATE_LIMITED', retryAfterSeconds: 7 },
    ],
    ['500', 500, undefined, null, { permanent: false, code: 'SMS_UNAVAILABLE' }],
    ['503', 503, { code: 20503 }, null, { permanent: false, code: 'SMS_UNAVAILABLE' }],
  ])('%s', (_name, status, body, retryAfter, expected) => {
    expect(mapSmsResponse(status, body, retryAfter)).toMatchObject(expected);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(retryAfterSeconds('3', now)).toBe(3);
    expect(retryAfterSeconds('Tue, 24 Nov 2026 10:00:05 GMT', now)).toBe(5);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it('posts the form with basic auth and an idempotency key, and maps network failures', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const provider = createHttpSmsProvider({
      apiUrl: 'http://sms.test/2010-04-01/',
      accountSid: 'AC1',
      authToken: 'secret-token',
      from: '+15005550006',
      fetch: async (url, init) => {
        seen.push({ url: String(url), init: init! });
        return new Response(JSON.stringify({ sid: 'SM1' }), { status: 201 });
      },
    });
    expect(await provider.send({ to: '+16175550188', body: 'hi', reference: 'alr_1:103' })).toEqual({
      accepted: true,
      providerMessageId: 'SM1',
    });
    expect(seen[0]!.url).toBe('http://sms.test/2010-04-01/Accounts/AC1/Messages.json');
    const headers = seen[0]!.init.headers as Record<string, string>;
    expect(headers.authorization).toBe(`Basic ${Buffer.from('AC1:secret-token').toString('base64')}`);
    expect(headers['idempotency-key']).toBe('alr_1:103');
    expect(Object.fromEntries(new URLSearchParams(String(seen[0]!.init.body)))).toEqual({
      To: '+16175550188',
      From: '+15005550006',
      Body: 'hi',
    });
    expect(provider.target).not.toContain('secret-token');

    const failing = (error: unknown) =>
      createHttpSmsProvider({
        apiUrl: 'http://sms.test',
        accountSid: 'AC1',
        authToken: 't0000000',
        from: '+15005550006',
        fetch: () => Promise.reject(error),
      }).send({ to: '+16175550188', body: 'hi', reference: 'r' });
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(await failing(refused)).toMatchObject({ permanent: false, code: 'SMS_UNAVAILABLE' });
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    expect(await failing(timeout)).toMatchObject({ permanent: false, code: 'SMS_OUTCOME_UNKNOWN' });
  });
});

describe('the alert as a text', () => {
  const url = 'https://rapport.example/r/tok0000000001.AbCdEfGhIjKlMnOpQrStUv';

  it('is the title, the response page link and the opt-out line', () => {
    expect(buildAlertSms({ title: 'Rates move', responseUrl: url })).toBe(`Rates move\nAnswer: ${url}\n${SMS_OPT_OUT}`);
  });

  it('greets the contact by name when known, as the email and the DM do', () => {
    expect(buildAlertSms({ title: 'Rates move', responseUrl: url, firstName: 'Joe' })).toBe(
      `Hello Joe, Rates move\nAnswer: ${url}\n${SMS_OPT_OUT}`,
    );
    expect(buildAlertSms({ title: 'Rates move', responseUrl: url, firstName: ' ' })).toBe(
      `Rates move\nAnswer: ${url}\n${SMS_OPT_OUT}`,
    );
  });

  it('flattens line breaks and control characters in the title and stays within 1,600 characters', () => {
    const text = buildAlertSms({ title: `Line\r\nbreak\u0000 ${'x'.repeat(5000)}`, responseUrl: url });
    expect(text.length).toBeLessThanOrEqual(SMS_MAX_CHARS);
    expect(text.split('\n')).toHaveLength(3);
    expect(text.startsWith('Line break ')).toBe(true);
    expect(text.endsWith(`Answer: ${url}\n${SMS_OPT_OUT}`)).toBe(true);
    // eslint-disable-next-line no-control-regex -- checking there are none
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('the SMS channel adapter', () => {
  function provider(answers: SmsSendResult[]) {
    const sent: { to: string; body: string; reference: string }[] = [];
    const p: SmsProvider = {
      target: 'fake',
      async send(m) {
        sent.push(m);
        return answers.shift() ?? { accepted: true, providerMessageId: `SM${sent.length}` };
      },
    };
    return { p, sent };
  }

  it('texts the response page link with a deterministic reference', async () => {
    const { p, sent } = provider([]);
    const sms = createSmsChannel({ provider: p, publicUrl: 'https://rapport.example/' });
    expect(await sms.send(ALERT, RECIPIENT, sign)).toEqual({ status: 'sent', channel: 'sms', messageId: 'SM1' });
    expect(sent[0]).toMatchObject({ to: RECIPIENT.address, reference: `${ALERT.id}:103` });
    expect(sent[0]!.body).toContain(`https://rapport.example/r/${sign()}\n`);
  });

  it('reports a refused number as a bounce (the fallback channel gets one try)', async () => {
    const { p } = provider([{ accepted: false, permanent: true, code: 'SMS_OPTED_OUT', message: 'STOP' }]);
    const attempt = await createSmsChannel({ provider: p, publicUrl: 'https://r.example' }).send(
      ALERT,
      RECIPIENT,
      sign,
    );
    expect(attempt).toMatchObject({
      status: 'bounced',
      channel: 'sms',
      error: expect.stringContaining('SMS_OPTED_OUT'),
    });
  });

  it('waits out a short Retry-After and sends once', async () => {
    const { p, sent } = provider([
      { accepted: false, permanent: false, code: 'SMS_RATE_LIMITED', message: '429', retryAfterSeconds: 0.2 },
    ]);
    const started = Date.now();
    const attempt = await createSmsChannel({ provider: p, publicUrl: 'https://r.example' }).send(
      ALERT,
      RECIPIENT,
      sign,
    );
    expect(attempt.status).toBe('sent');
    expect(sent).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('throws a retryable error for a long rate limit, an outage, bad credentials or a lost answer', async () => {
    const cases: [SmsSendResult, string][] = [
      [
        { accepted: false, permanent: false, code: 'SMS_RATE_LIMITED', message: '429', retryAfterSeconds: 600 },
        'SMS_RATE_LIMITED',
      ],
      [{ accepted: false, permanent: false, code: 'SMS_UNAVAILABLE', message: '503' }, 'SMS_TEMPORARY'],
      [{ accepted: false, permanent: false, code: 'SMS_CONFIG', message: '401' }, 'SMS_CONFIG'],
      [{ accepted: false, permanent: false, code: 'SMS_OUTCOME_UNKNOWN', message: 'timeout' }, 'SMS_OUTCOME_UNKNOWN'],
    ];
    for (const [answer, code] of cases) {
      const { p } = provider([answer]);
      const error = await createSmsChannel({ provider: p, publicUrl: 'https://r.example' })
        .send(ALERT, RECIPIENT, sign)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChannelSendError);
      expect((error as ChannelSendError).code).toBe(code);
      expect(isOutcomeUnknown(error)).toBe(code === 'SMS_OUTCOME_UNKNOWN');
    }
  });
});
