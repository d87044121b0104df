import { isOutcomeUnknown } from '../../channels/send-error.js';
import type { AlertRow } from '../../store/alerts.js';
import { LATE_BOUNCE, type DeliveryStore } from '../../store/deliveries.js';
import { ChannelFailure, tryChannel, type DispatchDeps } from './dispatch.js';

/** What the one fallback try after a late bounce came to. */
export type LateFallbackOutcome =
  /** Nothing to try: no fallback, the email was itself the fallback, or the try was made already. */
  | 'none'
  | 'sent'
  | 'failed'
  /** A try whose worker died on the wire: it may have arrived, so it is not made again. */
  | 'unconfirmed';

/**
 * A bounce that came back after the server had accepted the email (a DSN) gets the same one try
 * on the contact's fallback channel as a hard bounce during the SMTP conversation (dispatch.ts).
 * Exactly once, whoever asks and how often: every DSN of the message, and every retry, goes
 * through the ledger's claim of the row ('bounced' -> 'sending', email_bounced set), which
 * succeeds once. So two DSNs, a DSN while the alert still dispatches and one after it completed
 * all end in one try. Temporary failures (Slack 503, the SMS provider down) put the claim back
 * and throw, so the caller's activity retries; a send that may have arrived is never made again.
 */
export async function fallbackAfterLateBounce(
  deps: DispatchDeps & { deliveries: DeliveryStore },
  alert: AlertRow,
  contactId: string,
  bounce: string,
  /** This is a retry of the caller's activity: a claim still held is its own earlier attempt's. */
  retry: boolean,
): Promise<LateFallbackOutcome> {
  const { deliveries } = deps;
  // The ledger may not know of the bounce yet (the webhook's write raced with the send's own record).
  await deliveries.markBounced(alert.id, contactId, bounce);
  const row = await deliveries.claimLateFallback(alert.id, contactId);
  if (!row) {
    // Our previous attempt claimed it and died: what it sent may have arrived. (Another DSN's try
    // in flight is left alone: it records its own outcome.)
    return retry && (await deliveries.lateFallbackUnconfirmed(alert.id, contactId)) ? 'unconfirmed' : 'none';
  }
  const channel = row.fallbackChannel!;
  const emailError = row.lastError ?? LATE_BOUNCE;
  try {
    const attempt = await tryChannel(deps, alert, row, channel, row.fallbackAddress!, {
      beforeSend: () => Promise.resolve(true),
    });
    if (attempt.status === 'sent') {
      await deliveries.finishAndClaim(
        alert.id,
        { contactId, status: 'sent', channel, messageId: attempt.messageId, error: emailError, emailBounced: true },
        null,
      );
      return 'sent';
    }
    // Refused for good on the fallback too: the row stays the email's bounce, and says both.
    await deliveries.finishAndClaim(
      alert.id,
      {
        contactId,
        status: 'bounced',
        channel: 'email',
        error: `${emailError}; fallback ${channel}: ${attempt.error ?? attempt.status}`,
        emailBounced: true,
      },
      null,
    );
    return 'failed';
  } catch (error) {
    const reason = error instanceof ChannelFailure ? error.reason : error;
    if (isOutcomeUnknown(reason)) {
      await deliveries.lateFallbackUnconfirmed(alert.id, contactId);
      return 'unconfirmed';
    }
    // Nothing was delivered: claimable again by the activity's retry.
    await deliveries.releaseLateFallback(alert.id, contactId, emailError);
    throw reason;
  }
}
