import { describe, expect, it } from 'vitest';
import { classifySendFailure, EmailSendError, redactSmtpUrl } from '../../../../channels/email/index.js';

const smtpError = (props: Record<string, unknown>) =>
  Object.assign(new Error(String(props.response ?? 'failed')), props);

describe('classifySendFailure', () => {
  it.each([
    ['550 to RCPT TO', { code: 'EENVELOPE', responseCode: 550, permanent: true, command: 'RCPT TO' }],
    ['552 at the end of DATA', { code: 'EMESSAGE', responseCode: 552, permanent: true, command: 'DATA' }],
  ])('reads a %s as a hard bounce', (_, props) => {
    const result = classifySendFailure(smtpError(props));
    expect(result).toMatchObject({ permanent: true, details: { responseCode: props.responseCode } });
  });

  it.each([
    [
      '451 to RCPT TO',
      { code: 'EENVELOPE', responseCode: 451, permanent: false, command: 'RCPT TO' },
      'SMTP_TEMPORARY',
    ],
    ['421 greeting', { code: 'EPROTOCOL', responseCode: 421, command: 'CONN' }, 'SMTP_TEMPORARY'],
    ['503 bad sequence', { code: 'EPROTOCOL', responseCode: 503, permanent: false, command: 'DATA' }, 'SMTP_TEMPORARY'],
    ['refused connection', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }, 'SMTP_TEMPORARY'],
    ['dropped connection', { code: 'ECONNECTION' }, 'SMTP_TEMPORARY'],
    ['timeout', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }, 'SMTP_TEMPORARY'],
    ['unknown failure', {}, 'SMTP_TEMPORARY'],
    ['535 to AUTH', { code: 'EAUTH', responseCode: 535, permanent: true, command: 'AUTH PLAIN' }, 'SMTP_CONFIG'],
    [
      '550 to MAIL FROM',
      { code: 'EENVELOPE', responseCode: 550, permanent: true, command: 'MAIL FROM' },
      'SMTP_CONFIG',
    ],
    ['missing credentials', { code: 'ENOAUTH' }, 'SMTP_CONFIG'],
    ['TLS failure', { code: 'ETLS' }, 'SMTP_CONFIG'],
    ['no recipients', { code: 'EENVELOPE' }, 'SMTP_INVALID_MESSAGE'],
  ])('reads a %s as %s', (_, props, code) => {
    const result = classifySendFailure(smtpError(props));
    expect(result).toBeInstanceOf(EmailSendError);
    expect((result as EmailSendError).code).toBe(code);
    expect((result as EmailSendError).retryable).toBe(code === 'SMTP_TEMPORARY');
  });

  it('keeps the socket code of a refused connection', () => {
    const result = classifySendFailure(smtpError({ code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }));
    expect((result as EmailSendError).details).toEqual({ command: 'CONN', transportCode: 'ECONNREFUSED' });
  });
});

describe('redactSmtpUrl', () => {
  it('never shows the password', () => {
    expect(redactSmtpUrl('smtp://apikey:s3cr3t-p%40ss@smtp.example:587')).toBe('smtp://apikey:***@smtp.example:587');
    expect(redactSmtpUrl('smtps://user@smtp.example?pool=true')).toBe('smtps://user@smtp.example');
    expect(redactSmtpUrl('nonsense s3cr3t')).not.toContain('s3cr3t');
  });
});
