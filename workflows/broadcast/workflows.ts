import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  ParentClosePolicy,
  setHandler,
  sleep,
  startChild,
  WorkflowIdReusePolicy,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { ALERT_STATUS_ATTRIBUTE, SEARCH_ATTRIBUTES_PATCH } from '../search-attributes.js';
import { approvalPhase, isRequester, refuseDecision, type Decision } from '../../domain/broadcast/decision-rules.js';
import type { DeliveryCounts } from '../../domain/broadcast/final-summary.js';
import type { BroadcastPhase } from '../../domain/vocabulary/index.js';
import type { BroadcastActivities } from './activities.js';
import type { ResponseActivities } from './activities/responses.js';
import type { DigestRunSlot } from './activities/customer-digests.js';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ANNOUNCED_SLOTS,
  CUSTOMER_DIGESTS,
  DIGEST_LOG_TRAILS,
  type DigestRunInput,
  OWNER_DIGESTS,
  cancelSignal,
  DECISION_RECORD_BOUNDED,
  DECISION_UNRECORDABLE,
  decideUpdate,
  progressQuery,
  reviseUpdate,
  type BroadcastInput,
  type BroadcastResult,
  type ResendInput,
  type Revision,
} from './shared.js';

/** recordDecision gave up for good: the decision's text is what the store cannot hold. */
function isUnrecordable(cause: unknown): boolean {
  return cause instanceof ApplicationFailure && cause.type === DECISION_UNRECORDABLE;
}

/**
 * One customer alert, from request to final summary: resolve and dedupe the audience, ask the
 * approvers (reminder, expiry, request changes), dispatch in batches through the delivery
 * ledger, log every delivery on the CRM timeline, then close the response window with a task
 * per owner and a summary for the requester. Payloads carry ids and batch numbers only.
 */
