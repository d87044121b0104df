import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCatcher, type SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { plainTransport } from './support.js';

function tryConnect(port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

const mail = (to: string, extra: Record<string, unknown> = {}) => ({
  from: 'Alerts <alerts@bank.example>',
  to,
  subject: 'Hello',
  text: 'plain body',
  html: '<p>html body</p>',
  ...extra,
});

describe('SMTP catcher', () => {
  let catcher: SmtpCatcher;
  beforeAll(async () => {
    catcher = await startSmtpCatcher();
  });
  afterEach(async () => {
    catcher.faults.reset();
    await catcher.faults.accepting();
    await catcher.clear();
  });
  afterAll(async () => {
    await catcher?.close();
  });

  it('accepts any mail, with or without AUTH, and keeps it parsed on demand', async () => {
    const anonymous = plainTransport(catcher);
    const authed = plainTransport(catcher, { user: 'anyone', pass: 'anything' });
    const info = await anonymous.sendMail(mail('Joe@Customer.example', { headers: { 'X-Rapport-Alert-Id': 'A1' } }));
    await authed.sendMail(mail('ann@customer.example'));
    anonymous.close();
    authed.close();

    expect(info.response).toMatch(/^250 Accepted as [0-9A-Z]{26}$/);
    expect(catcher.count()).toBe(2);
    const [joe] = catcher.byRecipient('joe@customer.example');
    expect(joe).toMatchObject({
      recipients: ['joe@customer.example'],
      subject: 'Hello',
      alertId: 'A1',
      envelopeFrom: 'alerts@bank.example',
    });
    expect(joe?.messageId).toBe(info.messageId);
    const parsed = await catcher.parsed(joe?.id ?? '');
    expect(parsed?.text?.trim()).toBe('plain body');
    expect(parsed?.html).toContain('<p>html body</p>');
    expect(catcher.messages().map((m) => m.recipients[0])).toEqual(['ann@customer.example', 'joe@customer.example']);
  });

  it('serves the outbox JSON API: list newest first, search, view, delete', async () => {
    const transport = plainTransport(catcher);
    for (const to of ['a@customer.example', 'b@customer.example', 'a@customer.example'])
      await transport.sendMail(mail(to));
    transport.close();

    const list = (await (await fetch(`${catcher.url}api/messages`)).json()) as {
      total: number;
      messages: { id: string }[];
    };
    expect(list.total).toBe(3);
    expect(list.messages.map((m) => m.id)).toEqual(catcher.messages().map((m) => m.id));
    const search = (await (await fetch(`${catcher.url}api/messages?to=a@customer.example`)).json()) as {
      total: number;
    };
    expect(search.total).toBe(2);

    const id = list.messages[0]?.id ?? '';
    const one = (await (await fetch(`${catcher.url}api/messages/${id}`)).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ id, subject: 'Hello', bodyKept: true });
    expect(String(one.raw)).toContain('Subject: Hello');
    expect(one.headers).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'subject' })]));

    expect((await fetch(`${catcher.url}api/messages/01M0000000000000000000NONE`)).status).toBe(404);
    expect((await fetch(`${catcher.url}api/messages/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${catcher.url}api/messages?limit=0`)).status).toBe(400);

    const deleted = await fetch(`${catcher.url}api/messages`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ deleted: 3 });
    expect(catcher.count()).toBe(0);
  });

  it('renders the outbox page with message content escaped and the HTML body sandboxed', async () => {
    const transport = plainTransport(catcher);
    await transport.sendMail(
      mail('joe@customer.example', {
        from: '"<img src=x onerror=alert(1)>" <evil@evil.example>',
        subject: '<script>alert(2)</script>',
        html: '<p>hi</p><script>alert(3)</script>',
      }),
    );
    transport.close();
    const id = catcher.messages()[0]?.id ?? '';

    const list = await fetch(catcher.url);
    expect(list.headers.get('content-security-policy')).toContain("default-src 'none'");
    const listHtml = await list.text();
    expect(listHtml).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(listHtml).not.toMatch(/<script|<img/i);

    const view = await (await fetch(`${catcher.url}messages/${id}`)).text();
    expect(view).toMatch(/<iframe sandbox="" [^>]*srcdoc="&lt;p&gt;hi&lt;\/p&gt;&lt;script&gt;alert\(3\)/);
    expect(view).not.toMatch(/<script|<img/i);
    const raw = await fetch(`${catcher.url}messages/${id}/raw`);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(await raw.text()).toContain('alert(3)');
    expect((await fetch(`${catcher.url}messages/NOPE`)).status).toBe(404);
  });

  it('counts duplicates of the same alert per recipient', async () => {
    const transport = plainTransport(catcher);
    const same = {
      messageId: '<alert.A1.c1@bank.example>',
      headers: { 'X-Rapport-Alert-Id': 'A1', 'X-Rapport-Contact-Id': 'c1' },
    };
    await transport.sendMail(mail('joe@customer.example', same));
    await transport.sendMail(
      mail('ann@customer.example', { headers: { 'X-Rapport-Alert-Id': 'A1', 'X-Rapport-Contact-Id': 'c2' } }),
    );
    // A staff notice of the same alert, twice (approval requests of v1 and v2): not a customer duplicate.
    await transport.sendMail(mail('approver@bank.example', { headers: { 'X-Rapport-Alert-Id': 'A1' } }));
    await transport.sendMail(mail('approver@bank.example', { headers: { 'X-Rapport-Alert-Id': 'A1' } }));
    expect(catcher.duplicates()).toEqual([]);
    await transport.sendMail(mail('joe@customer.example', same));
    transport.close();
    expect(catcher.duplicates()).toEqual([
      expect.objectContaining({ alertId: 'A1', recipient: 'joe@customer.example', count: 2 }),
    ]);
    expect(catcher.messageIdCount('<alert.A1.c1@bank.example>')).toBe(2);
    expect(catcher.recipientCount('joe@customer.example')).toBe(2);
    const stats = (await (await fetch(`${catcher.url}api/stats`)).json()) as { count: number; duplicates: unknown[] };
    expect(stats).toMatchObject({
      count: 5,
      duplicates: [expect.objectContaining({ recipient: 'joe@customer.example' })],
    });
  });

  it('rejects matching recipients with 550 or 451', async () => {
    catcher.faults.rejectRecipients('bounce@customer.example');
    catcher.faults.rejectRecipients(/^later-/i, 'temporary');
    const transport = plainTransport(catcher);
    await expect(transport.sendMail(mail('Bounce@customer.example'))).rejects.toMatchObject({ responseCode: 550 });
    await expect(transport.sendMail(mail('LATER-1@customer.example'))).rejects.toMatchObject({ responseCode: 451 });
    await expect(transport.sendMail(mail('later-2@customer.example'))).rejects.toMatchObject({ responseCode: 451 });
    await transport.sendMail(mail('fine@customer.example'));
    transport.close();
    expect(catcher.count()).toBe(1);
  });

  it('adds latency to every message', async () => {
    catcher.faults.setLatency(300);
    const transport = plainTransport(catcher);
    const started = Date.now();
    await transport.sendMail(mail('slow@customer.example'));
    transport.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('draws each message its own latency from a range, like a relay', async () => {
    catcher.faults.setLatency({ minMs: 100, maxMs: 300 });
    const transport = plainTransport(catcher);
    const took = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (i) => {
        const started = Date.now();
        await transport.sendMail(mail(`relay${i}@customer.example`));
        return Date.now() - started;
      }),
    );
    transport.close();
    for (const ms of took) expect(ms).toBeGreaterThanOrEqual(95);
    expect(Math.max(...took) - Math.min(...took)).toBeGreaterThan(10);
  });

  it('counts the transactions begun per MAIL FROM, also those that delivered nothing', async () => {
    catcher.faults.rejectRecipients('gone@customer.example');
    const transport = plainTransport(catcher);
    await transport.sendMail(
      mail('fine@customer.example', { envelope: { from: 'Bounce+A@reply.example', to: 'fine@customer.example' } }),
    );
    await expect(
      transport.sendMail(
        mail('gone@customer.example', { envelope: { from: 'bounce+b@reply.example', to: 'gone@customer.example' } }),
      ),
    ).rejects.toMatchObject({ responseCode: 550 });
    transport.close();
    expect(catcher.mailFromCount('bounce+a@reply.example')).toBe(1);
    expect(catcher.mailFromCount('bounce+b@reply.example')).toBe(1);
    expect(catcher.mailFromCount('bounce+c@reply.example')).toBe(0);
    expect(catcher.count()).toBe(1);
  });

  it('taken down in order, answers the message it is receiving before it drops the connection', async () => {
    catcher.faults.setLatency(400);
    const transport = plainTransport(catcher);
    try {
      const sending = transport.sendMail(mail('in-flight@customer.example'));
      // The end of DATA is in; the answer waits 400 ms.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await catcher.faults.refuseConnections(300, { inFlight: 'answer' });
      expect(await tryConnect(catcher.smtpPort)).toBe('ECONNREFUSED');
      await expect(sending).resolves.toMatchObject({ accepted: ['in-flight@customer.example'] });
      expect(catcher.recipientCount('in-flight@customer.example')).toBe(1);
    } finally {
      transport.close();
      catcher.faults.reset();
      await catcher.faults.accepting();
    }
  });

  it('refuses connections for a window, then listens on the same port again', async () => {
    expect(await tryConnect(catcher.smtpPort)).toBe('connected');
    await catcher.faults.refuseConnections(400);
    expect(catcher.faults.refusing).toBe(true);
    expect(await tryConnect(catcher.smtpPort)).toBe('ECONNREFUSED');
    await catcher.faults.accepting();
    expect(catcher.faults.refusing).toBe(false);
    expect(await tryConnect(catcher.smtpPort)).toBe('connected');
    const transport = plainTransport(catcher);
    await transport.sendMail(mail('back@customer.example'));
    transport.close();
    expect(catcher.recipientCount('back@customer.example')).toBe(1);
  });
});

