import type { CrmTask } from '../port.js';
import type { ActivityReads } from './activity-v1.js';
import type { BatchedReads } from './batched-reads.js';
import type { AdapterContext } from './context.js';
import { toTask } from './mapping.js';
import { MAX_TEXT_LENGTH } from './schema.js';

/** HubSpot ids grow with creation time: an open task is among a contact's newest this many. */
const NEWEST_TASKS = 500;

/** Follow-ups: a contact's open tasks, and marking one done. */
export function taskOperations(ctx: AdapterContext, reads: BatchedReads, activity?: ActivityReads) {
  const { client } = ctx;
  const due = (t: CrmTask) => (t.dueAt ? Date.parse(t.dueAt) : Infinity);
  const open = (tasks: CrmTask[], limit: number) =>
    tasks
      .filter((t) => t.status !== 'COMPLETED')
      .sort((a, b) => due(a) - due(b) || Number(a.id) - Number(b.id))
      .slice(0, Math.max(0, limit));

  return {
    async listOpenTasks(contactId: string, limit = 20): Promise<CrmTask[]> {
      const read = await activity?.forContact(contactId);
      if (read) return open(read.tasks, limit);
      const ids = (await reads.associatedIds(contactId, 'tasks'))
        .sort((a, b) => Number(b) - Number(a))
        .slice(0, NEWEST_TASKS);
      // A task deleted since the association read is simply absent.
      return open((await reads.records('tasks', ids)).map(toTask), limit);
    },

    async getTask(id: string): Promise<CrmTask | null> {
      if (!/^\d{1,20}$/.test(id)) return null;
      const [record] = await reads.records('tasks', [id]);
      return record ? toTask(record) : null;
    },

    async completeTask(id: string, changes: { body?: string } = {}): Promise<void> {
      // Setting COMPLETED again on a completed task changes nothing: idempotent as it is.
      // HubSpot answers 404 for an unknown (or deleted) id: CRM_NOT_FOUND.
      const properties: Record<string, string> = { hs_task_status: 'COMPLETED' };
      if (changes.body !== undefined) properties.hs_task_body = changes.body.slice(0, MAX_TEXT_LENGTH);
      await ctx.call('standard', () => client.crm.objects.basicApi.update('tasks', id, { properties }));
    },
  };
}
