import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildAlertEmail } from '../../../channels/email/alert-email.js';
import { EmailSendError } from '../../../channels/email/send-errors.js';
import type { EmailSender } from '../../../channels/email/sender.js';
import { alertRequestSchema } from '../../../domain/broadcast/alert-request.js';
import { createAlertStore, type AlertRow } from '../../../store/alerts.js';
import type { Db } from '../../../store/db.js';
import { createDeliveryStore, type DeliveryStore } from '../../../store/deliveries.js';
import { dispatchBatch, WORKER_SHUTDOWN } from '../../../workflows/broadcast/dispatch.js';
import { testDb } from '../../../testkit/db.js';
import { emailDelivery } from './support.js';

let db: Db;
let deliveries: DeliveryStore;
let alert: AlertRow;

const SENDER = {
  from: 'alerts@bank.example',
  replyDomain: 'reply.bank.example',
  publicUrl: 'https://rapport.bank.example',
};

/** Records every send; `failOn` throws a temporary SMTP error for that address once. */
function fakeMail(failOn?: string) {
  const sent: string[] = [];
  let failed = false;
  const mail = {
    target: 'fake',
    compose: (input) => buildAlertEmail({ ...input, sender: SENDER }),
    async send(message) {
      const to = (message.to as { address: string }).address;
      if (to === failOn && !failed) {
        failed = true;
        throw new EmailSendError('SMTP_TEMPORARY', 'connection refused', {});
      }
      sent.push(to);
      return { accepted: true, messageId: String(message.messageId), response: '250 ok', permanent: false };
    },
    verify: async () => true as const,
    close: () => undefined,
  } satisfies EmailSender;
  return { mail, sent };
}

const delivery = (i: number) =>
  emailDelivery(String(1000 + i), `c${i}@customer.example`, `token${String(i).padStart(6, '0')}`);

const run = (mail: EmailSender) =>
  new MockActivityEnvironment().run(() =>
    dispatchBatch({ deliveries, mail, secret: 'secret', limiters: { email: async () => undefined } }, alert, 0, 500),
  );

beforeAll(async () => {
  db = await testDb();
  deliveries = createDeliveryStore(db);
  alert = await createAlertStore(db).insert('alr_01jcrashsafety0000000000000', {
    ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
    channels: ['email' as const],
  });
  await deliveries.replaceAudience(alert.id, [1, 2, 3, 4, 5].map(delivery), []);
});
afterAll(async () => {
  await db?.close();
});

describe('the delivery ledger across crashes', () => {
  it('reports a row a dead worker left "sending" as unconfirmed and never resends it', async () => {
    // What a worker that died between the claim and the SMTP answer leaves behind.
    await deliveries.claim(alert.id, '1002');

    // The retry hits a refused connection on c4 first: c4 goes back to pending, the attempt fails.
    const first = fakeMail('c4@customer.example');
    await expect(run(first.mail)).rejects.toThrow(/connection refused/);
    expect(first.sent).toEqual(['c1@customer.example', 'c3@customer.example']);
    expect((await deliveries.get(alert.id, '1004'))?.status).toBe('pending');

    // The next attempt sends only what is still pending.
    const second = fakeMail();
    const outcome = await run(second.mail);
    expect(second.sent).toEqual(['c4@customer.example', 'c5@customer.example']);
    expect(outcome).toMatchObject({ sent: 2, unconfirmed: 0 });

    const counts = await deliveries.counts(alert.id);
    expect(counts).toMatchObject({ sent: 4, unconfirmed: 1, sending: 0, pending: 0 });
    expect((await deliveries.get(alert.id, '1002'))?.status).toBe('unconfirmed');

    // And once more: nothing left to send.
    const third = fakeMail();
    await run(third.mail);
    expect(third.sent).toEqual([]);
  });
});

describe('lanes sharing ledger statements', () => {
  it('records outcomes and claims of concurrent lanes, and lets only one of two racing claims hold', async () => {
    const other = await createAlertStore(db).insert('alr_01jgroupcommit0000000000000', {
      ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
      channels: ['email' as const],
    });
    await deliveries.replaceAudience(other.id, [11, 12, 13, 14].map(delivery), []);
    await deliveries.claim(other.id, '1011');

    // Issued in one turn, so they share statements: a lane finishing 1011 and claiming 1012,
    // two attempts racing for 1013, and a claim of 1014.
    const results = await Promise.all([
      deliveries.finishAndClaim(
        other.id,
        { contactId: '1011', status: 'sent', channel: 'email', messageId: '<m1011@x>' },
        '1012',
      ),
      deliveries.finishAndClaim(other.id, null, '1013'),
      deliveries.finishAndClaim(other.id, null, '1013'),
      deliveries.finishAndClaim(other.id, null, '1014'),
    ]);
    expect(results[0]).toBe(true);
    expect([results[1], results[2]].sort()).toEqual([false, true]);
    expect(results[3]).toBe(true);

    const row = (id: string) => deliveries.get(other.id, id);
    expect(await row('1011')).toMatchObject({ status: 'sent', messageId: '<m1011@x>', sentChannel: 'email' });
    expect((await row('1011'))?.sentAt).not.toBeNull();
    for (const id of ['1012', '1013', '1014']) expect(await row(id)).toMatchObject({ status: 'sending', attempts: 1 });

    // An outcome alone, for a row of another alert in the same statement as this one's.
    await Promise.all([
      deliveries.finishAndClaim(
        other.id,
        { contactId: '1012', status: 'bounced', channel: 'email', error: '550' },
        null,
      ),
      deliveries.finishAndClaim(alert.id, null, '1001'),
    ]);
    expect(await row('1012')).toMatchObject({ status: 'bounced', lastError: '550' });
  });
});

