/**
 * What the broadcast chaos tests share: the send concurrency of the real dispatch code, the
 * ledger against the SMTP catcher (messages counted per recipient), and the final summary.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { buildAlertEmail } from '../../../channels/email/alert-email.js';
import type { EmailSender } from '../../../channels/email/sender.js';
import { loadEnv } from '../../../config/env.js';
import type { CrmPort } from '../../../crm/port.js';
import { alertRequestSchema } from '../../../domain/broadcast/alert-request.js';
import type { SmtpCatcher } from '../../../sandbox/smtp/index.js';
import { createBroadcastServices } from '../../../services/broadcast-services.js';
import { createAlertStore } from '../../../store/alerts.js';
import type { Db } from '../../../store/db.js';
import type { DeliveryStatus } from '../../../store/deliveries.js';
import { createBroadcastActivities } from '../../../workflows/broadcast/activities.js';
import type { BroadcastInput } from '../../../workflows/broadcast/shared.js';
import { testDb } from '../../../testkit/db.js';
import { eventually } from '../../../testkit/rapport.js';
import { emailDelivery } from './support.js';

/**
 * Sends in flight at once within one dispatch batch of `batchSize` rows, measured on the real
 * dispatchBatch activity (as createBroadcastActivities builds it from this environment) with a
 * stand-in mail sender that holds every send for a moment and counts how many overlap. Each
 * send is one row claimed ('sending'), so this is the most rows one batch can leave 'sending'.
 */
export async function measureSendLanes(envVars: Record<string, string>, batchSize: number): Promise<number> {
  const env = loadEnv(envVars);
  const db = await testDb();
  let inFlight = 0;
  let most = 0;
  const sender = { from: env.MAIL_FROM, replyDomain: env.REPLY_DOMAIN, publicUrl: 'https://rapport.bank.example' };
  const mail = {
    target: 'lane counter',
    compose: (input) => buildAlertEmail({ ...input, sender }),
    async send(message) {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 25));
      inFlight -= 1;
      return { accepted: true, messageId: String(message.messageId), response: '250 ok', permanent: false };
    },
    verify: async () => true as const,
    close: () => undefined,
  } satisfies EmailSender;
  try {
    const services = createBroadcastServices(env, {
      db,
      crm: {} as CrmPort, // dispatch never calls the CRM
      smtpUrl: 'smtp://127.0.0.1:9',
      secret: env.RAPPORT_SECRET ?? 'lane-counter-secret-0123456789abcdef',
      publicUrl: sender.publicUrl,
    });
    services.mail.close();
    const activities = createBroadcastActivities({ ...services, mail });
    const alert = await createAlertStore(db).insert(
      'alr_01jlanecounter000000000000',
      alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
    );
    await services.deliveries.replaceAudience(
      alert.id,
      Array.from({ length: batchSize }, (_, i) =>
        emailDelivery(String(1000 + i), `lane${i}@customer.example`, `lanetoken${String(i).padStart(6, '0')}`),
      ),
      [],
    );
    await new MockActivityEnvironment().run(activities.dispatchBatch, alert.id, 0, batchSize);
    return most;
  } finally {
    await db.close();
  }
}

/** The dispatch settings the broadcast workflow really runs with: its start input, read back from Temporal. */
export async function workflowInput(client: Client, workflowId: string): Promise<BroadcastInput> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`no start input in the history of ${workflowId}`);
  return defaultPayloadConverter.fromPayload<BroadcastInput>(payload);
}

export interface LedgerRow {
  contactId: string;
  address: string;
  status: DeliveryStatus;
}

export async function ledgerRows(db: Db, alertId: string): Promise<LedgerRow[]> {
  const { rows } = await db.query<LedgerRow>(
    `select contact_id as "contactId", lower(address) as address, status from deliveries where alert_id = $1 order by seq`,
    [alertId],
  );
  return rows;
}

/** Messages of this alert the catcher holds, per envelope recipient (staff notices carry no contact id). */
export function messagesPerRecipient(catcher: SmtpCatcher, alertId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of catcher.messages()) {
    if (m.alertId !== alertId || !m.contactId) continue;
    for (const r of m.recipients) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return counts;
}

export interface ExactlyOnceReport {
  /** Ledger rows by status. */
  byStatus: Partial<Record<DeliveryStatus, number>>;
  /** Rows the ledger calls sent without exactly one message in the catcher (missing or doubled). */
  sentNotOnce: { address: string; messages: number }[];
  /** Unconfirmed rows with more than one message: resent blindly. */
  unconfirmedResent: { address: string; messages: number }[];
  /** Recipients with more than one message of the alert. */
  duplicates: { address: string; messages: number }[];
  /** Recipients the catcher got the alert for that have no ledger row. */
  strays: string[];
  /** Unconfirmed rows that did reach the catcher (the send completed; the worker died before recording it). */
  unconfirmedDelivered: number;
}

/** The ledger against the catcher, recipient by recipient. */
export function compareLedgerWithCatcher(rows: LedgerRow[], perRecipient: Map<string, number>): ExactlyOnceReport {
  const report: ExactlyOnceReport = {
    byStatus: {},
    sentNotOnce: [],
    unconfirmedResent: [],
    duplicates: [],
    strays: [],
    unconfirmedDelivered: 0,
  };
  const inLedger = new Set<string>();
  for (const row of rows) {
    inLedger.add(row.address);
    report.byStatus[row.status] = (report.byStatus[row.status] ?? 0) + 1;
    const messages = perRecipient.get(row.address) ?? 0;
    if (row.status === 'sent' && messages !== 1) report.sentNotOnce.push({ address: row.address, messages });
    if (row.status === 'unconfirmed' && messages > 1) report.unconfirmedResent.push({ address: row.address, messages });
    if (row.status === 'unconfirmed' && messages === 1) report.unconfirmedDelivered += 1;
  }
  for (const [address, messages] of perRecipient) {
    if (messages > 1) report.duplicates.push({ address, messages });
    if (!inLedger.has(address)) report.strays.push(address);
  }
  return report;
}

/** The plain-text part of the requester's final summary email for the alert, once it arrived. */
export async function finalSummaryText(catcher: SmtpCatcher, alertId: string, requester: string): Promise<string> {
  const summary = await eventually(async () =>
    catcher
      .byRecipient(requester)
      .find((m) => m.alertId === alertId && m.subject.startsWith('Summary:') && !m.contactId),
  );
  const parsed = await catcher.parsed(summary.id);
  return parsed?.text ?? '';
}