export async function broadcastAlert(input: BroadcastInput): Promise<BroadcastResult> {
  const { alertId } = input;
  let phase: BroadcastPhase = input.resume ? 'dispatching' : 'resolving';
  let version = input.resume?.version ?? 1;
  let batches = input.resume?.batches ?? 0;
  let batchesDone = 0;
  let counts: DeliveryCounts | null = null;
  let decision: Decision | undefined;
  let revision: Revision | undefined;
  let cancel: { by: string; reason?: string } | undefined;
  // Operators filter by status in Temporal's UI: upserted as the alert moves, only on runs started
  // with the attributes (never on histories recorded before them, so those replay unchanged).
  const tagging = input.searchAttributes === true && patched(SEARCH_ATTRIBUTES_PATCH);
  const tag = (status: BroadcastPhase) => {
    if (tagging) upsertSearchAttributes([{ key: ALERT_STATUS_ATTRIBUTE, value: status }]);
  };

  const store = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  // A decision's record gives up: at once on text the store cannot hold, after about a minute
  // on a store that does not answer. The approver hears so and the alert stays decidable.
  const record = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '20 seconds',
    retry: {
      initialInterval: '1 second',
      maximumInterval: '10 seconds',
      maximumAttempts: 8,
      nonRetryableErrorTypes: [DECISION_UNRECORDABLE],
    },
  });
  const crm = proxyActivities<BroadcastActivities>({
    // Resolution pages through lists and contacts inside the CRM budget: minutes for 100k memberships.
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: ['ALERT_MISSING'] },
  });
  const send = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '20 minutes',
    // dispatchBatch heartbeats every few seconds whatever SMTP does: silence means the worker died.
    heartbeatTimeout: '15 seconds',
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: ['ALERT_MISSING'],
    },
  });

  setHandler(progressQuery, () => ({
    alertId,
    phase,
    version,
    batches,
    batchesDone,
    counts,
    cancelRequested: cancel !== undefined,
  }));
  setHandler(cancelSignal, (c) => {
    cancel ??= c;
  });
  setHandler(
    decideUpdate,
    async (d) => {
      // Taken at once, so a second decision arriving in the same task is refused by the validator.
      decision = d;
      const decided = version;
      if (!patched(DECISION_RECORD_BOUNDED)) {
        await store.recordDecision(alertId, decided, d);
      } else {
        try {
          await record.recordDecision(alertId, decided, d);
        } catch (error) {
          // Not recorded, so not taken: the alert awaits a decision again (the main loop waits on).
          if (decision === d) decision = undefined;
          const unrecordable = error instanceof ActivityFailure && isUnrecordable(error.cause);
          throw ApplicationFailure.create({
            type: unrecordable ? 'VALIDATION' : 'UNAVAILABLE',
            message: unrecordable
              ? 'reason: the decision holds text the store cannot keep; nothing was decided'
              : 'the decision could not be recorded (the store did not answer); nothing was decided, try again',
            details: [unrecordable ? 'reason' : undefined],
            nonRetryable: true,
          });
        }
      }
      return { decision: d.decision, version: decided, approver: d.approver.toLowerCase() };
    },
    {
      validator: (d) => {
        const refusal = refuseDecision(
          {
            phase: windowClosed(input) ? 'expired' : approvalPhase(phase, decision !== undefined),
            requester: input.requester,
            ...(input.requesterId ? { requesterId: input.requesterId } : {}),
            approvers: input.approvers,
            version,
            urgentAllowed: input.urgentAllowed === true,
          },
          d,
        );
        if (refusal) {
          throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, details: [refusal.field] });
        }
      },
    },
  );
  setHandler(
    reviseUpdate,
    async (r) => {
      revision = r;
      const next = version + 1;
      await store.applyRevision(alertId, next, r);
      return { version: next };
    },
    {
      validator: (r) => {
        if (!isRequester(input, { email: r.requester, id: r.requesterId ?? null })) {
          throw ApplicationFailure.create({ type: 'FORBIDDEN', message: 'only the requester can revise the alert' });
        }
        // The decision's handler writes "changes requested" to the store (and so to Slack, the add-in and the
        // API) before the main loop has moved on, e.g. while it still awaits the approval request's activity:
        // a requester who revises in that moment is answering a request that stands, not too early. Only once
        // the decision is recorded (its handler finished): until then it may still be taken back.
        const requested =
          phase === 'changes_requested' ||
          (phase === 'awaiting_approval' && decision?.decision === 'request_changes' && allHandlersFinished());
        if (!requested || revision !== undefined) {
          throw ApplicationFailure.create({ type: 'CONFLICT', message: `no changes were requested (${phase})` });
        }
      },
    },
  );

  const finish = async (final: BroadcastPhase, comment?: string): Promise<BroadcastResult> => {
    phase = final;
    counts = await store.finishAlert(alertId, final, comment ?? null);
    tag(final);
    await condition(allHandlersFinished);
    return { phase, counts };
  };
  const cancelled = () => finish('cancelled', cancel?.reason ?? `cancelled by ${cancel?.by ?? 'unknown'}`);
  const expire = async (): Promise<BroadcastResult> => {
    phase = 'expired';
    await store.notifyRequester(alertId, 'expired', windowClosed(input) ? 'the send window closed' : null);
    return finish('expired');
  };

  // The approver marked the alert urgent: it goes out at once, not at the topic's announced slots.
  let urgent: boolean | undefined;
  if (!input.resume) {
    // 1. Audience: lists -> dedupe -> contact policy -> ledger rows; the summary exists before approval.
    await crm.resolveAudience(alertId);
    if (cancel) return cancelled();

    // 2. Approval, as often as the requester revises.
    for (;;) {
      phase = 'awaiting_approval';
      tag(phase);
      decision = undefined;
      revision = undefined;
      // An approval that could only come after the send window closed is no approval: it expires with the window.
      const expiresAtMs = Math.min(
        Date.now() + input.reminderAfterMs + input.expiryAfterMs,
        input.notAfter ? Date.parse(input.notAfter) : Infinity,
      );
      await store.requestApproval(alertId, version, new Date(expiresAtMs).toISOString(), input.approvers);
      const reminderAt = Date.now() + input.reminderAfterMs;
      let reminded = false;
      // Until a decision or a cancel, with one reminder on the way (the same timers as ever).
      const awaitAnswer = async (): Promise<boolean> => {
        const answeredOrCancelled = () => decision !== undefined || cancel !== undefined;
        if (!reminded && reminderAt < expiresAtMs) {
          if (await condition(answeredOrCancelled, Math.max(0, reminderAt - Date.now()))) return true;
          await store.remindApprovers(alertId, version);
          reminded = true;
        }
        return condition(answeredOrCancelled, Math.max(0, expiresAtMs - Date.now()));
      };
      let answered = await awaitAnswer();
      // A decision whose record failed was taken back by its handler: wait on for the next one.
      while (decision !== undefined && patched(DECISION_RECORD_BOUNDED)) {
        await condition(allHandlersFinished);
        if (decision !== undefined || cancel) break;
        answered = await awaitAnswer();
      }
      if (cancel && !decision) return cancelled();
      if (!answered || !decision) return expire();
      // The handler's audit write completes before we act on the decision.
      await condition(allHandlersFinished);
      const d: Decision = decision;
      if (d.decision === 'approve') {
        urgent = d.urgent === true;
        break;
      }
      if (d.decision === 'reject') {
        await store.notifyRequester(alertId, 'rejected', d.reason ?? null);
        return finish('rejected', d.reason);
      }
      phase = 'changes_requested';
      tag(phase);
      await store.notifyRequester(alertId, 'changes_requested', d.reason ?? null);
      const revised = await condition(
        () => revision !== undefined || cancel !== undefined,
        input.reminderAfterMs + input.expiryAfterMs,
      );
      if (cancel) return cancelled();
      if (!revised) return finish('expired');
      await condition(allHandlersFinished);
      version += 1;
    }

    // 3. Dispatch, not before the send window opens.
    phase = 'dispatching';
    batches = await store.startDispatch(alertId, input.batchSize);
    tag(phase);
    // Each contact's rows wait for the topic's next announced slot in the contact's own time zone
    // (unless urgent); the passes below then wake once per distinct slot instant, as for quiet hours.
    // Contacts who chose a digest for this topic: their rows wait for it, in the same activity that
    // holds the others for the slot, and each digest slot's run is started before the first pass.
    if (patched(CUSTOMER_DIGESTS)) {
      const { digestRuns } = await store.holdForSlotsAndDigests(alertId, urgent === true);
      await startDigestRuns(digestRuns, input);
    } else if (patched(ANNOUNCED_SLOTS)) await store.holdForSlots(alertId, urgent === true);
    if (input.notBefore) {
      const wait = Date.parse(input.notBefore) - Date.now();
      if (wait > 0) await condition(() => cancel !== undefined, wait);
    }
    if (cancel) return cancelled();
  }

  // Passes over the batches that still hold pending rows; rows held back by quiet hours wait
  // for a timer and the next pass. A long dispatch continues as new, which re-reads its work from the ledger.
  // CRM logging trails the sends instead of holding them up: a sent batch is queued for logging
  // (at most logParallelBatches logging activities in flight) while the next wave goes out. All of it
  // is logged before the counts are read, before continuing as new and before the follow-up.
  const pipelined = patched('crm-log-pipelined');
  // Rows held for a later slot are not visited until due: one pass per distinct slot instant, over
  // the batches that have rows due, keeps histories small when an audience spans many time zones.
  const dueOnly = patched(ANNOUNCED_SLOTS);
  const logging: Promise<void>[] = [];
  // From the input, so a run started before logParallelBatches existed replays as it ran.
  let logSlots = input.logParallelBatches ?? input.parallelBatches;
  const logWaiters: (() => void)[] = [];
  const logLater = (batch: number) => {
    const done = (async () => {
      if (logSlots > 0) logSlots -= 1;
      else await new Promise<void>((resolve) => logWaiters.push(resolve));
      try {
        await crm.logBatchToCrm(alertId, batch, input.batchSize);
      } finally {
        const next = logWaiters.shift();
        if (next) next();
        else logSlots += 1;
      }
    })();
    done.catch(() => undefined); // awaited (and its failure raised) by loggingDone()
    logging.push(done);
  };
  const loggingDone = async () => {
    await Promise.all(logging.splice(0));
  };

  for (;;) {
    // A cancel stops here too: the cancel route has already taken the pending rows, so there would be no work to find.
    if (cancel) break;
    const todo = dueOnly
      ? await store.batchesWithPending(alertId, input.batchSize, true)
      : await store.batchesWithPending(alertId, input.batchSize);
    // Nothing due now is not the end when rows wait for a later slot: nextDeferred below says.
    if (todo.length === 0 && !dueOnly) break;
    batchesDone = 0;
    while (batchesDone < todo.length && !cancel && !windowClosed(input)) {
      const wave = todo.slice(batchesDone, batchesDone + input.parallelBatches);
      await Promise.all(
        wave.map(async (batch) => {
          await send.dispatchBatch(alertId, batch, input.batchSize);
          if (pipelined) logLater(batch);
          else await crm.logBatchToCrm(alertId, batch, input.batchSize);
        }),
      );
      batchesDone += wave.length;
      if (workflowInfo().historyLength > input.historyBudget && !cancel) {
        await loggingDone();
        await condition(allHandlersFinished);
        // A cancel that arrived while logging caught up is this run's to carry out, not lost with it.
        if (!cancel) return continueAsNew<typeof broadcastAlert>({ ...input, resume: { version, batches } });
      }
    }
    await loggingDone();
    counts = await store.refreshCounts(alertId);
    if (cancel) break;
    if (windowClosed(input)) {
      await store.closeSendWindow(alertId);
      break;
    }
    const next = await store.nextDeferred(alertId);
    if (next === null) break;
    await condition(() => cancel !== undefined, Math.max(0, Date.parse(next) - Date.now()));
  }
  // Rows waiting for digests go out with their contacts' digests: the alert waits for them (a run
  // that ended before some rows were held is started again), so the follow-up counts them.
  if (!cancel && patched(CUSTOMER_DIGESTS)) {
    let poll = 2_000;
    for (;;) {
      const state = await store.digestState(alertId);
      if (state.last === null) break;
      if (state.overdue.length > 0) await startDigestRuns(state.overdue, input);
      const untilLast = Date.parse(state.last) - Date.now();
      if (untilLast > 0) poll = 2_000;
      else poll = Math.min(poll * 2, 60_000);
      if (await condition(() => cancel !== undefined, Math.max(0, untilLast) + poll)) break;
    }
    counts = await store.refreshCounts(alertId);
  }
  if (cancel) return cancelled();

  // 4. Follow-up: responses count until the window closes; then owners get their non-responders.
  // Nothing went out (everyone suppressed, or the send window closed first): no window to wait for.
  // Counts come from the last pass; a run that found nothing to send has none yet.
  counts ??= await store.refreshCounts(alertId);
  if (counts.sent + counts.unconfirmed > 0) {
    phase = 'following_up';
    await store.setPhase(alertId, 'following_up');
    tag(phase);
    // Everything has gone out: a cancel now has nothing to stop, and the response window stays open.
    await sleep(input.responseWindowMs);
  }
  await crm.createNonResponderTasks(alertId);
  await store.sendFinalSummary(alertId);
  return finish('completed');
}

