import { activityInfo, heartbeat, log } from '@temporalio/activity';
import { CrmError, type CrmPort, type NewEngagement } from '../../../crm/port.js';
import { partyFrom } from '../../../domain/email-party.js';
import { AUDIENCE_PROPERTIES } from '../../../domain/audience/types.js';
import type { Channel } from '../../../domain/vocabulary/index.js';
import type { AlertEventStore } from '../../../store/alert-events.js';
import type { AlertStore } from '../../../store/alerts.js';
import type { CustomerDigestStore } from '../../../store/customer-digests.js';
import type { DeliveryStore } from '../../../store/deliveries.js';
import type { CrmTeamQueue } from '../../../domain/broadcast/directory-fix.js';
import { assignmentNote, directoryFixKey, directoryFixOwners } from './directory-fix.js';
import { alertLoader } from './load-alert.js';

export interface CrmLoggingDeps {
  crm: CrmPort;
  alerts: AlertStore;
  deliveries: DeliveryStore;
  /** The alert's trail: the non-responder tasks created; absent: not recorded. */
  events?: AlertEventStore;
  /** The alerts' From (MAIL_FROM): an email on the timeline names its sender and recipient. */
  mailFrom?: string;
  /** Who gets the address-fix task of a contact without an account owner (CRM_TEAM_QUEUE_OWNER); unset: the requester. */
  crmTeamQueue?: CrmTeamQueue;
  /** Customer digests: their rows are logged per alert as they go out; unset: no digests. */
  digests?: Pick<CustomerDigestStore, 'unloggedRows' | 'markLogged'>;
}

const CRM_BATCH = 100;

/** Kept on a bounced row whose address-fix task found nobody to go to. */
export const NO_ASSIGNEE =
  'address-fix task: the contact has no owner, CRM_TEAM_QUEUE_OWNER is unset or unknown and the requester is no CRM owner';

/** How the timeline says where an alert went. */
const CHANNEL_WORDS: Record<Channel, string> = { email: 'by email', slack: 'by Slack DM', sms: 'by SMS' };

/**
 * The CRM refused a write for good: a 4xx other than 429 (e.g. a contact deleted or merged since
 * the audience was resolved), which no retry can change. A rate limit, a 5xx or the network are
 * worth retrying, and a refused token is the integration's fault, not the row's: those still throw.
 */
function refusedForGood(error: unknown): error is CrmError {
  return error instanceof CrmError && !error.retryable && error.code !== 'CRM_AUTH';
}

/** Where the email went: the fallback address when the fallback channel (email) carried it. */
const emailAddressOf = (r: {
  sentChannel: Channel | null;
  fallbackChannel: Channel | null;
  fallbackAddress: string | null;
  address: string;
}) => (r.sentChannel === r.fallbackChannel && r.fallbackAddress ? r.fallbackAddress : r.address);

const describeCrmError = (e: CrmError) => `${e.code}${e.status ? ` (${e.status})` : ''}: ${e.message}`;

/**
 * `write` of all the items in one call; when the CRM refuses that call for good, each item in a
 * call of its own (`alone`), so only the items it refuses fail. Each item's result, or its refusal.
 */
async function aloneOnRefusal<T, R>(
  items: T[],
  write: (items: T[], alone: boolean) => Promise<R[]>,
  beat: () => void,
): Promise<(R | CrmError)[]> {
  try {
    return await write(items, false);
  } catch (error) {
    if (!refusedForGood(error)) throw error;
    if (items.length === 1) return [error];
  }
  const results: (R | CrmError)[] = [];
  for (const item of items) {
    beat();
    try {
      results.push((await write([item], true))[0]!);
    } catch (error) {
      if (!refusedForGood(error)) throw error;
      results.push(error);
    }
  }
  return results;
}

