import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { ulid } from 'ulid';
import type { AlertRequest, AlertRevision, DecisionInput } from '../domain/broadcast/alert-request.js';
import { isRequester } from '../domain/broadcast/decision-rules.js';
import { DomainError, type ErrorCode } from '../domain/errors.js';
import { text } from '../domain/text.js';
import { isCancellable } from '../domain/vocabulary/index.js';
import type { AlertRow, AlertStore } from '../store/alerts.js';
import type { ApprovalStore } from '../store/approvals.js';
import type { DeliveryStore } from '../store/deliveries.js';
import type { TopicStore } from '../store/topics.js';
import type { ResponseRow, ResponseStore } from '../store/responses.js';
import {
  DECISION_REFUSALS,
  cancelSignal,
  decideUpdate,
  progressQuery,
  reviseUpdate,
  type BroadcastInput,
  type BroadcastProgress,
  type DecisionResult,
} from '../workflows/broadcast/shared.js';
import { broadcastAlert, handleAlertResponse } from '../workflows/broadcast/workflows.js';
import { startIdempotently } from '../workflows/start.js';
import type { ApproverGroups, PersonRef } from './approver-groups.js';
import type { PeopleDirectory } from './people.js';
import {
  ALERT_REQUESTER_ATTRIBUTE,
  ALERT_STATUS_ATTRIBUTE,
  ALERT_TOPIC_ATTRIBUTE,
} from '../workflows/search-attributes.js';

export interface AlertIntakeDeps {
  alerts: AlertStore;
  approvals: ApprovalStore;
  responses: ResponseStore;
  /** The ledger, for a cancel to take the pending rows at once. */
  deliveries: Pick<DeliveryStore, 'cancelPending'>;
  temporal: Client;
  logger: Logger;
  taskQueue: string;
  /** APPROVER_GROUPS, judged by person id. */
  groups: ApproverGroups;
  /** For an actor a face names by email only (an approval link): the person that address stands for. */
  people: Pick<PeopleDirectory, 'fromMailbox'>;
  listExists: (ids: string[]) => Promise<string[]>;
  /** The topic catalogue: an alert names one of its (unarchived) topics. */
  topics: Pick<TopicStore, 'get' | 'list'>;
  timing: { reminderAfterMs: number; expiryAfterMs: number; responseWindowMs: number };
  batchSize: number;
  historyBudget: number;
  /** Rapport's search attributes are registered on the Temporal server: alerts start tagged with them. */
  searchAttributes?: boolean;
}

/** Sortable (ULID) and unique: GET /api/alerts lists newest first by id. */
export const newAlertId = () => `alr_${ulid().toLowerCase()}`;

/** Longest reason or comment any surface takes (the API, the add-in, links, Slack modals). */
const REASON_MAX = 2000;

/**
 * The text rule (domain/text.ts) for what is about to go into a workflow: every face checks its
 * own input, and this catches whatever one missed, before the Update or signal, so text the store
 * cannot hold never reaches an activity that would retry writing it.
 */
function checkText(value: string | undefined, field: string): void {
  if (value === undefined) return;
  const parsed = text(field, { max: REASON_MAX, trim: false }).safeParse(value);
  if (!parsed.success) {
    throw new DomainError('VALIDATION', `${field}: ${parsed.error.issues[0]?.message ?? 'not valid'}`, field);
  }
}

/** Refusals of the decision validator arrive as ApplicationFailures typed with our error codes. */
function refusalOf(error: unknown): DomainError | undefined {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const type = error.cause.type ?? '';
    if ((DECISION_REFUSALS as readonly string[]).includes(type)) {
      const field = error.cause.details?.[0];
      return new DomainError(type as ErrorCode, error.cause.message, typeof field === 'string' ? field : undefined);
    }
  }
  if (error instanceof WorkflowNotFoundError) {
    return new DomainError('CONFLICT', 'the alert no longer takes decisions (its workflow has finished)');
  }
  const message = error instanceof Error ? error.message : '';
  if (/already completed|workflow execution already finished/i.test(message)) {
    return new DomainError('CONFLICT', 'the alert no longer takes decisions (its workflow has finished)');
  }
  return undefined;
}

