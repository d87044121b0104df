/**
 * The send thread's own ledger connection (ThreadedEmailSenderOptions.ledger): a gated send that
 * names its ledger row is claimed on the send thread when its message is on a connection (the
 * composing thread's onConnection is not asked), the message's end waits for that claim, the
 * claim's answer reaches the row's `claimed`, and an accepted message's 'sent' outcome is written
 * there too. A row no longer pending is not sent. A thread that dies leaves the ledger as the truth:
 * a claimed row stays 'sending', a queued one pending. A ledger that cannot be reached changes
 * nothing: onConnection is asked as before.
 * Real parts: PostgreSQL (DATABASE_URL, else a throw-away cluster) with Rapport's migrations, the
 * send thread with nodemailer's pool (one connection), the SMTP catcher.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LedgerRow } from '../../../channels/adapter.js';
import { createThreadedEmailSender, type ThreadedEmailSender } from '../../../channels/email/threaded-sender.js';
import { alertRequestSchema } from '../../../domain/broadcast/alert-request.js';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { createAlertStore } from '../../../store/alerts.js';
import { openDb, type Db } from '../../../store/db.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { migrate } from '../../../store/migrations.js';
import { freePort } from '../../../workflows/temporal/free-port.js';
import { scratchPostgres, type ScratchPostgres } from '../../../testkit/postgres.js';
import { emailDelivery } from '../broadcast/support.js';
import { alertFor, SENDER } from './support.js';

const ONE_CONNECTION = { maxConnections: 1, maxMessages: 100 };
const TIMEOUTS = { connectMs: 2000, greetingMs: 2000 };

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

let pg: ScratchPostgres;
let db: Db;
let catcher: SmtpCatcher;
let alertSeq = 0;

beforeAll(async () => {
  pg = await scratchPostgres();
  db = await openDb({ databaseUrl: pg.url, schema: `test_${randomBytes(6).toString('hex')}` });
  await migrate(db);
  catcher = await startSmtpCatcher();
});
afterAll(async () => {
  await db?.close();
  await pg?.stop();
  await catcher?.close();
});
afterEach(async () => {
  catcher.faults.reset();
  await catcher.faults.accepting();
  await catcher.clear();
});

/** An alert whose ledger has contacts c1..cN pending, as resolution leaves it. */
async function ledgerOf(n: number): Promise<string> {
  const id = `alr_thread${String(++alertSeq).padStart(4, '0')}${randomBytes(3).toString('hex')}`;
  await createAlertStore(db).insert(id, {
    ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
    channels: ['email' as const],
  });
  await createDeliveryStore(db).replaceAudience(
    id,
    Array.from({ length: n }, (_, i) => emailDelivery(`c${i + 1}`, `customer${i + 1}@customer.example`, `${id}-${i}`)),
    [],
  );
  return id;
}

async function rowOf(alertId: string, contactId: string) {
  const { rows } = await db.query<{ status: string; messageId: string | null; attempts: number }>(
    `select status, message_id as "messageId", attempts from deliveries where alert_id = $1 and contact_id = $2`,
    [alertId, contactId],
  );
  return rows[0]!;
}

/** A row for the send thread to claim, remembering the claim's answer (or its failure). */
function ledgerRow(alertId: string, contactId: string, recordSent = true) {
  const answers: (boolean | Error)[] = [];
  const row: LedgerRow = {
    alertId,
    contactId,
    recordSent,
    claimed: (held) =>
      void held.then(
        (h) => answers.push(h),
        (e: Error) => answers.push(e),
      ),
  };
  return { row, answers };
}

