import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../../config/env.js';
import { channelAdaptersFromEnv, smsSettingsFromEnv, TWILIO_API_URL } from '../../../services/channel-adapters.js';
import { createLogger } from '../../../main/logger.js';

const SMS = {
  SMS_ACCOUNT_SID: 'AC0123456789abcdef',
  SMS_AUTH_TOKEN: 'sms-secret-token-value',
  SMS_FROM: '+15005550006',
};
const SLACK = { SLACK_BOT_TOKEN: 'xoxb-1234-5678', SLACK_SIGNING_SECRET: 'a'.repeat(32) };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('channel configuration', () => {
  it('has documented per-channel rates and no Slack or SMS adapter by default', () => {
    const env = loadEnv({});
    expect(env.SLACK_DM_RATE_PER_SECOND).toBe(0.8);
    expect(env.SMS_RATE_PER_SECOND).toBe(1);
    expect(smsSettingsFromEnv(env)).toBeUndefined();
    expect(channelAdaptersFromEnv(env, { publicUrl: 'http://localhost:3000' })).toEqual({});
  });

  it('turns SMS on with account, token and sender (Twilio unless SMS_API_URL says otherwise)', () => {
    expect(smsSettingsFromEnv(loadEnv(SMS))).toMatchObject({ apiUrl: TWILIO_API_URL, from: '+15005550006' });
    expect(smsSettingsFromEnv(loadEnv({ ...SMS, SMS_API_URL: 'http://127.0.0.1:3300/2010-04-01' }))?.apiUrl).toBe(
      'http://127.0.0.1:3300/2010-04-01',
    );
    const adapters = channelAdaptersFromEnv(loadEnv({ ...SMS, ...SLACK }), { publicUrl: 'http://localhost:3000' });
    expect(adapters.sms?.channel).toBe('sms');
    expect(adapters.slack?.channel).toBe('slack');
  });

  it('names the missing SMS variable and never echoes the token', () => {
    const error = configError({ SMS_ACCOUNT_SID: SMS.SMS_ACCOUNT_SID, SMS_AUTH_TOKEN: SMS.SMS_AUTH_TOKEN });
    expect(error.problems.map((p) => p.variable)).toEqual(['SMS_FROM']);
    expect(error.message).not.toContain(SMS.SMS_AUTH_TOKEN);
    expect(configError({ SMS_API_URL: 'http://127.0.0.1:3300' }).problems[0]?.variable).toBe('SMS_ACCOUNT_SID');
    expect(configError({ ...SMS, SMS_FROM: '555-0100' }).problems[0]?.variable).toBe('SMS_FROM');
    expect(configError({ SMS_RATE_PER_SECOND: '0' }).problems[0]?.variable).toBe('SMS_RATE_PER_SECOND');
  });

  it('accepts an alphanumeric sender id', () => {
    expect(loadEnv({ ...SMS, SMS_FROM: 'RapportBank' }).SMS_FROM).toBe('RapportBank');
  });

  it('redacts provider secrets in logs', () => {
    const lines: string[] = [];
    const logger = createLogger('info');
    // pino's own handle on its destination: capture what would be written.
    const stream = (logger as unknown as Record<symbol, { write: (s: string) => void }>)[pino.symbols.streamSym]!;
    const write = stream.write.bind(stream);
    stream.write = (s: string) => void lines.push(s);
    logger.info({ sms: { authToken: SMS.SMS_AUTH_TOKEN }, slack: { botToken: SLACK.SLACK_BOT_TOKEN } }, 'settings');
    stream.write = write;
    expect(lines.join('')).not.toContain(SMS.SMS_AUTH_TOKEN);
    expect(lines.join('')).not.toContain(SLACK.SLACK_BOT_TOKEN);
    expect(lines.join('')).toContain('[redacted]');
  });
});
