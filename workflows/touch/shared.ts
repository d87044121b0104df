import { defineQuery } from '@temporalio/workflow';

export interface LogTouchInput {
  touchId: string;
  /** Longest wait between CRM retries; retries never stop (a CRM outage of an hour loses nothing). */
  retryMaxIntervalSeconds: number;
}

export type TouchStep = 'resolving-contact' | 'writing-engagement' | 'writing-answers' | 'synced' | 'failed';

export interface LogTouchResult {
  status: 'synced' | 'failed';
  engagementId?: string;
  reason?: string;
}

export const touchStepQuery = defineQuery<TouchStep>('touchStep');

/** Error types an activity throws when retrying cannot help. */
export const PERMANENT_TOUCH_ERRORS = ['UNKNOWN_CONTACT', 'CRM_BAD_REQUEST', 'CRM_AUTH', 'TOUCH_MISSING'] as const;
