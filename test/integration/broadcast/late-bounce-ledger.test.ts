import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../../channels/adapter.js';
import { ChannelSendError } from '../../../channels/send-error.js';
import type { EmailSender } from '../../../channels/email/sender.js';
import { alertRequestSchema } from '../../../domain/broadcast/alert-request.js';
import { createAlertStore, type AlertRow } from '../../../store/alerts.js';
import type { Db } from '../../../store/db.js';
import { createDeliveryStore, type DeliveryStore } from '../../../store/deliveries.js';
import { testDb } from '../../../testkit/db.js';
import { fallbackAfterLateBounce } from '../../../workflows/broadcast/late-bounce.js';
import { emailDelivery } from './support.js';

let db: Db;
let deliveries: DeliveryStore;
let alert: AlertRow;

/** The SMS channel as the fallback sees it; `next` scripts what the next send does (once). */
function scriptedSms() {
  const texted: string[] = [];
  let next: 'ok' | 'refuse' | 'temporary' | 'unknown' = 'ok';
  const adapter: ChannelAdapter = {
    channel: 'sms',
    async send(_alert, recipient) {
      const what = next;
      next = 'ok';
      if (what === 'temporary') throw new ChannelSendError('SMS_TEMPORARY', 'provider 503');
      if (what === 'unknown') throw new ChannelSendError('SMS_OUTCOME_UNKNOWN', 'no answer within 10 s');
      if (what === 'refuse') return { status: 'bounced', channel: 'sms', error: 'unreachable (21610)' };
      texted.push(recipient.address);
      return { status: 'sent', channel: 'sms', messageId: `SM${texted.length}` };
    },
  };
  return { adapter, texted, then: (what: typeof next) => (next = what) };
}

const noMail = {} as EmailSender;

function fallback(sms: ReturnType<typeof scriptedSms>, contactId: string, retry = false) {
  return new MockActivityEnvironment().run(() =>
    fallbackAfterLateBounce(
      { deliveries, mail: noMail, channels: { sms: sms.adapter }, secret: 'secret', limiters: {} },
      alert,
      contactId,
      '550 5.1.1 user unknown',
      retry,
    ),
  );
}

/** A row emailed and accepted, with SMS as its fallback. */
async function sentByEmail(contactId: string) {
  await deliveries.claim(alert.id, contactId);
  await deliveries.finishAndClaim(alert.id, { contactId, status: 'sent', channel: 'email' }, null);
}

beforeAll(async () => {
  db = await testDb();
  deliveries = createDeliveryStore(db);
  alert = await createAlertStore(db).insert('alr_01jlatebounce00000000000000', {
    ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
    channels: ['email', 'sms'],
  });
  const rows = [1, 2, 3, 4, 5, 6].map((i) => ({
    ...emailDelivery(String(100 + i), `c${i}@customer.example`, `late${String(i).padStart(6, '0')}`),
    // The sixth has no fallback.
    ...(i < 6 ? { fallbackChannel: 'sms' as const, fallbackAddress: `+1617555010${i}` } : {}),
  }));
  await deliveries.replaceAudience(alert.id, rows, []);
  for (const row of rows) await sentByEmail(row.contactId);
});
afterAll(async () => {
  await db?.close();
});

describe('the fallback try after a DSN, in the ledger', () => {
  it('is made once, and a second DSN or a retry makes none', async () => {
    const sms = scriptedSms();
    expect(await fallback(sms, '101')).toBe('sent');
    expect(await fallback(sms, '101')).toBe('none');
    expect(await fallback(sms, '101', true)).toBe('none');
    expect(sms.texted).toEqual(['+16175550101']);
    expect(await deliveries.get(alert.id, '101')).toMatchObject({
      status: 'sent',
      sentChannel: 'sms',
      emailBounced: true,
      messageId: 'SM1',
    });
  });

  it('puts the claim back on a temporary failure, so the retry sends it', async () => {
    const sms = scriptedSms();
    sms.then('temporary');
    await expect(fallback(sms, '102')).rejects.toThrow(/provider 503/);
    expect(await deliveries.get(alert.id, '102')).toMatchObject({ status: 'bounced', emailBounced: false });
    expect(await fallback(sms, '102', true)).toBe('sent');
    expect(sms.texted).toEqual(['+16175550102']);
  });

  it('never repeats a send that may have arrived', async () => {
    const sms = scriptedSms();
    sms.then('unknown');
    expect(await fallback(sms, '103')).toBe('unconfirmed');
    expect(await fallback(sms, '103', true)).toBe('none');
    expect(sms.texted).toEqual([]);
    expect((await deliveries.get(alert.id, '103'))?.status).toBe('unconfirmed');
  });

  it('reports unconfirmed the claim of an attempt whose worker died, on its retry only', async () => {
    const sms = scriptedSms();
    // What a worker that died after the claim leaves: the row held, email_bounced set.
    await deliveries.markBounced(alert.id, '104', 'DSN');
    expect(await deliveries.claimLateFallback(alert.id, '104')).not.toBeNull();
    // Another DSN's first try leaves the claim alone (it may still be sending).
    expect(await fallback(sms, '104')).toBe('none');
    expect((await deliveries.get(alert.id, '104'))?.status).toBe('sending');
    expect(await fallback(sms, '104', true)).toBe('unconfirmed');
    expect(sms.texted).toEqual([]);
  });

  it('keeps the bounce when the fallback refuses too, and tries nothing without a fallback', async () => {
    const sms = scriptedSms();
    sms.then('refuse');
    expect(await fallback(sms, '105')).toBe('failed');
    const row = await deliveries.get(alert.id, '105');
    expect(row).toMatchObject({ status: 'bounced', emailBounced: true });
    expect(row?.lastError).toContain('fallback sms: unreachable (21610)');
    expect(await fallback(sms, '105')).toBe('none');

    expect(await fallback(sms, '106')).toBe('none');
    expect((await deliveries.get(alert.id, '106'))?.status).toBe('bounced');
    expect(sms.texted).toEqual([]);
  });

  it('counts the row as sent again once the fallback reached the contact', async () => {
    expect(await deliveries.counts(alert.id)).toMatchObject({ sent: 2, bounced: 2, unconfirmed: 2, sending: 0 });
  });
});