describe('SMTP catcher with a data dir', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rapport-smtp-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('persists .eml files and an index, restores them, and clear() deletes them', async () => {
    const first = await startSmtpCatcher({ dataDir: dir, keepBodies: false });
    const transport = plainTransport(first);
    await transport.sendMail(
      mail('joe@customer.example', { headers: { 'X-Rapport-Alert-Id': 'A9', 'X-Rapport-Contact-Id': 'c9' } }),
    );
    await transport.sendMail(
      mail('joe@customer.example', { headers: { 'X-Rapport-Alert-Id': 'A9', 'X-Rapport-Contact-Id': 'c9' } }),
    );
    transport.close();
    const id = first.messages()[0]?.id ?? '';
    expect((await first.raw(id))?.toString()).toContain('Subject: Hello');
    await first.close();
    expect((await readdir(join(dir, 'messages'))).sort()).toEqual(
      first
        .messages()
        .map((m) => `${m.id}.eml`)
        .sort(),
    );

    const second = await startSmtpCatcher({ dataDir: dir });
    try {
      expect(second.count()).toBe(2);
      expect(second.duplicates()).toEqual([expect.objectContaining({ alertId: 'A9', count: 2 })]);
      expect((await second.parsed(id))?.text?.trim()).toBe('plain body');
      expect(await second.clear()).toBe(2);
      expect(await readdir(join(dir, 'messages'))).toEqual([]);
    } finally {
      await second.close();
    }
    const third = await startSmtpCatcher({ dataDir: dir });
    expect(third.count()).toBe(0);
    await third.close();
  });

  it('without bodies or a data dir, keeps summaries and counters only', async () => {
    const lean = await startSmtpCatcher({ keepBodies: false });
    try {
      const transport = plainTransport(lean);
      await transport.sendMail(mail('joe@customer.example'));
      transport.close();
      const id = lean.messages()[0]?.id ?? '';
      expect(lean.recipientCount('joe@customer.example')).toBe(1);
      expect(await lean.raw(id)).toBeUndefined();
      expect(await (await fetch(`${lean.url}messages/${id}`)).text()).toContain('was not kept');
    } finally {
      await lean.close();
    }
  });
});
