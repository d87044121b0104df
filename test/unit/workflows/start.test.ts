import { WorkflowExecutionAlreadyStartedError, type WorkflowClient } from '@temporalio/client';
import { describe, expect, it, vi } from 'vitest';
import { startIdempotently } from '../../../workflows/start.js';

/** Stands in for a workflow: only its name and parameters matter to a start. */
async function greet(name: string, times: number): Promise<string> {
  return name.repeat(times);
}

const options = {
  workflowId: 'greet-ana',
  taskQueue: 'q',
  args: ['ana', 2] as [string, number],
  workflowIdConflictPolicy: 'USE_EXISTING',
  workflowIdReusePolicy: 'REJECT_DUPLICATE',
} as const;

/** WorkflowClient.start answering with `answer`; the server is not needed to map its outcomes. */
function clientAnswering(answer: () => Promise<unknown>) {
  const start = vi.fn(answer);
  return { start, client: { start } as unknown as Pick<WorkflowClient, 'start'> };
}

describe('startIdempotently', () => {
  it('starts the workflow by its function, with the args and both id policies as given', async () => {
    const handle = { workflowId: 'greet-ana' };
    const { start, client } = clientAnswering(() => Promise.resolve(handle));
    await expect(startIdempotently(client, greet, options)).resolves.toEqual({ outcome: 'started', handle });
    expect(start).toHaveBeenCalledWith(greet, options);
  });

  it('answers already-started when the server refuses the id', async () => {
    const { client } = clientAnswering(() =>
      Promise.reject(new WorkflowExecutionAlreadyStartedError('already started', 'greet-ana', 'greet')),
    );
    await expect(startIdempotently(client, greet, options)).resolves.toEqual({ outcome: 'already-started' });
  });

  it('throws any other failure, for the caller to retry later', async () => {
    const { client } = clientAnswering(() => Promise.reject(new Error('connection refused')));
    await expect(startIdempotently(client, greet, options)).rejects.toThrow('connection refused');
  });
});

// Checked by tsc, never run: the args are typed by the workflow's parameters.
function _argsTypedByTheWorkflow(client: Pick<WorkflowClient, 'start'>) {
  // @ts-expect-error a number where greet takes a name
  void startIdempotently(client, greet, { ...options, args: [2, 2] });
  // @ts-expect-error the args are required when the workflow takes any
  void startIdempotently(client, greet, { ...options, args: undefined });
}
