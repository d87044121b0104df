import type { Logger } from 'pino';
import type { HttpSmsProviderOptions } from '../../channels/sms/http-provider.js';
import type { Env } from '../../config/env.js';
import { startSmsStandIn, type SmsStandIn } from '../../sandbox/sms/index.js';
import { smsSettingsFromEnv } from '../../services/channel-adapters.js';
import type { Cleanups } from './cleanups.js';

export interface SmsStep {
  /** The stand-in's provider settings; undefined when a real provider is configured. */
  sms?: HttpSmsProviderOptions;
  /** The token that signs texts back: the configured account's, else the stand-in's. */
  authToken?: string;
  /** The embedded SMS stand-in's outbox page, when SMS is not configured. */
  smsOutboxUrl?: string;
}

/** Twilio's test sender number: a demo text comes "from" a number that can never be a real one. */
const EMBEDDED_SMS_FROM = '+15005550006';

/** The configured provider, else the local stand-in with an outbox page. */
export async function startSms(env: Env, logger: Logger, cleanups: Cleanups): Promise<SmsStep> {
  if (smsSettingsFromEnv(env)) return { ...(env.SMS_AUTH_TOKEN ? { authToken: env.SMS_AUTH_TOKEN } : {}) };
  const standIn = await startEmbeddedSmsStandIn(env, logger);
  cleanups.defer(() => standIn.close());
  return {
    sms: {
      apiUrl: standIn.apiUrl,
      accountSid: standIn.accountSid,
      authToken: standIn.authToken,
      from: EMBEDDED_SMS_FROM,
    },
    authToken: standIn.authToken,
    smsOutboxUrl: standIn.outboxUrl,
  };
}

/**
 * The local SMS stand-in on SMS_SANDBOX_PORT. Only Rapport talks to it (the URL is handed over,
 * not configured), so when the port is taken it takes any free one rather than stopping start-up.
 */
async function startEmbeddedSmsStandIn(env: Env, logger: Logger): Promise<SmsStandIn> {
  const host = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
  try {
    return await startSmsStandIn({ port: env.SMS_SANDBOX_PORT, host, senders: [EMBEDDED_SMS_FROM] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    logger.info({ port: env.SMS_SANDBOX_PORT }, 'SMS_SANDBOX_PORT is taken; the SMS stand-in uses a free port');
    return startSmsStandIn({ port: 0, host, senders: [EMBEDDED_SMS_FROM] });
  }
}
