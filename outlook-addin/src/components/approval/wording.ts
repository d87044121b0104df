import { unconfiguredNote } from '../../../../domain/audience/summary.js';
import { sendTimingWords } from '../../../../domain/broadcast/send-timing.js';
import { ApiError } from '../../api.js';
import type { ApprovalAudience, DecisionKind } from '../../types.js';

/** The approval view's words: statuses, decisions, suppression reasons and audience counts. */

const REASON_WORDS: Record<string, string> = {
  DUPLICATE_CONTACT: 'same contact on several lists',
  DUPLICATE_EMAIL: 'same email address on another record',
  OPTED_OUT: 'opted out',
  TOPIC_OFF: 'turned this topic off in their preferences',
  UNSUBSCRIBED: 'unsubscribed from this kind of email in the CRM',
  NO_SMS_CONSENT: 'refused email and never agreed to texts',
  INVALID_EMAIL: 'email bounced or invalid',
  NO_USABLE_ADDRESS: 'no usable address for the channel',
  FREQUENCY_CAP: 'had too many alerts lately',
};

const CHANNEL_WORDS: Record<string, string> = { email: 'Email', slack: 'Slack', sms: 'SMS' };

export const STATUS_WORDS: Record<string, string> = {
  resolving: 'Rapport is still working out the audience. Try again in a moment.',
  awaiting_approval: 'Waiting for approval.',
  changes_requested: 'Changes were requested; waiting for the requester’s revision.',
  rejected: 'Rejected: nothing will be sent.',
  expired: 'The approval request expired: nothing will be sent.',
  approved: 'Approved: sending starts now.',
  dispatching: 'Approved: sending now.',
  following_up: 'Approved and sent: collecting responses.',
  completed: 'Approved, sent and completed.',
  cancelled: 'Cancelled: no further sends.',
  failed: 'The alert failed; see Rapport for details.',
};

export const DECISION_WORDS: Record<DecisionKind, string> = {
  approve: 'Approved',
  reject: 'Rejected',
  request_changes: 'Changes requested',
};

const n = (v: number) => v.toLocaleString('en-US');
const plural = (v: number, one: string, many = `${one}s`) => `${n(v)} ${v === 1 ? one : many}`;

/** "Email 210": a channel and how many deliveries go out on it. */
export const channelCount = (channel: string, count: number) => `${CHANNEL_WORDS[channel] ?? channel} ${n(count)}`;

/** Reject and request changes need a reason; null when the decision may be sent. */
export function reasonProblem(decision: DecisionKind, reason: string): string | null {
  if (decision === 'approve') return null;
  return reason.trim() === ''
    ? `A reason is required to ${decision === 'reject' ? 'reject' : 'request changes'}.`
    : null;
}

/** Words for a failed decision; the server's message is shown as text. */
export function decisionErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.kind) {
      case 'forbidden':
        return `You cannot decide on this alert: ${error.message}.`;
      case 'conflict':
        return `Already decided: ${error.message}.`;
      case 'gone':
        return 'This approval request has expired; nothing will be sent.';
      case 'not-found':
        return 'This alert is no longer in Rapport.';
      case 'unauthorized':
        return `Sign-in needed: ${error.message}`;
      case 'network':
      case 'unavailable':
      case 'server':
        return 'Rapport is not answering, so nothing was decided. Try again in a moment.';
      default:
        return error.message;
    }
  }
  return (error as Error).message;
}

/** The audience summary: who gets it, on which channels, and who does not and why. */
export function audienceLines(a: ApprovalAudience) {
  const channelMix = Object.entries(a.channelMix)
    .filter(([, v]) => v > 0)
    .map(([c, v]) => channelCount(c, v));
  const suppressed = Object.entries(a.suppressedByReason)
    .filter(([, v]) => v > 0)
    .map(([r, v]) => `${n(v)} ${REASON_WORDS[r] ?? r}`);
  const policySuppressed = a.uniqueContacts - a.deliveries;
  return {
    headline: `${plural(a.deliveries, 'recipient')} will receive it`,
    from: `${plural(a.totalMemberships, 'list membership')} on ${plural(a.lists.length, 'list')} → ${plural(a.uniqueContacts, 'unique contact')}`,
    duplicates: `${plural(a.duplicates, 'duplicate')} removed`,
    policySuppressed: `${n(policySuppressed)} not reached`,
    channelMix: channelMix.length ? channelMix.join(' · ') : 'no deliveries',
    suppressed,
    unconfigured: unconfiguredNote(a),
    /** When it goes out if approved now (the topic's announced time in each contact's zone); null: no topic timing. */
    when: a.timing ? sendTimingWords(a.timing, new Date()) : null,
    /** The approver may send it now instead (urgent). */
    urgentOffered: a.timing?.urgentAllowed === true && a.timing.schedule !== null,
    delayed:
      a.delayedByQuietHours > 0
        ? `${plural(a.delayedByQuietHours, 'delivery', 'deliveries')} wait for quiet hours to end`
        : null,
  };
}
