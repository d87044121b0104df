import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { TouchActivities } from './activities.js';
import {
  PERMANENT_TOUCH_ERRORS,
  touchStepQuery,
  type LogTouchInput,
  type LogTouchResult,
  type TouchStep,
} from './shared.js';

/**
 * A touch someone logged lands on the contact's CRM timeline exactly once.
 * The CRM may be down for an hour: every step retries with backoff until it lands,
 * and every step is idempotent, so a retry never writes a second engagement.
 */
export async function logTouch(input: LogTouchInput): Promise<LogTouchResult> {
  let step: TouchStep = 'resolving-contact';
  setHandler(touchStepQuery, () => step);

  const crm = proxyActivities<TouchActivities>({
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: `${input.retryMaxIntervalSeconds} seconds`,
      nonRetryableErrorTypes: [...PERMANENT_TOUCH_ERRORS],
    },
  });
  // Store-only steps run as local activities: no round trip through the Temporal server.
  const bookkeeping = proxyLocalActivities<TouchActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });

  try {
    // 1. Which contact (and company) the touch belongs to: known from intake, or asked of the CRM.
    const contact =
      (await bookkeeping.loadTouchContact(input.touchId)) ?? (await crm.resolveTouchContact(input.touchId));

    // 2. The engagement on the contact's timeline, keyed by the touch id.
    step = 'writing-engagement';
    const engagementId = await crm.writeTouchEngagement(input.touchId, contact);

    // 3. Answers to questions become contact properties, so nobody asks them again.
    if (contact.hasAnswers) {
      step = 'writing-answers';
      await crm.writeTouchAnswers(input.touchId, contact.contactId);
    }

    await bookkeeping.markTouchSynced(input.touchId);
    step = 'synced';
    return { status: 'synced', engagementId };
  } catch (error) {
    const reason = permanentReason(error);
    if (reason === undefined) throw error;
    await bookkeeping.markTouchFailed(input.touchId, reason);
    step = 'failed';
    return { status: 'failed', reason };
  }
}

function permanentReason(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (cause instanceof ApplicationFailure && (PERMANENT_TOUCH_ERRORS as readonly string[]).includes(cause.type ?? '')) {
    return cause.message;
  }
  return undefined;
}