describe('a send thread with its own ledger connection', () => {
  let sender: ThreadedEmailSender;
  beforeAll(() => {
    sender = createThreadedEmailSender({
      ...SENDER,
      smtpUrl: catcher.smtpUrl,
      pool: ONE_CONNECTION,
      timeouts: TIMEOUTS,
      ledger: db.postgres!,
    });
  });
  afterAll(() => sender?.close());

  it('claims each row itself when its message is on the connection, then writes its sent outcome', async () => {
    catcher.faults.setLatency(300);
    const alertId = await ledgerOf(3);
    const asked: number[] = [];
    const rows = [1, 2, 3].map((i) => ledgerRow(alertId, `c${i}`));
    const messages = [1, 2, 3].map((i) => sender.compose(alertFor(i, alertId)));
    const sends = messages.map((message, i) =>
      sender
        .send(message, { onConnection: async () => (asked.push(i), true), ledgerRow: rows[i]!.row })
        .then((result) => ({ result, messageId: message.messageId })),
    );
    // The first is on the connection, claimed, and waits for the server's answer; the others queue.
    await vi.waitFor(async () => expect((await rowOf(alertId, 'c1')).status).toBe('sending'), { timeout: 10_000 });
    expect((await rowOf(alertId, 'c2')).status).toBe('pending');
    expect(catcher.messageIdCount(messages[0]!.messageId)).toBe(0);

    const done = await Promise.all(sends);
    expect(done.map((d) => d.result.recorded)).toEqual([true, true, true]);
    expect(asked).toEqual([]);
    expect(rows.map((r) => r.answers)).toEqual([[true], [true], [true]]);
    for (const [i, d] of done.entries()) {
      expect(await rowOf(alertId, `c${i + 1}`)).toEqual({ status: 'sent', messageId: d.messageId, attempts: 1 });
      expect(catcher.messageIdCount(d.messageId)).toBe(1);
    }
  });

  it('leaves the outcome to the caller when not asked to record it: the row stays sending', async () => {
    const alertId = await ledgerOf(1);
    const { row, answers } = ledgerRow(alertId, 'c1', false);
    const result = await sender.send(sender.compose(alertFor(1, alertId)), {
      onConnection: async () => true,
      ledgerRow: row,
    });
    expect(result).toMatchObject({ accepted: true });
    expect(result.recorded).toBeUndefined();
    expect(answers).toEqual([true]);
    expect((await rowOf(alertId, 'c1')).status).toBe('sending');
  });

  it('withdraws a message whose row is no longer pending: nothing arrives, the row is untouched', async () => {
    const alertId = await ledgerOf(2);
    await db.query(`update deliveries set status = 'cancelled' where alert_id = $1 and contact_id = 'c1'`, [alertId]);
    const { row, answers } = ledgerRow(alertId, 'c1');
    const withdrawn = sender.compose(alertFor(1, alertId));
    const refused = await failureOf(sender.send(withdrawn, { onConnection: async () => true, ledgerRow: row }));
    expect(refused).toMatchObject({ code: 'SMTP_WITHDRAWN' });
    expect(answers).toEqual([false]);
    expect((await rowOf(alertId, 'c1')).status).toBe('cancelled');
    // The pool goes on with the next.
    const next = ledgerRow(alertId, 'c2');
    await expect(
      sender.send(sender.compose(alertFor(2, alertId)), { onConnection: async () => true, ledgerRow: next.row }),
    ).resolves.toMatchObject({ accepted: true, recorded: true });
    expect(catcher.messageIdCount(withdrawn.messageId)).toBe(0);
  });

  it('dies with a claimed row on the connection: that row stays sending, the queued one pending', async () => {
    catcher.faults.setLatency(2000);
    const alertId = await ledgerOf(2);
    const first = ledgerRow(alertId, 'c1');
    const second = ledgerRow(alertId, 'c2');
    const onWire = failureOf(
      sender.send(sender.compose(alertFor(1, alertId)), { onConnection: async () => true, ledgerRow: first.row }),
    );
    const queued = failureOf(
      sender.send(sender.compose(alertFor(2, alertId)), { onConnection: async () => true, ledgerRow: second.row }),
    );
    await vi.waitFor(async () => expect((await rowOf(alertId, 'c1')).status).toBe('sending'), { timeout: 10_000 });
    await sender.terminateThread();
    // Neither answer came back: each may have gone out as far as this thread knows; the ledger knows better.
    expect(await onWire).toMatchObject({ code: 'SMTP_OUTCOME_UNKNOWN' });
    expect(await queued).toMatchObject({ code: 'SMTP_OUTCOME_UNKNOWN' });
    for (const { answers } of [first, second])
      expect(answers).toEqual([expect.objectContaining({ code: 'SMTP_OUTCOME_UNKNOWN' })]);
    expect((await rowOf(alertId, 'c1')).status).toBe('sending');
    expect((await rowOf(alertId, 'c2')).status).toBe('pending');

    catcher.faults.setLatency(0);
    const again = ledgerRow(alertId, 'c2');
    await expect(
      sender.send(sender.compose(alertFor(2, alertId)), { onConnection: async () => true, ledgerRow: again.row }),
    ).resolves.toMatchObject({ accepted: true, recorded: true });
    expect((await rowOf(alertId, 'c2')).status).toBe('sent');
  });
});

describe('a send thread whose ledger cannot be reached', () => {
  it('asks onConnection as without a ledger, and delivers', async () => {
    const nowhere = `postgres://rapport@127.0.0.1:${await freePort()}/nowhere`;
    const sender = createThreadedEmailSender({
      ...SENDER,
      smtpUrl: catcher.smtpUrl,
      pool: ONE_CONNECTION,
      timeouts: TIMEOUTS,
      ledger: { url: nowhere },
    });
    try {
      const alertId = await ledgerOf(1);
      const { row, answers } = ledgerRow(alertId, 'c1');
      let asked = 0;
      const message = sender.compose(alertFor(1, alertId));
      const result = await sender.send(message, {
        onConnection: async () => (asked++, true),
        ledgerRow: row,
      });
      expect(result).toMatchObject({ accepted: true });
      expect(result.recorded).toBeUndefined();
      expect(asked).toBe(1);
      expect(answers).toEqual([]);
      expect(catcher.messageIdCount(message.messageId)).toBe(1);
      expect((await rowOf(alertId, 'c1')).status).toBe('pending');
    } finally {
      sender.close();
    }
  });
});
