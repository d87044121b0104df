import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Env } from '../../config/env.js';
import type { ContactDirectory } from '../../crm/contact-directory.js';
import type { CrmPort } from '../../crm/port.js';
import { DEFAULT_QUESTIONS } from '../../domain/questions.js';
import { createAlertIntake } from '../../services/alert-intake.js';
import { createApproverGroups } from '../../services/approver-groups.js';
import { createPeopleDirectory } from '../../services/people.js';
import { createPeopleStore } from '../../store/people.js';
import { createTouchIntake } from '../../services/touch-intake.js';
import type { AlertStore } from '../../store/alerts.js';
import type { ApprovalStore } from '../../store/approvals.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseStore } from '../../store/responses.js';
import type { TouchStore } from '../../store/touches.js';
import type { Db } from '../../store/db.js';
import { createTopicStore } from '../../store/topics.js';

/**
 * The touch and alert intakes (they store work and start its workflow) from the environment: the
 * API uses them for requests, and the sweep (API or worker, wherever its activity runs) to start
 * what Temporal missed. The same settings everywhere, so a swept alert starts as a requested one.
 */
export function createIntakes(
  env: Env,
  deps: {
    temporal: Client;
    logger: Logger;
    crm: Pick<CrmPort, 'listLists'>;
    contacts: ContactDirectory;
    touches: TouchStore;
    alerts: AlertStore;
    approvals: ApprovalStore;
    responses: ResponseStore;
    deliveries: Pick<DeliveryStore, 'cancelPending'>;
    db: Db;
    /** Rapport's search attributes are registered (main/steps/temporal.ts searchAttributesReady). */
    searchAttributes?: boolean;
  },
) {
  const intake = createTouchIntake({
    touches: deps.touches,
    contacts: deps.contacts,
    temporal: deps.temporal,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    retryMaxIntervalSeconds: env.CRM_RETRY_MAX_INTERVAL_SECONDS,
    questions: DEFAULT_QUESTIONS,
    logger: deps.logger,
  });
  // One person across Slack, Outlook, links and the API: people's ids joined in the store, and
  // APPROVER_GROUPS' emails bound to the first person who signs in with each.
  const peopleStore = createPeopleStore(deps.db);
  const people = createPeopleDirectory(peopleStore, {
    groupEmails: Object.values(env.APPROVER_GROUPS).flat(),
  });
  const groups = createApproverGroups(env.APPROVER_GROUPS, peopleStore);
  const alertIntake = createAlertIntake({
    alerts: deps.alerts,
    approvals: deps.approvals,
    responses: deps.responses,
    deliveries: deps.deliveries,
    logger: deps.logger,
    temporal: deps.temporal,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    groups,
    people,
    topics: createTopicStore(deps.db),
    searchAttributes: deps.searchAttributes ?? false,
    listExists: async (ids) => {
      const known = new Set((await deps.crm.listLists()).map((l) => l.id));
      return ids.filter((id) => !known.has(id));
    },
    timing: {
      reminderAfterMs: env.APPROVAL_REMINDER_MINUTES * 60_000,
      expiryAfterMs: env.APPROVAL_EXPIRY_MINUTES * 60_000,
      responseWindowMs: env.RESPONSE_WINDOW_HOURS * 3_600_000,
    },
    batchSize: env.ALERT_BATCH_SIZE,
    historyBudget: env.ALERT_HISTORY_EVENTS,
  });
  return { intake, alertIntake, people, groups };
}
