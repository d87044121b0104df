import type { Attempt, ChannelAdapter, ChannelAlert, ChannelRecipient, TokenSigner } from '../adapter.js';
import { createProviderPause } from '../provider-pause.js';
import { ChannelSendError } from '../send-error.js';
import { buildAlertSms } from './alert-text.js';
import type { SmsProvider } from './provider.js';

export interface SmsChannelOptions {
  provider: SmsProvider;
  /** Base of the response page link, e.g. https://rapport.example.com */
  publicUrl: string;
}

/** Rate-limited answers waited out inside one send before it gives up with a retryable error. */
const RATE_LIMIT_TRIES = 3;

/**
 * Alerts as a text message through the SMS provider port. A refused number (invalid,
 * unreachable, opted out with STOP) is a permanent failure: the fallback channel gets one try.
 * A 429 pauses every text of this adapter for Retry-After; outages throw for the activity to retry.
 */
export function createSmsChannel(options: SmsChannelOptions): ChannelAdapter {
  const base = options.publicUrl.replace(/\/+$/, '');
  const pause = createProviderPause();

  return {
    channel: 'sms',
    async send(alert: ChannelAlert, recipient: ChannelRecipient, sign: TokenSigner): Promise<Attempt> {
      // The response page (no action chosen yet) lists the four answers, as the email's buttons do.
      const body = buildAlertSms({
        title: alert.title,
        responseUrl: `${base}/r/${encodeURIComponent(sign('response'))}`,
        firstName: recipient.firstName,
        ...(recipient.preferencesUrl ? { preferencesUrl: recipient.preferencesUrl } : {}),
      });
      const reference = `${alert.id}:${recipient.contactId}`;
      for (let tries = 1; ; tries++) {
        if (!(await pause.ready())) {
          const left = pause.secondsLeft();
          throw new ChannelSendError('SMS_RATE_LIMITED', `SMS provider asked to wait ${left} s`, left);
        }
        const result = await options.provider.send({ to: recipient.address, body, reference });
        if (result.accepted)
          return { status: 'sent', channel: 'sms', messageId: result.providerMessageId || reference };
        if (result.permanent) return { status: 'bounced', channel: 'sms', error: `${result.code}: ${result.message}` };
        if (result.code === 'SMS_RATE_LIMITED') {
          const wait = result.retryAfterSeconds ?? 1;
          if (pause.pauseFor(wait) && tries < RATE_LIMIT_TRIES) continue;
          throw new ChannelSendError('SMS_RATE_LIMITED', `SMS provider rate limit: ${result.message}`, wait);
        }
        const code =
          result.code === 'SMS_CONFIG'
            ? 'SMS_CONFIG'
            : result.code === 'SMS_OUTCOME_UNKNOWN'
              ? 'SMS_OUTCOME_UNKNOWN'
              : 'SMS_TEMPORARY';
        throw new ChannelSendError(code, `${result.code}: ${result.message}`);
      }
    },
  };
}
