import { touchSchema, type Touch } from '../../contracts/index.js';
import type { Command } from '../command.js';
import { fields } from '../format.js';

const path = (id: string) => `/api/touches/${encodeURIComponent(id)}`;

function summary(touch: Touch): string {
  return fields([
    ['Touch', touch.id],
    ['Status', touch.status],
    ['Contact', touch.contact.email ?? touch.contact.crmId],
    ['Channel', touch.channel],
    ['Occurred', touch.occurredAt],
    ['Engagement', touch.engagement && `${touch.engagement.kind} ${touch.engagement.id}`],
    ['Attempts', touch.attempts],
    ['Last error', touch.lastError],
    ['Failed because', touch.reason],
    ['Logged', touch.createdAt],
    ['Synced', touch.syncedAt],
  ]);
}

export const commands: Command[] = [
  {
    name: ['touches', 'show'],
    usage: '<id>',
    summary: 'One touch and where it is on its way to the CRM.',
    args: ['id'],
    async run({ args, api }) {
      const touch = await api.get(path(args.id!), touchSchema);
      return { json: touch, text: summary(touch) };
    },
  },
  {
    name: ['touches', 'retry'],
    usage: '<id>',
    summary: 'Write a pending or failed touch to the CRM again (once its cause is fixed).',
    args: ['id'],
    async run({ args, api }) {
      const touch = await api.post(`${path(args.id!)}/retry`, touchSchema);
      return {
        json: touch,
        text: `${summary(touch)}\n\nRestarted: follow it with \`rapport touches show ${touch.id}\`.`,
      };
    },
  },
];
