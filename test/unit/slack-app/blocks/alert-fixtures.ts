import { expect } from 'vitest';
import { SLACK_LIMITS } from '../../../../channels/slack/limits.js';
import type { AudienceSummary } from '../../../../domain/audience/summary.js';
import { SUPPRESSION_REASONS, type SuppressionReason } from '../../../../domain/audience/types.js';
import { validateMessage } from '../../../../sandbox/slack/validate.js';
import type { AlertSnapshot } from '../../../../slack-app/blocks/alert-status-message.js';

/** Shared by the alert view tests: an alert id, long text, an audience summary and a snapshot. */
export const ID = 'alr_01jdz0000000000000000000ab';
export const long = (n: number) => 'x'.repeat(n);

export function summary(lists = 3): AudienceSummary {
  const suppressedByReason = Object.fromEntries(SUPPRESSION_REASONS.map((r) => [r, 0])) as Record<
    SuppressionReason,
    number
  >;
  suppressedByReason.DUPLICATE_EMAIL = 2;
  suppressedByReason.OPTED_OUT = 1;
  return {
    lists: Array.from({ length: lists }, (_, i) => ({
      id: String(i + 1),
      name: `List ${i + 1} ${long(200)}`,
      memberships: 10,
    })),
    totalMemberships: 30,
    uniqueContacts: 20,
    duplicates: 10,
    deliveries: 17,
    channelMix: { email: 17, slack: 0, sms: 0 },
    suppressedByReason,
    delayedByQuietHours: 4,
  };
}

export function snap(overrides: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return {
    id: ID,
    title: 'Rates move',
    body: 'Our **fixed deposit** rates rise <b>Monday</b>.',
    topic: 'rates',
    requester: 'analyst@bank.example',
    status: 'awaiting_approval',
    version: 1,
    summary: summary(),
    counts: null,
    decidedBy: null,
    decisionComment: null,
    approvedAt: null,
    responses: 0,
    ...overrides,
  };
}

export const validMessage = (m: { text: string; blocks: unknown[] }) => {
  expect(validateMessage(m as never, SLACK_LIMITS.messageText).problems).toEqual([]);
  expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
};
