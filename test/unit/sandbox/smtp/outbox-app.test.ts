import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { CaughtMessage } from '../../../../sandbox/smtp/caught-message.js';
import { MessageStore } from '../../../../sandbox/smtp/message-store.js';
import { createOutboxApp, type OutboxSource } from '../../../../sandbox/smtp/index.js';

const ID = '01M00000000000000000000001';

function source(): OutboxSource {
  const store = new MessageStore({ keepBodies: true });
  const message: CaughtMessage = {
    id: ID,
    receivedAt: '2026-11-24T00:00:00.000Z',
    envelopeFrom: 'alerts@bank.example',
    recipients: ['joe@customer.example'],
    subject: 'Hello',
    from: 'alerts@bank.example',
    to: 'joe@customer.example',
    size: 1,
  };
  store.add(message);
  return {
    list: (q) => store.list(q),
    get: (id) => store.get(id),
    raw: () => Promise.resolve(undefined),
    parsed: () => Promise.resolve(undefined),
    clear: () => Promise.resolve(store.clear()),
    count: () => store.count(),
    duplicates: () => store.duplicates(),
  };
}

describe('outbox app', () => {
  it('can be mounted under a path and links stay under it', async () => {
    const app = new Hono().route('/outbox', createOutboxApp(source()));
    const res = await app.request('/outbox');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`href="/outbox/messages/${ID}"`);
    expect(html).toContain('action="/outbox"');
    const view = await app.request(`/outbox/messages/${ID}`);
    expect(await view.text()).toContain('href="/outbox"');
    const api = await app.request('/outbox/api/messages?to=joe');
    expect(await api.json()).toMatchObject({ total: 1, messages: [{ id: ID }] });
  });

  it('answers bad input with 4xx, never 500', async () => {
    const app = createOutboxApp(source());
    expect((await app.request('/api/messages?limit=abc')).status).toBe(400);
    expect((await app.request('/api/messages?offset=-1')).status).toBe(400);
    expect((await app.request('/?limit=5000')).status).toBe(400);
    expect((await app.request('/api/messages/x')).status).toBe(404);
    expect((await app.request('/messages/x/raw')).status).toBe(404);
    expect((await app.request(`/messages/${ID}/raw`)).status).toBe(404);
  });
});
