import { z } from 'zod';

/** Where an alert is in its life: the broadcast workflow moves it, the store keeps it, every face shows it. */
export const ALERT_STATUSES = [
  'resolving',
  'awaiting_approval',
  'changes_requested',
  'rejected',
  'expired',
  'approved',
  'dispatching',
  'following_up',
  'completed',
  'cancelled',
  'failed',
] as const;
export const alertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

/** Where a cancel still stops something: before approval, or while sends are going out. */
export const CANCELLABLE_STATUSES = [
  'resolving',
  'awaiting_approval',
  'changes_requested',
  'approved',
  'dispatching',
] as const satisfies readonly AlertStatus[];
export type CancellableStatus = (typeof CANCELLABLE_STATUSES)[number];

/** Where nothing happens any more: the alert's completion time is set on entering one. */
export const FINAL_STATUSES = [
  'completed',
  'rejected',
  'expired',
  'cancelled',
  'failed',
] as const satisfies readonly AlertStatus[];
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** Approved and not yet all sent: its pending deliveries will reach their contacts unless cancelled. */
export const SENDING_STATUSES = ['approved', 'dispatching'] as const satisfies readonly AlertStatus[];
export type SendingStatus = (typeof SENDING_STATUSES)[number];

const cancellable: ReadonlySet<AlertStatus> = new Set(CANCELLABLE_STATUSES);
const final: ReadonlySet<AlertStatus> = new Set(FINAL_STATUSES);
const sending: ReadonlySet<AlertStatus> = new Set(SENDING_STATUSES);

export const isCancellable = (status: AlertStatus): status is CancellableStatus => cancellable.has(status);
export const isFinal = (status: AlertStatus): status is FinalStatus => final.has(status);
export const isSending = (status: AlertStatus): status is SendingStatus => sending.has(status);

/**
 * The broadcast workflow's phase, which it writes as the alert's status. Never `approved` (the
 * decision activity records that, and the workflow moves on to dispatching) nor `failed`.
 */
export type BroadcastPhase = Exclude<AlertStatus, 'approved' | 'failed'>;
export const BROADCAST_PHASES = ALERT_STATUSES.filter(
  (status): status is BroadcastPhase => status !== 'approved' && status !== 'failed',
);