describe('a send that failed while the alert was being cancelled', () => {
  it('is not put back to pending for the next attempt to send after the cancel', async () => {
    const other = await createAlertStore(db).insert('alr_01jcancelrace00000000000000', {
      ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
      channels: ['email' as const],
    });
    await deliveries.replaceAudience(other.id, [21, 22, 23].map(delivery), []);
    await deliveries.claim(other.id, '1021');
    // The cancel takes the pending rows while 1021's send is on the wire; then the server says 451.
    await deliveries.cancelPending(other.id);
    await deliveries.release(other.id, '1021', '451 try later');
    expect(await deliveries.get(other.id, '1021')).toMatchObject({ status: 'cancelled', lastError: '451 try later' });
    expect(await deliveries.pendingInBatch(other.id, 0, 500)).toEqual([]);

    // Without a cancel, the same failure goes back to pending for the retry.
    const open = await createAlertStore(db).insert('alr_01jreleaseopen0000000000000', {
      ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
      channels: ['email' as const],
    });
    await deliveries.replaceAudience(open.id, [31, 32].map(delivery), []);
    await deliveries.claim(open.id, '1031');
    await deliveries.release(open.id, '1031', '451 try later');
    expect(await deliveries.get(open.id, '1031')).toMatchObject({ status: 'pending' });
  });
});

describe('a worker that stops during a batch', () => {
  /**
   * A mail sender with one connection per send, whose sends wait until let go once on it;
   * `started` are those handed to a connection and let through by onConnection.
   */
  function heldMail() {
    const started: string[] = [];
    const waiting: (() => void)[] = [];
    const mail = {
      target: 'held',
      compose: (input) => buildAlertEmail({ ...input, sender: SENDER }),
      async send(message, options) {
        if (options?.onConnection && !(await options.onConnection()))
          throw new EmailSendError('SMTP_WITHDRAWN', 'withdrawn', {});
        started.push((message.to as { address: string }).address);
        await new Promise<void>((resolve) => waiting.push(resolve));
        return { accepted: true, messageId: String(message.messageId), response: '250 ok', permanent: false };
      },
      verify: async () => true as const,
      close: () => undefined,
    } satisfies EmailSender;
    const letGo = () => waiting.splice(0).forEach((resolve) => resolve());
    return { mail, started, letGo };
  }

  async function alertOf(id: string, size: number, from: number): Promise<AlertRow> {
    const row = await createAlertStore(db).insert(id, {
      ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
      channels: ['email' as const],
    });
    await deliveries.replaceAudience(
      row.id,
      Array.from({ length: size }, (_, i) => delivery(from + i)),
      [],
    );
    return row;
  }

  it('draining: claims nothing more, finishes the sends in flight, and fails the attempt for another worker', async () => {
    const draining = new AbortController();
    const row = await alertOf('alr_01jdrainingworker000000000', 60, 100);
    const { mail, started, letGo } = heldMail();
    const attempt = new MockActivityEnvironment().run(() =>
      dispatchBatch(
        { deliveries, mail, secret: 'secret', limiters: { email: async () => undefined }, draining: draining.signal },
        row,
        0,
        500,
      ),
    );
    await vi.waitFor(() => expect(started.length).toBeGreaterThan(0));
    const inFlight = started.length;
    draining.abort();
    letGo();
    await expect(attempt).rejects.toMatchObject({ type: WORKER_SHUTDOWN, nonRetryable: false });
    expect(started).toHaveLength(inFlight);
    expect(await deliveries.counts(row.id)).toMatchObject({ sent: inFlight, sending: 0, pending: 60 - inFlight });
  });

  it('cancelled by Temporal (the grace ran out): ends at once, leaving the sends in flight to be reported', async () => {
    const row = await alertOf('alr_01jcancelledattempt0000000', 60, 200);
    const { mail, started, letGo } = heldMail();
    const env = new MockActivityEnvironment();
    const attempt = env.run(() =>
      dispatchBatch({ deliveries, mail, secret: 'secret', limiters: { email: async () => undefined } }, row, 0, 500),
    );
    await vi.waitFor(() => expect(started.length).toBeGreaterThan(0));
    const inFlight = started.length;
    env.cancel('WORKER_SHUTDOWN');
    await expect(attempt).rejects.toThrow();
    expect(await deliveries.counts(row.id)).toMatchObject({ sending: inFlight, pending: 60 - inFlight });
    // The sends it walked away from still finish and are recorded; nothing new is claimed.
    letGo();
    await vi.waitFor(async () => expect(await deliveries.counts(row.id)).toMatchObject({ sent: inFlight }));
    expect(started).toHaveLength(inFlight);
  });
});