/**
 * Starts each slot's digest run unless it runs already: its workflow id is derived from the slot
 * (and the task queue), so every alert holding rows for one slot shares one run. A run that ended
 * is started again (its second run sends what the first could not see). The run outlives the alert.
 */
async function startDigestRuns(
  slots: readonly DigestRunSlot[],
  input: Pick<BroadcastInput, 'batchSize' | 'historyBudget'>,
) {
  for (const { slotAt, workflowId } of slots) {
    try {
      await startChild(customerDigest, {
        workflowId,
        args: [{ slotAt, pageSize: input.batchSize, historyBudget: input.historyBudget }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
}

/**
 * One digest slot: sleeps until the slot, then pages through the contacts whose digest rows are
 * due (one activity per page: claim, send one message per contact, record), logging each page's
 * rows on the CRM timeline while the next page goes out. Contacts inside quiet hours get a run at
 * the end of them. Continues as new before its history nears the limit; the run's key (its first
 * run) stays, so the records of a dead attempt are found and reported, never sent twice.
 */
export async function customerDigest(input: DigestRunInput): Promise<Record<string, number>> {
  const info = workflowInfo();
  const runId = input.runId ?? `${info.workflowId}/${info.firstExecutionRunId}`;
  const send = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '20 minutes',
    heartbeatTimeout: '15 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: ['NO_DIGESTS'] },
  });
  const crm = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
  });
  const store = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['NO_DIGESTS'] },
  });
  const wait = Date.parse(input.slotAt) - Date.now();
  if (wait > 0) await sleep(wait);
  const trailing = patched(DIGEST_LOG_TRAILS);
  let logging: Promise<number> | undefined;
  let logEnded = true;
  for (;;) {
    const page = await send.sendDigestPage({ runId, slotAt: input.slotAt, pageSize: input.pageSize });
    if (page.deferredTo.length > 0) await startDigestRuns(page.deferredTo, { batchSize: input.pageSize, ...input });
    const last = page.digests === 0;
    if (!trailing) {
      // The CRM trails the sends: the previous page's log finishes while this page went out.
      if (logging) await logging;
      logging = crm.logDigestsToCrm(runId);
    } else if (logEnded && !last) {
      // The CRM trails the sends and never holds them up: one log at a time takes every page
      // recorded so far, and the next starts after the page that follows its end.
      logEnded = false;
      logging = crm.logDigestsToCrm(runId).finally(() => (logEnded = true));
    }
    if (last) break;
    if (workflowInfo().historyLength > input.historyBudget) {
      await logging;
      return continueAsNew<typeof customerDigest>({ ...input, runId });
    }
  }
  await logging;
  // The log in flight may have begun before the last pages were recorded: one more takes them.
  if (trailing) await crm.logDigestsToCrm(runId);
  // From the records, not the pages' answers: an attempt that died took its figures with it.
  return store.digestRunCounts(runId);
}

