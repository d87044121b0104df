import { WorkflowExecutionAlreadyStartedError, type WorkflowClient, type WorkflowHandle } from '@temporalio/client';
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
