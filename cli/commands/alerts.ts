import {
  alertCancelledSchema,
  alertDetailSchema,
  alertListSchema,
  type AlertCancelBody,
  type AlertDetail,
} from '../../contracts/index.js';
import type { Command } from '../command.js';
import { fields, short, table } from '../format.js';

const path = (id: string) => `/api/alerts/${encodeURIComponent(id)}`;

function summary(alert: AlertDetail): string {
  const { audience, counts } = alert;
  return fields([
    ['Alert', alert.id],
    ['Status', alert.status],
    ['Version', alert.version],
    ['Title', alert.title],
    ['Topic', alert.topic],
    ['Requester', alert.requester],
    ['Approvers', alert.approverGroup],
    ['Channels', alert.channels.join(', ')],
    ['Lists', alert.lists.join(', ')],
    [
      'Audience',
      audience &&
        `${audience.deliveries} to send, of ${audience.uniqueContacts} contacts (${audience.duplicates} duplicates folded)`,
    ],
    [
      'Deliveries',
      `${counts.sent} sent, ${counts.pending + counts.sending} to go, ${counts.failed} failed, ${counts.bounced} bounced, ${counts.cancelled} cancelled, ${counts.responded} responded`,
    ],
    ['Decided by', alert.decidedBy],
    ['Comment', alert.decisionComment],
    ['Created', alert.createdAt],
    ['Approved', alert.approvedAt],
    ['Completed', alert.completedAt],
  ]);
}

export const commands: Command[] = [
  {
    name: ['alerts', 'list'],
    usage: '[--status <status>] [--limit <n>]',
    summary: 'Alerts, newest first.',
    options: { status: { type: 'string' }, limit: { type: 'string' } },
    async run({ options, api }) {
      const query = new URLSearchParams();
      for (const key of ['status', 'limit'] as const) {
        if (typeof options[key] === 'string') query.set(key, options[key]);
      }
      const page = await api.get(`/api/alerts${query.size ? `?${query}` : ''}`, alertListSchema);
      const rows = page.alerts.map((a) => [
        a.id,
        a.status,
        String(a.version),
        a.requester,
        a.topic,
        short(a.title, 40),
        a.createdAt,
      ]);
      const text = rows.length
        ? table(['ID', 'STATUS', 'V', 'REQUESTER', 'TOPIC', 'TITLE', 'CREATED'], rows)
        : 'No alerts.';
      return { json: page, text: page.next ? `${text}\n\nMore: ${page.next}` : text };
    },
  },
  {
    name: ['alerts', 'show'],
    usage: '<id>',
    summary: 'One alert: its status, audience and deliveries.',
    args: ['id'],
    async run({ args, api }) {
      const alert = await api.get(path(args.id!), alertDetailSchema);
      return { json: alert, text: summary(alert) };
    },
  },
  {
    name: ['alerts', 'cancel'],
    usage: '<id> [--reason <text>]',
    summary:
      'Stop an alert, as its requester or one of its approvers: RAPPORT_TOKEN is your sign-in token (a service token cannot cancel); what went out stays recorded.',
    args: ['id'],
    options: { by: { type: 'string' }, reason: { type: 'string' } },
    async run({ args, options, api }) {
      const body: AlertCancelBody = {
        // Optional: who cancels is who the token signs in as; a different --by is refused.
        ...(typeof options.by === 'string' ? { by: options.by } : {}),
        ...(typeof options.reason === 'string' ? { reason: options.reason } : {}),
      };
      const answer = await api.post(`${path(args.id!)}/cancel`, alertCancelledSchema, body);
      return { json: answer, text: `Cancel requested for ${answer.id}.` };
    },
  },
];
