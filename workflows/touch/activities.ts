import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import { coalesce } from '../../lib/coalesce.js';
import { createContactDirectory } from '../../crm/contact-directory.js';
import { CrmError, type CrmPort, type EngagementKind, type NewEngagement } from '../../crm/port.js';
import { answerProperty } from '../../domain/questions.js';
import { engagementContent, engagementKindFor } from '../../domain/touch.js';
import type { TouchStore } from '../../store/touches.js';

export interface TouchActivityDeps {
  crm: CrmPort;
  touches: TouchStore;
  /** How long a batch waits to fill; short enough to keep touch latency low. */
  batchWaitMs?: number;
}

export interface ResolvedContact {
  contactId: string;
  companyId: string | null;
  hasAnswers: boolean;
}

export function createTouchActivities(deps: TouchActivityDeps) {
  const { crm, touches } = deps;
  const wait = deps.batchWaitMs ?? 50;

  // Concurrent workflows share batched look-ups (N touches cost about N/100 CRM requests);
  // no cache, so a retry sees a contact created since the last attempt.
  const contacts = createContactDirectory(crm, { ttlMs: 0, batchWaitMs: wait });
  // One coalescer per kind: HubSpot batches are per object type, so each request stays full.
  const engagementWriters = new Map<EngagementKind, (e: NewEngagement) => Promise<{ id: string; created: boolean }>>();
  const createEngagement = (engagement: NewEngagement) => {
    let writer = engagementWriters.get(engagement.kind);
    if (!writer) {
      writer = coalesce({ maxSize: 100, maxWaitMs: wait, maxInFlight: 2, run: (es) => crm.createEngagements(es) });
      engagementWriters.set(engagement.kind, writer);
    }
    return writer(engagement);
  };
  const updateContact = coalesce<{ id: string; properties: Record<string, string> }, void>({
    maxSize: 100,
    maxWaitMs: wait,
    maxInFlight: 2,
    run: async (updates) => {
      await crm.updateContactsProperties(mergeByContact(updates));
      return updates.map(() => undefined);
    },
  });

  async function loadTouch(touchId: string) {
    const touch = await touches.get(touchId);
    if (!touch) throw ApplicationFailure.nonRetryable(`touch ${touchId} is not in the store`, 'TOUCH_MISSING');
    return touch;
  }

  /** Records the error where GET /api/touches/:id shows it, then maps it for Temporal's retry. */
  async function crmCall<T>(touchId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      await touches.recordAttemptError(touchId, describe(error)).catch(() => undefined);
      if (error instanceof CrmError && !error.retryable) {
        throw ApplicationFailure.nonRetryable(`CRM refused the write: ${error.message}`, error.code);
      }
      throw error;
    }
  }

  return {
    /** Store only (runs as a local activity): the contact as intake verified it, if it did. */
    async loadTouchContact(touchId: string): Promise<ResolvedContact | null> {
      const touch = await loadTouch(touchId);
      if (!touch.contactVerified || !touch.contactCrmId) return null;
      return {
        contactId: touch.contactCrmId,
        companyId: touch.companyId,
        hasAnswers: Object.keys(touch.answers).length > 0,
      };
    },

    /** Asks the CRM which contact the touch belongs to (intake could not verify it). */
    async resolveTouchContact(touchId: string): Promise<ResolvedContact> {
      const touch = await loadTouch(touchId);
      const contact = await crmCall(touchId, () =>
        touch.contactCrmId ? contacts.byId(touch.contactCrmId) : contacts.byEmail(touch.contactEmail ?? ''),
      );
      if (!contact) {
        const which = touch.contactCrmId ? `id ${touch.contactCrmId}` : `email ${touch.contactEmail}`;
        throw ApplicationFailure.nonRetryable(`no CRM contact with ${which}`, 'UNKNOWN_CONTACT');
      }
      await touches.setContact(touchId, contact.id, contact.companyId);
      return { contactId: contact.id, companyId: contact.companyId, hasAnswers: Object.keys(touch.answers).length > 0 };
    },

    async writeTouchEngagement(touchId: string, contact: ResolvedContact): Promise<string> {
      const touch = await loadTouch(touchId);
      if (touch.engagementId) return touch.engagementId;
      const kind = engagementKindFor(touch.channel);
      const content = engagementContent(touch);
      const result = await crmCall(touchId, () =>
        createEngagement({
          kind,
          idempotencyKey: touch.id,
          contactId: contact.contactId,
          companyId: contact.companyId,
          timestamp: touch.occurredAt,
          title: content.title,
          body: content.body,
          // Only a retry can find its engagement already written.
          firstAttempt: activityInfo().attempt === 1,
        }),
      );
      await touches.setEngagement(touchId, result.id, kind);
      return result.id;
    },

    async writeTouchAnswers(touchId: string, contactId: string): Promise<void> {
      const touch = await loadTouch(touchId);
      const properties = Object.fromEntries(Object.entries(touch.answers).map(([q, a]) => [answerProperty(q), a]));
      if (Object.keys(properties).length === 0) return;
      await crmCall(touchId, () => updateContact({ id: contactId, properties }));
    },

    async markTouchSynced(touchId: string): Promise<void> {
      await touches.markSynced(touchId);
    },

    async markTouchFailed(touchId: string, reason: string): Promise<void> {
      await touches.markFailed(touchId, reason);
    },
  };
}

export type TouchActivities = ReturnType<typeof createTouchActivities>;

/** HubSpot rejects a batch that names one record twice. */
function mergeByContact(updates: { id: string; properties: Record<string, string> }[]) {
  const merged = new Map<string, Record<string, string>>();
  for (const u of updates) merged.set(u.id, { ...merged.get(u.id), ...u.properties });
  return [...merged].map(([id, properties]) => ({ id, properties }));
}

function describe(error: unknown): string {
  if (error instanceof CrmError) return `${error.code}${error.status ? ` (${error.status})` : ''}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
