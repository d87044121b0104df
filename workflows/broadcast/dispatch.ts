import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { EmailSendError } from '../../channels/email/send-errors.js';
import type { EmailSender } from '../../channels/email/sender.js';
import type { Channel } from '../../domain/audience/types.js';
import { signToken } from '../../domain/broadcast/signed-token.js';
import type { AlertRow } from '../../store/alerts.js';
import type { DeliveryRow, DeliveryStore } from '../../store/deliveries.js';
import type { BatchOutcome } from './shared.js';

export interface DispatchDeps {
  deliveries: DeliveryStore;
  mail: EmailSender;
  secret: string;
  /** One limiter per channel this worker can send on; a channel without one has no adapter yet. */
  limiters: Partial<Record<Channel, () => Promise<void>>>;
  /** Sends in flight at once within one batch (default 8); keep it at or above the SMTP pool's connections. */
  lanes?: number;
}

type Attempt = { status: 'sent' | 'failed' | 'bounced'; channel: Channel; messageId?: string; error?: string };

/** Rows per lane at least: a small batch goes out strictly in order, one send at a time. */
const ROWS_PER_LANE = 25;
/** Rows between heartbeats (the SDK throttles them anyway; this saves the per-row call). */
const HEARTBEAT_EVERY = 10;

/**
 * Sends one batch of the ledger. Every row is claimed ('sending') before the SMTP call and
 * finished after it; rows a crashed attempt left 'sending' become 'unconfirmed', never resent.
 * A large batch goes out on a few lanes at once (each row still claimed one by one, in seq
 * order), so the SMTP pool stays busy; a row's outcome is written with the lane's next claim. After a send
 * that certainly delivered nothing, no lane starts another row and the attempt fails.
 */
export async function dispatchBatch(
  deps: DispatchDeps,
  alert: AlertRow,
  batch: number,
  size: number,
): Promise<BatchOutcome> {
  const { deliveries } = deps;
  const outcome: BatchOutcome = { sent: 0, failed: 0, bounced: 0, deferred: 0, unconfirmed: 0, skipped: 0 };
  outcome.unconfirmed = await deliveries.markUnconfirmed(alert.id, batch, size);
  const rows = await deliveries.pendingInBatch(alert.id, batch, size);
  const now = Date.now();
  const lanes = Math.max(1, Math.min(deps.lanes ?? 8, Math.floor(rows.length / ROWS_PER_LANE)));

  let next = 0;
  let failure: { error: unknown } | undefined;
  /** The next row this lane may send: not deferred by quiet hours, and nobody's failure has stopped the batch. */
  const take = (): DeliveryRow | undefined => {
    while (!failure && next < rows.length) {
      const i = next++;
      const row = rows[i]!;
      if (i % HEARTBEAT_EVERY === 0) heartbeat({ batch, row: i });
      // Quiet hours delay, never drop: the row stays pending for a later pass after the workflow's timer.
      if (row.deliverAfter && Date.parse(row.deliverAfter) > now) {
        outcome.deferred += 1;
        continue;
      }
      return row;
    }
    return undefined;
  };
  const lane = async () => {
    // The outcome of the lane's last send is written in the same statement that claims its next row:
    // at most one row per lane is ever between its claim and its recorded outcome.
    let done: (Attempt & { contactId: string }) | null = null;
    for (;;) {
      const row = take();
      if (!row) {
        if (done) await deliveries.finishAndClaim(alert.id, done, null);
        return;
      }
      const claimed = await deliveries.finishAndClaim(alert.id, done, row.contactId);
      done = null;
      // Cancelled (or taken by a concurrent attempt) since we listed it.
      if (!claimed) {
        outcome.skipped += 1;
        continue;
      }
      let attempt: Attempt;
      try {
        attempt = await deliver(deps, alert, row);
      } catch (error) {
        // Nothing was delivered (connection refused, 4xx): back to pending, the activity retries.
        const message = error instanceof Error ? error.message : String(error);
        failure ??= { error };
        await deliveries.release(alert.id, row.contactId, message);
        return;
      }
      done = { contactId: row.contactId, ...attempt };
      outcome[attempt.status] += 1;
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  if (failure) {
    const { error } = failure;
    if (error instanceof EmailSendError && error.code === 'SMTP_INVALID_MESSAGE') {
      throw ApplicationFailure.nonRetryable(error.message, error.code);
    }
    throw error;
  }
  return outcome;
}

async function deliver(deps: DispatchDeps, alert: AlertRow, row: DeliveryRow): Promise<Attempt> {
  const primary = await tryChannel(deps, alert, row, row.channel, row.address);
  // A hard bounce gets one try on the fallback channel; the bounce itself is flagged in the CRM later.
  if (primary.status === 'bounced' && row.fallbackChannel && row.fallbackAddress) {
    const fallback = await tryChannel(deps, alert, row, row.fallbackChannel, row.fallbackAddress);
    if (fallback.status === 'sent') return { ...fallback, error: `bounced on ${row.channel}: ${primary.error ?? ''}` };
    return { ...primary, error: `${primary.error ?? ''}; fallback ${row.fallbackChannel}: ${fallback.error ?? ''}` };
  }
  // No adapter for the preferred channel (Slack, SMS in this build): the fallback takes it.
  if (primary.status === 'failed' && !deps.limiters[row.channel] && row.fallbackChannel && row.fallbackAddress) {
    return tryChannel(deps, alert, row, row.fallbackChannel, row.fallbackAddress);
  }
  return primary;
}

async function tryChannel(
  deps: DispatchDeps,
  alert: AlertRow,
  row: DeliveryRow,
  channel: Channel,
  address: string,
): Promise<Attempt> {
  const limiter = deps.limiters[channel];
  if (!limiter) return { status: 'failed', channel, error: `no ${channel} adapter is configured` };
  await limiter();
  const sign = (purpose: 'response' | 'reply' | 'unsubscribe' | 'bounce') => signToken(deps.secret, purpose, row.token);
  const message = deps.mail.compose({
    alert: { id: alert.id, title: alert.title, body: alert.body },
    recipient: { contactId: row.contactId, email: address },
    tokens: {
      response: sign('response'),
      unsubscribe: sign('unsubscribe'),
      reply: sign('reply'),
      bounce: sign('bounce'),
    },
  });
  const result = await deps.mail.send(message);
  if (result.accepted) return { status: 'sent', channel, messageId: message.messageId };
  return {
    status: result.permanent ? 'bounced' : 'failed',
    channel,
    messageId: message.messageId,
    error: result.response || 'rejected',
  };
}