export function createAlertIntake(deps: AlertIntakeDeps) {
  const handle = (id: string) => deps.temporal.workflow.getHandle(id);
  /** A configured group's members; undefined for any other name, "constructor" included. */
  const groupMembers = (name: string): readonly string[] | undefined => deps.groups.members(name);
  /** The acting person: as the face verified them, else the person their address stands for. */
  const personOf = async (email: string, person?: PersonRef): Promise<PersonRef> =>
    person ?? (await deps.people.fromMailbox(email));

  async function startWorkflow(alert: AlertRow): Promise<void> {
    // The topic as it is when the alert starts: whether approvers may mark it urgent (the Update's validator).
    const topic = await deps.topics.get(alert.topic);
    const input: BroadcastInput = {
      alertId: alert.id,
      requester: alert.requester,
      ...(alert.requesterId ? { requesterId: alert.requesterId } : {}),
      approvers: [...(groupMembers(alert.approverGroup) ?? [])],
      ...deps.timing,
      batchSize: deps.batchSize,
      historyBudget: deps.historyBudget,
      parallelBatches: 4,
      // bench:crm-log, 5% of batch inputs failing in 207s: 0.69-0.73 of the budget ceiling with 4, 0.9 with 8.
      logParallelBatches: 8,
      ...(alert.sendWindow?.notBefore ? { notBefore: alert.sendWindow.notBefore } : {}),
      ...(alert.sendWindow?.notAfter ? { notAfter: alert.sendWindow.notAfter } : {}),
      ...(deps.searchAttributes ? { searchAttributes: true } : {}),
      ...(topic?.urgentAllowed ? { urgentAllowed: true } : {}),
    };
    await startIdempotently(deps.temporal.workflow, broadcastAlert, {
      workflowId: alert.id,
      taskQueue: deps.taskQueue,
      args: [input],
      // Status moves with the workflow (it upserts); topic and requester are the alert's from the start.
      ...(deps.searchAttributes
        ? {
            typedSearchAttributes: [
              { key: ALERT_STATUS_ATTRIBUTE, value: 'resolving' },
              { key: ALERT_TOPIC_ATTRIBUTE, value: alert.topic },
              { key: ALERT_REQUESTER_ATTRIBUTE, value: alert.requester.toLowerCase() },
            ],
          }
        : {}),
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  }

  return {
    /**
     * `id`: chosen by the caller ahead of time (Slack journals it before ack()): a second submit
     * with it returns the alert the first created, so a repeated run creates nothing twice.
     * `requester`: the person who requests it, as the face verified them; absent: a service principal.
     */
    async submit(request: AlertRequest, options: { id?: string; requester?: PersonRef } = {}): Promise<AlertRow> {
      if (options.id) {
        const existing = await deps.alerts.get(options.id);
        if (existing) return existing;
      }
      const group = groupMembers(request.approverGroup);
      if (!group) {
        throw new DomainError(
          'VALIDATION',
          `approverGroup: no approver group "${request.approverGroup}" (configured: ${deps.groups.names().join(', ')})`,
          'approverGroup',
        );
      }
      const requester = options.requester;
      const mine = requester ? await deps.groups.entryOf(request.approverGroup, requester) : null;
      if (!group.some((a) => a !== request.requester.toLowerCase() && a !== mine)) {
        throw new DomainError(
          'VALIDATION',
          'approverGroup: needs an approver other than the requester',
          'approverGroup',
        );
      }
      const topic = await deps.topics.get(request.topic);
      if (!topic || topic.archived) {
        const known = (await deps.topics.list()).map((t) => t.id);
        throw new DomainError(
          'VALIDATION',
          `topic: "${request.topic}" is not ${topic ? 'an open' : 'a'} topic of the catalogue (${known.length ? `topics: ${known.slice(0, 20).join(', ')}` : 'the catalogue is empty: an admin adds topics with PUT /api/topics/{id}'})`,
          'topic',
        );
      }
      const missing = await deps.listExists(request.lists);
      if (missing.length > 0) {
        throw new DomainError('VALIDATION', `lists: no CRM contact list ${missing.join(', ')}`, 'lists');
      }
      // An alert that names no channels takes its topic's defaults.
      const alert = await deps.alerts.insert(options.id ?? newAlertId(), {
        ...request,
        channels: request.channels ?? topic.defaultChannels,
        requesterId: requester?.id ?? null,
      });
      try {
        await startWorkflow(alert);
      } catch (error) {
        // The row is kept; the sweeper starts the workflow once Temporal answers.
        deps.logger.warn({ alertId: alert.id, err: (error as Error).message }, 'alert stored, workflow start deferred');
      }
      return alert;
    },

    /**
     * A decision through the Update; every refusal lands in the audit log, since refused updates
     * leave no history. `person`: the approver as the face verified them (absent: the person the
     * approver's address stands for, as for a signed link). Four eyes and the group are judged on
     * their person id.
     */
    async decide(alert: AlertRow, d: DecisionInput, via: string, person?: PersonRef): Promise<DecisionResult> {
      try {
        checkText(d.reason, 'reason');
      } catch (error) {
        await deps.approvals.audit({
          alertId: alert.id,
          version: d.version ?? alert.version,
          actor: d.approver,
          action: d.decision,
          outcome: 'refused',
          // Not the reason itself: it is what the store cannot hold.
          reason: null,
          source: via,
          detail: `VALIDATION: ${(error as Error).message}`,
        });
        throw error;
      }
      const approver = await personOf(d.approver, person);
      const member = await deps.groups.entryOf(alert.approverGroup, approver);
      try {
        return await handle(alert.id).executeUpdate(decideUpdate, {
          args: [{ ...d, via, approverId: approver.id, member }],
        });
      } catch (error) {
        const refusal = refusalOf(error);
        if (!refusal) throw error;
        await deps.approvals.audit({
          alertId: alert.id,
          version: d.version ?? alert.version,
          actor: d.approver,
          action: d.decision,
          outcome: 'refused',
          reason: d.reason ?? null,
          source: via,
          detail: `${refusal.code}: ${refusal.message}`,
        });
        throw refusal;
      }
    },

    /** `person`: the reviser as the face verified them; absent: the person their address stands for. */
    async revise(alert: AlertRow, r: AlertRevision, person?: PersonRef): Promise<{ version: number }> {
      checkText(r.comment, 'comment');
      const reviser = await personOf(r.requester, person);
      try {
        return await handle(alert.id).executeUpdate(reviseUpdate, { args: [{ ...r, requesterId: reviser.id }] });
      } catch (error) {
        const refusal = refusalOf(error);
        if (!refusal) throw error;
        throw refusal;
      }
    },

    /**
     * The cancel signal, and the pending rows taken at once rather than when the workflow next
     * looks: a batch in flight finds its remaining rows cancelled and stops. `via` names the
     * surface in the audit log (api, slack).
     */
    async cancel(alert: AlertRow, by: string, reason?: string, via = 'api', person?: PersonRef): Promise<void> {
      checkText(reason, 'reason');
      const actor = by.trim().toLowerCase();
      const who = await personOf(actor, person);
      const audit = (outcome: 'accepted' | 'refused', why: string | null) =>
        deps.approvals.audit({ alertId: alert.id, actor, action: 'cancel', outcome, reason: why, source: via });
      // The requester, or anyone who may approve it: a stranger holding an API token cannot stop an alert.
      if (
        !isRequester(alert, { email: actor, id: who.id }) &&
        (await deps.groups.entryOf(alert.approverGroup, who)) === null
      ) {
        await audit('refused', 'neither the requester nor an approver of the alert');
        throw new DomainError('FORBIDDEN', `${actor} is neither the requester nor an approver of this alert`, 'by');
      }
      if (!isCancellable(alert.status))
        throw new DomainError('CONFLICT', `it is ${alert.status.replaceAll('_', ' ')}, so nothing is left to stop`);
      try {
        await handle(alert.id).signal(cancelSignal, { by: actor, ...(reason ? { reason } : {}) });
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new DomainError('CONFLICT', 'the alert has already finished');
        throw error;
      }
      await deps.deliveries.cancelPending(alert.id);
      await audit('accepted', reason ?? null);
    },

    async progress(alertId: string): Promise<BroadcastProgress | null> {
      try {
        return await handle(alertId).query(progressQuery);
      } catch {
        return null;
      }
    },

    /** Restarts what Temporal missed; every start is idempotent by workflow id. */
    async sweep(): Promise<{ alerts: number; responses: number }> {
      const alerts = await deps.alerts.listStaleResolving(60, 100);
      for (const alert of alerts) await startWorkflow(alert);
      const responses = await deps.responses.listUnhandled(60, 200);
      for (const r of responses) await this.startResponseWorkflow(r);
      return { alerts: alerts.length, responses: responses.length };
    },

    /**
     * Workflow id from the alert (a ULID) and the response's dedupe key, not the row id: row ids
     * restart in every database, and several stores (tests, staging) can share one Temporal.
     */
    async startResponseWorkflow(response: Pick<ResponseRow, 'id' | 'alertId' | 'dedupeKey'>): Promise<void> {
      const key = createHash('sha256').update(response.dedupeKey).digest('hex').slice(0, 24);
      await startIdempotently(deps.temporal.workflow, handleAlertResponse, {
        workflowId: `rsp_${response.alertId}_${key}`,
        taskQueue: deps.taskQueue,
        args: [response.id],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    },
  };
}

export type AlertIntake = ReturnType<typeof createAlertIntake>;
