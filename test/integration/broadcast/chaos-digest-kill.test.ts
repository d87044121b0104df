/**
 * Chaos: the worker process is SIGKILLed twice while one digest slot is being sent (5,000
 * digest-mode contacts, three alerts each) and restarted each time. What must hold, contact by
 * contact: one digest at the catcher, or the digest reported unconfirmed (its record and every row
 * it carried), never two; no row left waiting, none sent on its own.
 *
 * Real parts: chaos-stack.ts (PostgreSQL, the worker as compiled JavaScript in a child process,
 * the SMTP catcher, Temporal's dev server). The ledger is filled directly (three approved alerts,
 * every row waiting for the digest at the slot) and the slot's run is started as the alert
 * workflow starts it: the child worker computes no slots (announced schedules are off there).
 * Each kill stalls the run until Temporal gives up on the dead attempt (15 s heartbeat timeout).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../../../store/alerts.js';
import { eventually } from '../../../testkit/rapport.js';
import { startChaosStack, type ChaosStack } from './chaos-stack.js';
import { REQUESTER } from './support.js';

const CONTACTS = 5_000;
const ALERTS = 3;

let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({ name: 'chaos-digest', memberships: CONTACTS, lists: 1, overlap: 0 });
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

// The run's CRM log trails its sends without holding them up (patch 'digest-log-trails'): a log stranded
// on the killed worker waits out its 2-minute heartbeat timeout while the next pages go out.
describe('a worker SIGKILLed while a digest slot is being sent', () => {
  it(
    'every digest contact ends with one digest or is reported unconfirmed, never twice',
    { timeout: 6 * 60_000 },
    async () => {
      const log = (line: string) => console.log(`[chaos:digest-kill] ${line}`);
      const alerts = createAlertStore(stack.db);
      const alertIds: string[] = [];
      for (let a = 0; a < ALERTS; a++) {
        const id = `alr_chaos_digest_${a}`;
        await alerts.insert(id, {
          requester: REQUESTER,
          title: `Chaos digest alert ${a + 1}`,
          body: `Alert ${a + 1} of ${ALERTS}.`,
          topic: 'rates',
          lists: stack.listIds,
          channels: ['email'],
          replyTo: 'analyst',
          approverGroup: 'alerts',
        } as Parameters<typeof alerts.insert>[1]);
        await stack.db.query(
          `update alerts set status = 'following_up', approved_at = now() + make_interval(secs => $2) where id = $1`,
          [id, a],
        );
        alertIds.push(id);
      }
      const members = await contactsOf(stack);
      const slotAt = new Date(Date.now() + 3_000).toISOString();
      for (const alertId of alertIds) {
        await stack.db.query(
          `insert into deliveries (alert_id, contact_id, seq, email, channel, address, time_zone, token, status, digest_mode, digest_at)
         select $1, c, n - 1, e, 'email', e, 'UTC', substr(md5($1 || '.' || c), 1, 16), 'digest', 'daily', $4
         from unnest($2::text[], $3::text[]) with ordinality as t(c, e, n)`,
          [alertId, members.map((m) => m.id), members.map((m) => m.email), slotAt],
        );
      }
      const taskQueue = stack.envVars.TEMPORAL_TASK_QUEUE!;
      const handle = await stack.rapport.temporal.workflow.start('customerDigest', {
        taskQueue,
        workflowId: `digest:${taskQueue}:${slotAt}`,
        args: [{ slotAt, pageSize: 500, historyBudget: 9_000 }],
      });

      // Kill while the catcher's count is rising; restart at once; twice.
      const base = stack.catcher.count();
      for (const after of [800, 1_500]) {
        const target = stack.catcher.count() - base + after;
        await eventually(async () => (stack.catcher.count() - base >= target ? true : undefined), 120_000, 20);
        const killedAt = stack.catcher.count() - base;
        await stack.worker!.kill();
        const { rows } = await stack.db.query<{ n: number }>(
          `select count(*)::int as n from customer_digests where state = 'sending'`,
        );
        log(`killed after ${killedAt} digests; ${rows[0]!.n} digest(s) sending`);
        await stack.startWorker();
      }
      const totals = (await handle.result()) as Record<string, number>;
      log(`run: ${JSON.stringify(totals)}`);

      // Contact by contact: one digest, or reported unconfirmed; never two.
      const { rows: records } = await stack.db.query<{ contactId: string; state: string; rows: number }>(
        `select contact_id as "contactId", state, rows from customer_digests order by contact_id`,
      );
      const byContact = new Map<string, { state: string; rows: number }[]>();
      for (const r of records) byContact.set(r.contactId, [...(byContact.get(r.contactId) ?? []), r]);
      let unconfirmed = 0;
      for (const m of members) {
        const recs = byContact.get(m.id) ?? [];
        expect(recs, m.id).toHaveLength(1);
        expect(recs[0]!.rows, m.id).toBe(ALERTS);
        const got = stack.catcher.byRecipient(m.email).length;
        if (recs[0]!.state === 'unconfirmed') {
          unconfirmed += 1;
          expect(got, m.email).toBeLessThanOrEqual(1);
        } else {
          expect(recs[0]!.state, m.id).toBe('sent');
          expect(got, m.email).toBe(1);
        }
      }
      expect(stack.catcher.duplicates()).toEqual([]);
      // Every row ended with its digest: sent, or unconfirmed with it; none waits, none went alone.
      const { rows: ledger } = await stack.db.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from deliveries where alert_id = any($1::text[]) group by status order by status`,
        [alertIds],
      );
      const expected = [
        { status: 'sent', n: (CONTACTS - unconfirmed) * ALERTS },
        ...(unconfirmed > 0 ? [{ status: 'unconfirmed', n: unconfirmed * ALERTS }] : []),
      ].sort((a, b) => a.status.localeCompare(b.status));
      expect(ledger).toEqual(expected);
      expect(totals.sent).toBe(CONTACTS - unconfirmed);
      expect(totals.unconfirmed).toBe(unconfirmed);
      log(`${CONTACTS - unconfirmed} digests sent once, ${unconfirmed} reported unconfirmed`);
    },
  );
});

/** The stack's list members with their addresses, from the sandbox CRM the stack seeded. */
async function contactsOf(s: ChaosStack): Promise<{ id: string; email: string }[]> {
  const crm = s.rapport.crm;
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await crm.getListMemberships(s.listIds[0]!, after, 250);
    ids.push(...page.results);
    after = page.after;
  } while (after);
  const out: { id: string; email: string }[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    for (const c of await crm.getContacts(ids.slice(i, i + 100))) if (c.email) out.push({ id: c.id, email: c.email });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
