import type { SendTiming } from '../broadcast/send-timing.js';
import { CHANNEL_LABELS, CHANNELS, type Channel } from '../vocabulary/index.js';
import {
  SUPPRESSION_REASONS,
  type AudienceContact,
  type DedupeResult,
  type PolicyResult,
  type SuppressionReason,
} from './types.js';

export interface AudienceSummary {
  lists: { id: string; name: string; memberships: number }[];
  totalMemberships: number;
  uniqueContacts: number;
  /** Memberships folded into another recipient: totalMemberships = uniqueContacts + duplicates. */
  duplicates: number;
  /** uniqueContacts = deliveries + suppressed by policy. */
  deliveries: number;
  channelMix: Record<Channel, number>;
  /** Every reason, zero included, so approvers see what was checked and not only what hit. */
  suppressedByReason: Record<SuppressionReason, number>;
  delayedByQuietHours: number;
  /**
   * Channels without a working adapter, with how many recipients would have been reached on each:
   * they are counted in channelMix under the channel they will really get. Absent when none.
   */
  unconfiguredChannels?: Partial<Record<Channel, number>>;
  /** The topic's announced schedule and the audience's time zones, for "when it goes out" (send-timing.ts). */
  timing?: SendTiming;
}

/**
 * The words every preview (approval email, Slack, the approval page) adds when a channel is not
 * configured, e.g. "Slack is not configured here: 17 would-be Slack recipients are counted under
 * their fallback channel." Null when every channel the audience wanted works.
 */
export function unconfiguredNote(summary: Pick<AudienceSummary, 'unconfiguredChannels'>): string | null {
  const entries = Object.entries(summary.unconfiguredChannels ?? {}).filter(([, n]) => (n ?? 0) > 0);
  if (entries.length === 0) return null;
  return entries
    .map(([channel, n]) => {
      const label = CHANNEL_LABELS[channel as Channel] ?? channel;
      return `${label} is not configured here: ${n} would-be ${label} recipient${n === 1 ? ' is' : 's are'} counted under their fallback channel.`;
    })
    .join(' ');
}

/**
 * What an approver sees before saying yes. `lists` carries the names (from the CRM); counts
 * come from the dedupe and policy results, so the numbers always match what will be sent.
 */
export function summarizeAudience(
  lists: readonly { id: string; name: string }[],
  dedupe: DedupeResult<AudienceContact>,
  policy: PolicyResult,
): AudienceSummary {
  const perList = new Map(dedupe.lists.map((l) => [l.listId, l.memberships]));
  const named = lists.map((l) => ({ id: l.id, name: l.name, memberships: perList.get(l.id) ?? 0 }));
  // Memberships of a list nobody named still count, or the totals would not add up.
  const known = new Set(lists.map((l) => l.id));
  for (const l of dedupe.lists) {
    if (!known.has(l.listId)) named.push({ id: l.listId, name: l.listId, memberships: l.memberships });
  }

  const channelMix = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
  let delayed = 0;
  for (const d of policy.deliveries) {
    channelMix[d.channel] += 1;
    if (d.deliverAfter !== null) delayed += 1;
  }

  const suppressedByReason = Object.fromEntries(SUPPRESSION_REASONS.map((r) => [r, 0])) as Record<
    SuppressionReason,
    number
  >;
  for (const d of dedupe.duplicates) suppressedByReason[d.reason] += 1;
  for (const s of policy.suppressed) suppressedByReason[s.reason] += 1;

  return {
    lists: named,
    totalMemberships: dedupe.totalMemberships,
    uniqueContacts: dedupe.recipients.length,
    duplicates: dedupe.duplicates.length,
    deliveries: policy.deliveries.length,
    channelMix,
    suppressedByReason,
    delayedByQuietHours: delayed,
    ...(policy.unconfigured ? { unconfiguredChannels: { ...policy.unconfigured } } : {}),
  };
}

/**
 * The summary after recipients were taken out at send time (the frequency cap judged again):
 * fewer deliveries, those channels' shares smaller, the reason counted, so the figures approvers
 * saw still add up (uniqueContacts = deliveries + suppressed by policy).
 */
export function withSuppressedAtSend(
  summary: AudienceSummary,
  reason: SuppressionReason,
  channels: readonly Channel[],
): AudienceSummary {
  const channelMix = { ...summary.channelMix };
  for (const c of channels) channelMix[c] = Math.max(0, channelMix[c] - 1);
  return {
    ...summary,
    deliveries: summary.deliveries - channels.length,
    channelMix,
    suppressedByReason: {
      ...summary.suppressedByReason,
      [reason]: summary.suppressedByReason[reason] + channels.length,
    },
  };
}
