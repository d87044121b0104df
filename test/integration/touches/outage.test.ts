import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';

let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport();
});
afterAll(async () => {
  await t?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('200 touches posted while HubSpot answers 503 for 30 s and then 429 for 30 s: all land, none twice', async () => {
  const contacts = Object.values(DEMO)
    .map((c) => c.email)
    .filter((email) => /^[^@\s]+@[^@\s]+\.[a-z]+$/i.test(email));
  const channels = ['call', 'email', 'meeting', 'chat', 'visit', 'other'] as const;
  const run = Date.now().toString(36);

  t.sandbox.faults.set({ status: 503, durationMs: 30_000 });
  const outageStarted = Date.now();

  const ids: string[] = [];
  for (let i = 0; i < 200; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: 20 }, async (_, j) => {
        const n = i + j;
        const res = await t.api('/api/touches', {
          method: 'POST',
          json: {
            contact: { email: contacts[n % contacts.length] },
            channel: channels[n % channels.length],
            summary: `Outage touch ${n}`,
            loggedBy: 'ana@rapport.example',
            idempotencyKey: `outage-${run}-${n}`,
          },
        });
        expect(res.status).toBe(202);
        return ((await res.json()) as { id: string }).id;
      }),
    );
    ids.push(...batch);
  }
  expect(new Set(ids).size).toBe(200);

  // While the CRM is down the touches wait, visibly, with the reason.
  const waiting = (await (await t.api(`/api/touches/${ids[0]}`)).json()) as { status: string };
  expect(waiting.status).toBe('pending');

  await sleep(Math.max(0, 30_000 - (Date.now() - outageStarted)));
  t.sandbox.faults.set({ status: 429, retryAfterSeconds: 2, durationMs: 30_000 });
  await sleep(30_000);
  expect(t.sandbox.stats().faultsInjected).toBeGreaterThan(0);

  await eventually(
    async () => {
      const { rows } = await t.db.query<{ n: string }>(
        `select count(*)::text as n from touches where status = 'synced' and id = any($1)`,
        [ids],
      );
      return Number(rows[0]?.n) === 200 ? true : undefined;
    },
    180_000,
    1000,
  );

  // Exactly one engagement per touch in the CRM itself.
  const keys = new Map<string, number>();
  for (const type of ['notes', 'calls', 'emails', 'meetings'] as const) {
    for (const record of t.sandbox.records(type)) {
      const key = record.properties.rapport_idempotency_key;
      if (key && ids.includes(key)) keys.set(key, (keys.get(key) ?? 0) + 1);
    }
  }
  expect(keys.size).toBe(200);
  expect([...keys.values()].filter((n) => n > 1)).toEqual([]);
}, 330_000);