/** What an alert writes to the CRM: its deliveries and bounces on the timeline, and the owners' follow-up tasks. */
export function createCrmLoggingActivities(deps: CrmLoggingDeps) {
  const { crm, deliveries } = deps;
  const loadAlert = alertLoader(deps.alerts);
  const assigneeOf = directoryFixOwners(crm, deps.crmTeamQueue);
  /** An owner's follow-up task, on the alert's trail (once per owner: the task's own key). */
  const nonResponderTaskRecorded = (alertId: string, task: { ownerId: string; contactIds: string[] }, id: string) =>
    deps.events?.record({
      alertId,
      kind: 'task_created',
      key: `task_created:nonresponders:${task.ownerId}`,
      outcome: 'non-responders',
      ref: id,
      detail: `owner ${task.ownerId}: follow up non-responders`,
    });

  /** Rows that went out onto the contacts' CRM timelines (see logBatchToCrm); `batch` names them in heartbeats and logs. */
  async function logRows(
    alertId: string,
    rows: Awaited<ReturnType<DeliveryStore['unloggedInBatch']>>,
    batch: number | string,
  ): Promise<number> {
    const alert = await loadAlert(alertId);
    // Rows still unlogged on a first attempt were never written to the CRM (a failed attempt is retried,
    // never abandoned): the create needs no look-up of the keys first, which would cost a search per chunk.
    const firstAttempt = activityInfo().attempt === 1;
    for (let i = 0; i < rows.length; i += CRM_BATCH) {
      heartbeat({ batch, row: i });
      const chunk = rows.slice(i, i + CRM_BATCH);
      const engagements: NewEngagement[] = chunk.map((r) => ({
        // A Slack DM or a text is not an email on the timeline: it is logged as a note saying how it went.
        kind: (r.sentChannel ?? r.channel) === 'email' ? 'email' : 'note',
        ...((r.sentChannel ?? r.channel) === 'email' && deps.mailFrom
          ? { emailHeaders: { from: partyFrom(deps.mailFrom), to: [{ email: emailAddressOf(r) }] } }
          : {}),
        idempotencyKey: `${alertId}:${r.contactId}`,
        firstAttempt,
        contactId: r.contactId,
        ownerId: r.ownerId,
        timestamp: r.sentAt ?? new Date().toISOString(),
        title: alert.title,
        body: [
          `Rapport alert ${alert.id} (topic ${alert.topic}) ${r.status === 'sent' ? 'sent' : 'BOUNCED'} ${CHANNEL_WORDS[r.sentChannel ?? r.channel]} to ${r.sentChannel === r.fallbackChannel && r.fallbackAddress ? r.fallbackAddress : r.address}.`,
          `Requested by ${alert.requester}; approved by ${alert.decidedBy ?? 'n/a'}.`,
          '',
          alert.body,
        ].join('\n'),
      }));
      const beat = () => heartbeat({ batch, row: i });
      /** Contact id -> what the CRM refused for good, kept on the row. */
      const refused = new Map<string, string[]>();
      const refuse = (contactId: string, what: string, error: CrmError) =>
        refused.set(contactId, [...(refused.get(contactId) ?? []), `${what}: ${describeCrmError(error)}`]);
      // One request per kind: a refused batch may have written the other kind already, so a
      // row's own retry looks its key up first (the adapter remembers what it just wrote).
      const created = await aloneOnRefusal(
        engagements,
        (es, alone) => crm.createEngagements(alone ? es.map((e) => ({ ...e, firstAttempt: false })) : es),
        beat,
      );
      created.forEach((c, j) => {
        if (c instanceof CrmError) refuse(chunk[j]!.contactId, 'timeline', c);
      });
      // A hard bounce, also one the fallback channel made up for: the address is still bad.
      const bounced = chunk.filter((r) => r.status === 'bounced' || r.emailBounced);
      if (bounced.length > 0) {
        // The directory is amended without anyone doing it by hand: the address is flagged and the owner gets a task.
        const flagged = await aloneOnRefusal(
          bounced,
          async (rs) => {
            await crm.updateContactsProperties(
              rs.map((r) => ({ id: r.contactId, properties: { [AUDIENCE_PROPERTIES.emailInvalid]: 'true' } })),
            );
            return rs.map(() => true);
          },
          beat,
        );
        flagged.forEach((f, j) => {
          if (f instanceof CrmError) refuse(bounced[j]!.contactId, 'email flag', f);
        });
        // Every bounce gets its address-fix task: an ownerless contact's goes to the CRM team queue or the requester.
        const assigned = [];
        for (const r of bounced) {
          const assignee = await assigneeOf(r.ownerId, alert.requester);
          if (assignee) assigned.push({ row: r, assignee });
          else refused.set(r.contactId, [...(refused.get(r.contactId) ?? []), NO_ASSIGNEE]);
        }
        const withOwner = assigned.map((a) => a.row);
        if (assigned.length > 0) {
          const tasks = await aloneOnRefusal(
            assigned,
            (as) =>
              crm.createTasks(
                as.map(({ row: r, assignee }) => ({
                  idempotencyKey: directoryFixKey(alertId, r.contactId),
                  ownerId: assignee.ownerId,
                  subject: `Email bounced: ${r.email ?? r.address}`,
                  body: `${assignmentNote(assignee.via)}The alert "${alert.title}" (${alert.id}) bounced: ${r.lastError ?? ''}.${r.status === 'sent' ? ` It reached the contact ${CHANNEL_WORDS[r.sentChannel ?? r.channel]} instead.` : ''} Please check the contact's address.`,
                  dueAt: new Date(Date.now() + 86_400_000).toISOString(),
                  contactIds: [r.contactId],
                  priority: 'HIGH',
                })),
              ),
            beat,
          );
          tasks.forEach((task, j) => {
            if (task instanceof CrmError) refuse(withOwner[j]!.contactId, 'bounce task', task);
          });
        }
      }
      if (refused.size > 0) {
        log.warn('CRM refused some of the batch for good; those rows are logged with the error', {
          alertId,
          batch,
          refused: Object.fromEntries(refused),
        });
      }
      await deliveries.markLogged(
        alertId,
        chunk.map((r, j) => {
          const c = created[j]!;
          return {
            contactId: r.contactId,
            engagementId: c instanceof CrmError ? null : c.id,
            error: refused.get(r.contactId)?.join('; ') ?? null,
          };
        }),
      );
    }
    return rows.length;
  }

  return {
    /**
     * Every delivery (and bounce) of the batch onto the contact's CRM timeline, 100 per request.
     * A write the CRM refuses for good (a contact deleted or merged since resolution) is made again
     * row by row; the rows it still refuses are marked logged with the error, never retried, so
     * they cannot hold the alert in 'dispatching'. Temporary failures throw: Temporal retries.
     */
    async logBatchToCrm(alertId: string, batch: number, size: number): Promise<number> {
      return logRows(alertId, await deliveries.unloggedInBatch(alertId, batch, size), batch);
    },

    /**
     * A digest run's rows onto the CRM timeline: each alert a digest carried is logged as that
     * alert's own email to the contact (one engagement per alert x contact, keyed as ever), so the
     * timeline reads the same whether the contact chose digests or not.
     */
    async logDigestsToCrm(runId: string): Promise<number> {
      if (!deps.digests) return 0;
      let logged = 0;
      for (;;) {
        const { digestIds, byAlert } = await deps.digests.unloggedRows(runId);
        if (digestIds.length === 0) return logged;
        for (const group of byAlert) {
          logged += await logRows(group.alertId, await deliveries.unloggedOf(group.alertId, group.contactIds), runId);
        }
        await deps.digests.markLogged(digestIds);
      }
    },

    /** One task per owner listing the contacts who did not respond; keyed so a retry creates none twice. */
    async createNonResponderTasks(alertId: string): Promise<number> {
      const alert = await loadAlert(alertId);
      const groups = (await deliveries.nonRespondersByOwner(alertId)).filter((g) => g.ownerId);
      const tasks = groups.map((g) => ({
        idempotencyKey: `${alertId}:nonresponders:${g.ownerId}`,
        ownerId: g.ownerId!,
        subject: `Follow up: ${g.contacts.length} contact(s) did not respond to "${alert.title}"`,
        body: [
          `Alert ${alert.id} (${alert.topic}). No response from:`,
          ...g.contacts.map((c) => `- ${c.address} (CRM ${c.contactId})`),
        ].join('\n'),
        dueAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        contactIds: g.contacts.slice(0, 100).map((c) => c.contactId),
      }));
      for (let i = 0; i < tasks.length; i += CRM_BATCH) {
        heartbeat({ task: i });
        const chunk = tasks.slice(i, i + CRM_BATCH);
        const results = await aloneOnRefusal(
          chunk,
          (items) => crm.createTasks(items),
          () => heartbeat({ task: i }),
        );
        for (const [j, result] of results.entries()) {
          if (!(result instanceof CrmError)) {
            await nonResponderTaskRecorded(alertId, chunk[j]!, result.id);
            continue;
          }
          // A contact deleted or merged since the send refuses the association, not the task: the owner
          // still gets the list, without the links to the contacts.
          const task = chunk[j]!;
          const [bare] = await aloneOnRefusal(
            [{ ...task, contactIds: [] }],
            (items) => crm.createTasks(items),
            () => heartbeat({ task: i }),
          );
          if (bare instanceof CrmError)
            log.warn('CRM refused a non-responder task for good', {
              owner: task.ownerId,
              error: describeCrmError(bare),
            });
          else if (bare) await nonResponderTaskRecorded(alertId, task, bare.id);
        }
      }
      return tasks.length;
    },
  };
}