function windowClosed(input: BroadcastInput): boolean {
  return input.notAfter !== undefined && Date.now() >= Date.parse(input.notAfter);
}

/**
 * One customer response (action link, reply, unsubscribe, bounce): onto the CRM timeline and to
 * whoever owns replies for the alert. Its id is derived from the response, so a repeat starts nothing.
 */
export async function handleAlertResponse(responseId: number): Promise<void> {
  const acts = proxyActivities<ResponseActivities>({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: ['RESPONSE_MISSING'] },
  });
  await acts.logResponseToCrm(responseId);
  await acts.routeResponse(responseId);
  await acts.markResponseHandled(responseId);
  if (patched(OWNER_DIGESTS)) {
    // routeResponse sent the owner's first few at once; a later one waits for the owner's digest of
    // this alert. Whichever waiting response's timer fires first sends it (once: the digest row is claimed).
    const due = await acts.ownerDigestDue(responseId);
    if (due !== null) {
      await sleep(Math.max(0, Date.parse(due) - Date.now()));
      await acts.sendOwnerDigest(responseId);
    }
  }
}

/**
 * A resend to the rows a dead worker left unconfirmed, asked for from the alert's trail by its
 * requester or an approver (who confirmed that some may already have the message). The rows go
 * back to pending under this resend's id and out through the same dispatch and CRM logging as
 * the alert's own batches. Its id is derived from the click, so a repeated click starts nothing.
 */
export async function resendUnconfirmed(input: ResendInput): Promise<Record<string, number>> {
  const { alertId, resendId, batchSize } = input;
  const store = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['ALERT_MISSING'] },
  });
  const send = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '20 minutes',
    heartbeatTimeout: '15 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: ['ALERT_MISSING'] },
  });
  const crm = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: ['ALERT_MISSING'] },
  });
  const rows = await store.takeUnconfirmedForResend(alertId, resendId, input.by);
  // Quiet hours may hold a row back at send: wait for it as the alert's own dispatch does.
  while (rows > 0) {
    const todo = await store.batchesWithPending(alertId, batchSize);
    if (todo.length === 0) break;
    for (const batch of todo) {
      await send.dispatchBatch(alertId, batch, batchSize);
      await crm.logBatchToCrm(alertId, batch, batchSize);
    }
    const next = await store.nextDeferred(alertId);
    if (next === null) break;
    await sleep(Math.max(0, Date.parse(next) - Date.now()));
  }
  await store.refreshCounts(alertId);
  return store.finishResend(alertId, resendId);
}
