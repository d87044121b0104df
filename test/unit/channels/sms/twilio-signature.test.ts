import { describe, expect, it } from 'vitest';
import { isTwilioSignatureValid, twilioSignature } from '../../../../channels/sms/twilio-signature.js';
import { smsReplyKind } from '../../../../domain/broadcast/sms-reply.js';

// The example of Twilio's request-validation docs (and its SDKs' tests).
const TOKEN = '12345';
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('Twilio webhook signatures', () => {
  it("reproduces Twilio's documented example, whatever the parameters' order", () => {
    expect(twilioSignature(TOKEN, URL, PARAMS)).toBe(SIGNATURE);
    const reversed = Object.fromEntries(Object.entries(PARAMS).reverse());
    expect(isTwilioSignatureValid(TOKEN, URL, reversed, SIGNATURE)).toBe(true);
  });

  it('refuses another token, URL, parameter value, a forged or a missing signature', () => {
    expect(isTwilioSignatureValid('54321', URL, PARAMS, SIGNATURE)).toBe(false);
    expect(isTwilioSignatureValid(TOKEN, `${URL}&x=1`, PARAMS, SIGNATURE)).toBe(false);
    expect(isTwilioSignatureValid(TOKEN, URL, { ...PARAMS, Digits: '9999' }, SIGNATURE)).toBe(false);
    expect(isTwilioSignatureValid(TOKEN, URL, PARAMS, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toBe(false);
    expect(isTwilioSignatureValid(TOKEN, URL, PARAMS, undefined)).toBe(false);
  });
});

describe('what a text back means', () => {
  it('reads the carriers’ opt-out, opt-in and help words as the whole message, in any case', () => {
    for (const word of ['STOP', 'stop', ' Stop. ', 'UNSUBSCRIBE', 'cancel', 'End', 'quit', 'STOPALL'])
      expect(smsReplyKind(word)).toBe('unsubscribe');
    expect(smsReplyKind('start')).toBe('opt-in');
    expect(smsReplyKind('HELP')).toBe('help');
  });

  it('treats anything else as a reply for the owner, even when it contains those words', () => {
    expect(smsReplyKind('Please stop by the branch, I have a question')).toBe('reply');
    expect(smsReplyKind('Call me tomorrow')).toBe('reply');
  });
});
