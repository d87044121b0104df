import type { ChannelAdapters } from '../channels/adapter.js';
import { createSlackChannel } from '../channels/slack/slack-channel.js';
import { createHttpSmsProvider, type HttpSmsProviderOptions } from '../channels/sms/http-provider.js';
import { createSmsChannel } from '../channels/sms/sms-channel.js';
import type { Env } from '../config/env.js';

/** The provider the SMS settings speak to when SMS_API_URL is unset. */
export const TWILIO_API_URL = 'https://api.twilio.com/2010-04-01';

/** SMS provider settings when SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM are set (config/env.ts wants all or none). */
export function smsSettingsFromEnv(env: Env): HttpSmsProviderOptions | undefined {
  if (!env.SMS_ACCOUNT_SID || !env.SMS_AUTH_TOKEN || !env.SMS_FROM) return undefined;
  return {
    apiUrl: env.SMS_API_URL ?? TWILIO_API_URL,
    accountSid: env.SMS_ACCOUNT_SID,
    authToken: env.SMS_AUTH_TOKEN,
    from: env.SMS_FROM,
  };
}

/**
 * Slack and SMS adapters from the configuration. Slack DMs need the Slack app itself (bot token
 * and signing secret): its answer buttons come back to /slack/events, and a DM whose buttons go
 * nowhere is worse than the fallback email. SMS needs its provider settings, from the
 * environment or (npm start) the embedded stand-in. A channel left out falls back per contact.
 */
export function channelAdaptersFromEnv(
  env: Env,
  parts: { publicUrl: string; sms?: HttpSmsProviderOptions },
): Pick<ChannelAdapters, 'slack' | 'sms'> {
  const adapters: Pick<ChannelAdapters, 'slack' | 'sms'> = {};
  if (env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET) {
    adapters.slack = createSlackChannel({ botToken: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL });
  }
  const sms = parts.sms ?? smsSettingsFromEnv(env);
  if (sms) adapters.sms = createSmsChannel({ provider: createHttpSmsProvider(sms), publicUrl: parts.publicUrl });
  return adapters;
}
