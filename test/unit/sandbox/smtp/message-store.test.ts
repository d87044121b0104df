import { describe, expect, it } from 'vitest';
import type { CaughtMessage } from '../../../../sandbox/smtp/caught-message.js';
import { MessageStore } from '../../../../sandbox/smtp/message-store.js';

let seq = 0;
function message(overrides: Partial<CaughtMessage> = {}): CaughtMessage {
  seq += 1;
  return {
    id: `01M00000000000000000000${String(seq).padStart(3, '0')}`,
    receivedAt: new Date(0).toISOString(),
    envelopeFrom: 'alerts@bank.example',
    recipients: ['joe@customer.example'],
    subject: `message ${seq}`,
    from: 'alerts@bank.example',
    to: 'joe@customer.example',
    size: 10,
    ...overrides,
  };
}

describe('catcher message store', () => {
  it('counts per recipient and per Message-ID', () => {
    const store = new MessageStore({ keepBodies: true });
    store.add(message({ messageId: '<m1@x>', recipients: ['joe@customer.example'] }));
    store.add(message({ messageId: '<m1@x>', recipients: ['joe@customer.example', 'ann@customer.example'] }));
    expect(store.count()).toBe(2);
    expect(store.recipientCount('JOE@customer.example')).toBe(2);
    expect(store.recipientCount('ann@customer.example')).toBe(1);
    expect(store.recipientCount('nobody@customer.example')).toBe(0);
    expect(store.messageIdCount('<m1@x>')).toBe(2);
    expect(store.messageIdCount('m1@x')).toBe(2);
  });

  it('reports recipients that got the same alert more than once', () => {
    const store = new MessageStore({ keepBodies: false });
    const first = message({ alertId: 'A1', contactId: 'c1', recipients: ['joe@customer.example'] });
    const again = message({ alertId: 'A1', contactId: 'c1', recipients: ['joe@customer.example'] });
    store.add(first);
    store.add(message({ alertId: 'A2', contactId: 'c1', recipients: ['joe@customer.example'] }));
    store.add(message({ alertId: 'A1', contactId: 'c2', recipients: ['ann@customer.example'] }));
    store.add(message({ recipients: ['joe@customer.example'] }));
    expect(store.duplicates()).toEqual([]);
    store.add(again);
    expect(store.duplicates()).toEqual([
      { alertId: 'A1', recipient: 'joe@customer.example', count: 2, ids: [first.id, again.id] },
    ]);
  });

  it('does not count staff notices of an alert (approval requests of each version, requester notices) as duplicates', () => {
    const store = new MessageStore({ keepBodies: false });
    // Notices name the alert but no contact.
    for (const subject of ['Approval needed (v1)', 'Approval needed (v2)', 'Reminder', 'Changes requested', 'Summary'])
      store.add(message({ alertId: 'A1', subject, recipients: ['approver@bank.example'] }));
    store.add(message({ alertId: 'A1', subject: 'Summary', recipients: ['analyst@bank.example'] }));
    store.add(message({ alertId: 'A1', subject: 'Answered', recipients: ['analyst@bank.example'] }));
    store.add(message({ alertId: 'A1', contactId: 'c1', recipients: ['joe@customer.example'] }));
    expect(store.duplicates()).toEqual([]);
  });

  it('lists newest first, pages, and searches recipients', () => {
    const store = new MessageStore({ keepBodies: false });
    const all = Array.from({ length: 5 }, (_, i) =>
      message({ recipients: [i % 2 ? 'odd@customer.example' : 'even@customer.example'] }),
    );
    all.forEach((m) => store.add(m));
    expect(store.list({ limit: 2, offset: 0 }).messages.map((m) => m.id)).toEqual([all[4]?.id, all[3]?.id]);
    expect(store.list({ limit: 2, offset: 4 }).messages.map((m) => m.id)).toEqual([all[0]?.id]);
    expect(store.list({ limit: 2, offset: 9 }).messages).toEqual([]);
    expect(store.list({ to: 'ODD@customer.example', limit: 10, offset: 0 })).toMatchObject({ total: 2 });
    expect(store.list({ to: 'even', limit: 10, offset: 0 }).total).toBe(3);
    expect(store.messages()[0]?.id).toBe(all[4]?.id);
    expect(store.forRecipient('odd@customer.example').map((m) => m.id)).toEqual([all[3]?.id, all[1]?.id]);
  });

  it('keeps only as many bodies as asked', () => {
    const store = new MessageStore({ keepBodies: 2 });
    const all = Array.from({ length: 3 }, () => message());
    all.forEach((m) => store.add(m, Buffer.from(m.id)));
    expect(store.body(all[0]?.id ?? '')).toBeUndefined();
    expect(store.body(all[2]?.id ?? '')?.toString()).toBe(all[2]?.id);
    const none = new MessageStore({ keepBodies: false });
    none.add(all[0] as CaughtMessage, Buffer.from('x'));
    expect(none.body(all[0]?.id ?? '')).toBeUndefined();
  });

  it('wakes waiters once enough messages arrived, and clears everything', async () => {
    const store = new MessageStore({ keepBodies: true });
    const waiting = store.waitForCount(2);
    store.add(message({ alertId: 'A', messageId: '<a@x>' }));
    store.add(message({ alertId: 'A', messageId: '<a@x>' }));
    await waiting;
    expect(store.clear()).toBe(2);
    expect([store.count(), store.duplicates().length, store.messageIdCount('<a@x>')]).toEqual([0, 0, 0]);
  });
});
