import type { Delivery } from '../../../domain/audience/types.js';
import { eventually, type TestRapport } from '../../../testkit/rapport.js';

export const REQUESTER = 'analyst@bank.example';
export const APPROVER = 'approver@bank.example';
export const OFFICER = 'officer@bank.example';

/** Alert tests: no quiet hours or caps unless a test turns them on, fast mail, a short response window. */
export const BROADCAST_ENV = {
  APPROVER_GROUPS: `alerts=${APPROVER},${OFFICER},${REQUESTER};risk=risk@bank.example`,
  ALERT_QUIET_HOURS: 'off',
  ALERT_FREQUENCY_CAP: '1000/168',
  EMAIL_RATE_PER_SECOND: '1000',
  RESPONSE_WINDOW_HOURS: '0.003',
};

export const alertRequest = (overrides: Record<string, unknown> = {}) => ({
  requester: REQUESTER,
  title: 'Rates move: fixed deposits up 0.25%',
  body: 'Our **fixed deposit** rates rise on Monday.\n\n- 12 months: 3.10%\n- 24 months: 3.35%\n\nDetails: https://bank.example/rates',
  topic: 'rates',
  lists: ['1'],
  channels: ['email'],
  replyTo: 'analyst',
  approverGroup: 'alerts',
  ...overrides,
});

export interface AlertBody {
  id: string;
  status: string;
  version: number;
  audience: {
    totalMemberships: number;
    uniqueContacts: number;
    duplicates: number;
    deliveries: number;
    delayedByQuietHours: number;
    suppressedByReason: Record<string, number>;
  } | null;
  counts: Record<string, number>;
}

export async function getAlert(t: TestRapport, id: string): Promise<AlertBody> {
  return (await (await t.api(`/api/alerts/${id}`)).json()) as AlertBody;
}

export async function submit(t: TestRapport, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await t.api('/api/alerts', { method: 'POST', json: alertRequest(overrides) });
  if (res.status !== 202) throw new Error(`POST /api/alerts: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** An approver's decision through the API, as the workflow's Update takes it; anything but 200 fails the test. */
export async function approve(t: TestRapport, id: string, approver = APPROVER): Promise<void> {
  const res = await t.api(`/api/alerts/${id}/decision`, { method: 'POST', json: { approver, decision: 'approve' } });
  if (res.status !== 200) throw new Error(`approve ${id}: ${res.status} ${await res.text()}`);
}

export function waitForStatus(t: TestRapport, id: string, status: string | string[], timeoutMs = 60_000) {
  const wanted = Array.isArray(status) ? status : [status];
  return eventually(async () => {
    const alert = await getAlert(t, id);
    return wanted.includes(alert.status) ? alert : undefined;
  }, timeoutMs);
}

/** Messages the catcher holds for an address and alert, newest first. */
export function mailFor(t: TestRapport, address: string, alertId: string) {
  return t.smtp.byRecipient(address).filter((m) => m.alertId === alertId);
}

export async function htmlOf(t: TestRapport, messageId: string): Promise<string> {
  const parsed = await t.smtp.parsed(messageId);
  return typeof parsed?.html === 'string' ? parsed.html : '';
}

/** The path of the first link in the HTML matching the pattern (links carry PUBLIC_URL's origin). */
export function linkPath(html: string, pattern: RegExp): string {
  for (const m of html.matchAll(/href="([^"]+)"/g)) {
    const url = m[1]!.replace(/&amp;/g, '&');
    if (pattern.test(url)) {
      const u = new URL(url);
      return `${u.pathname}${u.search}`;
    }
  }
  throw new Error(`no link matching ${pattern} in the message`);
}

export function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

/** A ledger row for one email, as audience resolution writes it: for tests that fill the ledger themselves. */
export function emailDelivery(contactId: string, address: string, token: string): Delivery & { token: string } {
  return {
    contactId,
    email: address,
    channel: 'email',
    address,
    fallbackChannel: null,
    fallbackAddress: null,
    deliverAfter: null,
    timeZone: 'UTC',
    listIds: ['1'],
    ownerId: null,
    token,
  };
}
