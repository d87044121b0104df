import { describe, expect, it } from 'vitest';
import { buildAlertEmail } from '../../../channels/email/alert-email.js';
import { buildSlackAlertMessage } from '../../../channels/slack/alert-message.js';
import { PREFERENCES_ACTION_ID } from '../../../channels/slack/customer-response-ids.js';
import { buildAlertSms, SMS_OPT_OUT } from '../../../channels/sms/alert-text.js';
import { alertInput } from './email/fixtures.js';

const URL_ = 'https://rapport.bank.example/p/p1_90210_t5abcd.mac';

describe('every alert links the contact’s preference centre', () => {
  it('email: a footer link (HTML and text), escaped; none without a URL', () => {
    const input = alertInput();
    const email = buildAlertEmail({ ...input, recipient: { ...input.recipient, preferencesUrl: `${URL_}?a=1&b=2` } });
    expect(email.html).toContain(`href="${URL_}?a=1&amp;b=2"`);
    expect(email.html).toContain('Choose what you get, how and when');
    expect(email.text).toContain(`Your preferences: ${URL_}?a=1&b=2`);
    const without = buildAlertEmail(alertInput());
    expect(without.html).not.toContain('/p/');
    expect(without.html).toContain("Don't want these alerts?");
  });

  it('email: a preference URL that is not http(s) is refused', () => {
    const input = alertInput();
    expect(() =>
      buildAlertEmail({ ...input, recipient: { ...input.recipient, preferencesUrl: 'javascript:alert(1)' } }),
    ).toThrow(/preferencesUrl/);
  });

  it('SMS: a Preferences line before the opt-out line', () => {
    const body = buildAlertSms({ title: 'Rates', responseUrl: 'https://r.example/r/x', preferencesUrl: URL_ });
    expect(body).toBe(`Rates\nAnswer: https://r.example/r/x\nPreferences: ${URL_}\n${SMS_OPT_OUT}`);
  });

  it('Slack DM: a link button of its own under the answers', () => {
    const message = buildSlackAlertMessage({ id: 'A', title: 'Rates', body: 'Up.' }, 'tok.mac', null, URL_);
    const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons).toContainEqual(expect.objectContaining({ action_id: PREFERENCES_ACTION_ID, url: URL_ }));
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const none = buildSlackAlertMessage({ id: 'A', title: 'Rates', body: 'Up.' }, 'tok.mac');
    expect(none.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []))).not.toContainEqual(
      expect.objectContaining({ action_id: PREFERENCES_ACTION_ID }),
    );
  });
});
