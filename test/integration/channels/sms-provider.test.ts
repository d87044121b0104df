import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpSmsProvider } from '../../../channels/sms/http-provider.js';
import { startSmsStandIn, type SmsStandIn } from '../../../sandbox/sms/index.js';

const FROM = '+15005550006';
let sms: SmsStandIn;

beforeAll(async () => {
  sms = await startSmsStandIn({ senders: [FROM], ratePerSecond: 3, unreachable: { '+447700900123': 21614 } });
});
afterAll(async () => {
  await sms?.close();
});

const provider = (overrides: { authToken?: string; from?: string } = {}) =>
  createHttpSmsProvider({
    apiUrl: sms.apiUrl,
    accountSid: sms.accountSid,
    authToken: overrides.authToken ?? sms.authToken,
    from: overrides.from ?? FROM,
  });
const text = (to: string, reference: string) => ({ to, body: 'Rates move\nReply STOP to opt out', reference });

describe('the HTTP SMS provider against the SMS stand-in', () => {
  it('sends, records the text and dedupes a retried request by its idempotency key', async () => {
    sms.reset();
    const first = await provider().send(text('+16175550188', 'alr_1:103'));
    expect(first).toMatchObject({ accepted: true, providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    const again = await provider().send(text('+16175550188', 'alr_1:103'));
    expect(again).toEqual(first);
    expect(sms.messagesTo('+16175550188')).toEqual([
      expect.objectContaining({ from: FROM, reference: 'alr_1:103', segments: 1 }),
    ]);
  });

  it('maps its refusals: bad credentials, bad sender, invalid and unreachable numbers', async () => {
    expect(await provider({ authToken: 'wrong-token-value' }).send(text('+16175550188', 'r1'))).toMatchObject({
      permanent: false,
      code: 'SMS_CONFIG',
      providerCode: 20003,
    });
    expect(await provider({ from: '+15550000000' }).send(text('+16175550188', 'r2'))).toMatchObject({
      permanent: false,
      code: 'SMS_CONFIG',
      providerCode: 21212,
    });
    expect(await provider().send(text('617-555-0188', 'r3'))).toMatchObject({
      permanent: true,
      code: 'SMS_INVALID_NUMBER',
      providerCode: 21211,
    });
    expect(await provider().send(text('+447700900123', 'r4'))).toMatchObject({
      permanent: true,
      code: 'SMS_UNREACHABLE',
    });
  });

  it('limits the rate with 429 and Retry-After, and fails on request', async () => {
    sms.reset();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => provider().send(text('+16175550188', `burst-${i}`))),
    );
    expect(results.filter((r) => r.accepted)).toHaveLength(3);
    expect(results.filter((r) => !r.accepted)).toEqual([
      expect.objectContaining({ code: 'SMS_RATE_LIMITED', retryAfterSeconds: 1 }),
      expect.objectContaining({ code: 'SMS_RATE_LIMITED', retryAfterSeconds: 1 }),
    ]);

    sms.fail({ status: 503, times: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await provider().send(text('+16175550188', 'after-outage'))).toMatchObject({ code: 'SMS_UNAVAILABLE' });
    expect(await provider().send(text('+16175550188', 'after-outage'))).toMatchObject({ accepted: true });
  });

  it('shows the outbox with message text escaped', async () => {
    sms.reset();
    await provider().send({
      to: '+16175550188',
      body: '<script>alert(1)</script> https://x.example/r/a',
      reference: 'x',
    });
    const html = await (await fetch(sms.outboxUrl)).text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<a href="https://x.example/r/a">');
  });
});
