import { describe, expect, it } from 'vitest';
import { liveSummarySchema } from '../../../contracts/live-summary.js';
import { emptyCounts, type DeliveryCounts } from '../../../domain/broadcast/final-summary.js';
import type { AlertStatus } from '../../../domain/vocabulary/index.js';
import { createLiveSummary } from '../../../services/live-summary.js';
import { createApproverGroups } from '../../../services/approver-groups.js';
import { memoryBindings } from '../../../testkit/memory-bindings.js';
import type { AlertListQuery, AlertRow } from '../../../store/alerts.js';

const NOW = new Date('2026-12-06T15:00:00Z');
const groups = { alerts: ['ana@bank.example', 'bob@bank.example'], risk: ['rita@bank.example'] };

let n = 0;
function row(status: AlertStatus, over: Partial<AlertRow> = {}): AlertRow {
  n += 1;
  return {
    id: `alr_${String(n).padStart(3, '0')}`,
    requester: 'ana@bank.example',
    title: `Alert ${n}`,
    body: '',
    topic: 'rates',
    listIds: [],
    channels: ['email'],
    replyOwner: 'requester',
    sendWindow: null,
    approverGroup: 'alerts',
    status,
    version: 1,
    summary: null,
    counts: null,
    decidedBy: null,
    decisionComment: null,
    createdAt: '2026-12-06T08:00:00Z',
    updatedAt: '2026-12-06T09:00:00Z',
    approvedAt: null,
    completedAt: null,
    ...over,
  } as AlertRow;
}
const counts = (over: Partial<DeliveryCounts>): DeliveryCounts => ({ ...emptyCounts(), ...over });

function service(rows: AlertRow[], ledger: Record<string, DeliveryCounts>) {
  return createLiveSummary({
    alerts: { list: async (q: AlertListQuery) => rows.filter((r) => r.status === q.status).slice(0, q.limit) },
    deliveries: { counts: async (id: string) => ledger[id] ?? emptyCounts() },
    groups: createApproverGroups(groups, memoryBindings()),
    publicUrl: 'https://rapport.example/',
    now: () => NOW,
  });
}

describe('the live summary (services/live-summary.ts)', () => {
  it("counts a person's alerts in flight: requested by them or waiting in their approver group", async () => {
    const mineWaiting = row('awaiting_approval');
    const bobsWaiting = row('awaiting_approval', { requester: 'bob@bank.example' });
    const riskWaiting = row('awaiting_approval', { requester: 'rob@bank.example', approverGroup: 'risk' });
    const sending = row('dispatching', { requester: 'bob@bank.example', summary: { deliveries: 2000 } as never });
    const doneToday = row('completed', {
      completedAt: '2026-12-06T10:00:00Z',
      counts: counts({ total: 100, sent: 98, responded: 7 }),
    });
    const followingUp = row('following_up', { updatedAt: '2026-12-06T11:00:00Z' });
    const doneYesterday = row('completed', {
      completedAt: '2026-12-05T23:59:00Z',
      counts: counts({ sent: 500, responded: 400 }),
    });
    const summary = await service(
      [mineWaiting, bobsWaiting, riskWaiting, sending, doneToday, followingUp, doneYesterday],
      {
        [sending.id]: counts({ total: 2000, sent: 412, pending: 1588 }),
        [followingUp.id]: counts({ sent: 2, responded: 1 }),
      },
    ).forPerson({ email: 'Ana@Bank.example' });

    expect(liveSummarySchema.parse(summary)).toEqual(summary);
    expect(summary.pendingApproval).toMatchObject({ count: 2, forYou: 1 });
    expect(summary.pendingApproval.alerts.map((a) => [a.id, a.mine])).toEqual([
      [mineWaiting.id, true],
      [bobsWaiting.id, false],
    ]);
    // Sent of total from the ledger, live.
    expect(summary.sending.alerts).toEqual([
      expect.objectContaining({ id: sending.id, sent: 412, total: 2000, mine: false }),
    ]);
    // Today (UTC): the completed one (stored counts) and the one following up (ledger); not yesterday's.
    expect(summary.doneToday).toEqual({ count: 2, sent: 100, responded: 8, responseRate: 0.08 });
    expect(summary.dashboardUrl).toBe('https://rapport.example/dashboard');
    expect(summary.sending.alerts[0]!.dashboardUrl).toBe(`https://rapport.example/dashboard/alerts/${sending.id}`);
  });

  it('an outsider sees none of it; an approver of another group sees that group', async () => {
    const waiting = row('awaiting_approval', { approverGroup: 'risk', requester: 'rob@bank.example' });
    const s = service([waiting], {});
    expect((await s.forPerson({ email: 'eve@bank.example' })).pendingApproval.count).toBe(0);
    expect((await s.forPerson({ email: 'rita@bank.example' })).pendingApproval).toMatchObject({ count: 1, forYou: 1 });
  });

  it('has no response rate before anything was sent, and an approved alert counts as sending its audience', async () => {
    const approved = row('approved', { summary: { deliveries: 40 } as never });
    const summary = await service([approved], {}).forPerson({ email: 'ana@bank.example' });
    expect(summary.doneToday.responseRate).toBeNull();
    expect(summary.sending.alerts[0]).toMatchObject({ sent: 0, total: 40 });
  });
});
