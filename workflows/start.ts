import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  type ScheduleClient,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
  type WorkflowClient,
  type WorkflowHandle,
} from '@temporalio/client';
import type { WithWorkflowArgs, Workflow, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';

/** `args` typed by the workflow's parameters, as the SDK's own start options type them. */
export type IdempotentStart<W extends Workflow> = WithWorkflowArgs<
  W,
  {
    /** Derived from what the run is about (an alert, a touch, a response): the same thing, the same id. */
    workflowId: string;
    taskQueue: string;
    /** What a start does while a run with this id is open (USE_EXISTING: joins it). */
    workflowIdConflictPolicy: WorkflowIdConflictPolicy;
    /** Whether an id whose run has closed may run again (REJECT_DUPLICATE: never). */
    workflowIdReusePolicy: WorkflowIdReusePolicy;
  }
>;

/**
 * `started`: the server took the start, so a run with this id is open: a new one or, under
 * USE_EXISTING, the one already running (the SDK does not say which).
 * `already-started`: the server refused it: a run with this id already ran (its id not reusable)
 * or, under FAIL, runs now.
 */
export type StartOutcome<W extends Workflow> =
  { outcome: 'started'; handle: WorkflowHandle<W> } | { outcome: 'already-started' };

/**
 * Starts `workflow` (the function itself: its name is the workflow type, its parameters type the
 * args) once per workflow id. Any other error (Temporal unreachable, a bad argument) throws.
 */
export async function startIdempotently<W extends Workflow>(
  client: Pick<WorkflowClient, 'start'>,
  workflow: W,
  options: IdempotentStart<W>,
): Promise<StartOutcome<W>> {
  try {
    const handle = await client.start(workflow, options);
    return { outcome: 'started', handle };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { outcome: 'already-started' };
    throw error;
  }
}

/** A schedule that starts `workflow` (the function: its name is the type, its parameters type the args) every `every`. */
export type ScheduledStart<W extends Workflow> = WithWorkflowArgs<
  W,
  {
    scheduleId: string;
    taskQueue: string;
    /** Whole seconds (Temporal rounds intervals to seconds). */
    everyMs: number;
    /** Ends a run no worker picks up (a task queue nobody serves any more), so SKIP does not skip forever. */
    runTimeoutMs: number;
  }
>;

/**
 * Creates the schedule, or brings an existing one to these settings (a new version changed the
 * interval or the task queue). Every API process calls it at start-up: the first creates it, the
 * others find it as wanted and change nothing. Runs never overlap (SKIP): a run still going when
 * the next is due makes the next one wait for the interval after.
 */
export async function ensureSchedule<W extends Workflow>(
  client: Pick<ScheduleClient, 'create' | 'getHandle'>,
  workflow: W,
  options: ScheduledStart<W>,
): Promise<'created' | 'updated' | 'unchanged'> {
  const spec: ScheduleSpec = { intervals: [{ every: options.everyMs }] };
  const action: ScheduleOptionsStartWorkflowAction<W> = {
    type: 'startWorkflow',
    workflowType: workflow,
    taskQueue: options.taskQueue,
    args: options.args ?? [],
    workflowId: options.scheduleId,
    workflowExecutionTimeout: options.runTimeoutMs,
  } as ScheduleOptionsStartWorkflowAction<W>;
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: options.everyMs };
  try {
    await client.create({ scheduleId: options.scheduleId, spec, action, policies });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.getHandle(options.scheduleId);
  if (isAsWanted(await handle.describe(), workflow.name, options)) return 'unchanged';
  await handle.update<W>((previous) => ({ ...previous, spec, action, policies }));
  return 'updated';
}

function isAsWanted(
  described: ScheduleDescription,
  workflowType: string,
  options: Pick<ScheduledStart<Workflow>, 'taskQueue' | 'everyMs' | 'runTimeoutMs'>,
): boolean {
  const { action, spec } = described;
  return (
    action.type === 'startWorkflow' &&
    action.workflowType === workflowType &&
    action.taskQueue === options.taskQueue &&
    action.workflowExecutionTimeout === options.runTimeoutMs &&
    spec.intervals?.length === 1 &&
    spec.intervals[0]!.every === options.everyMs &&
    (spec.calendars?.length ?? 0) === 0
  );
}
