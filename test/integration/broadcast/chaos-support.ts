/**
 * What the broadcast chaos tests share: the ledger against the SMTP catcher (messages counted
 * per recipient, and which reached the server at all), and the final summary.
 */
import { BOUNCE_PREFIX } from '../../../channels/email/alert-email-input.js';
import { loadEnv } from '../../../config/env.js';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import type { SmtpCatcher } from '../../../sandbox/smtp/index.js';
import type { Db } from '../../../store/db.js';
import type { DeliveryStatus } from '../../../store/deliveries.js';
import { eventually } from '../../../testkit/rapport.js';

export interface LedgerRow {
  contactId: string;
  address: string;
  status: DeliveryStatus;
  token: string;
}

export async function ledgerRows(db: Db, alertId: string): Promise<LedgerRow[]> {
  const { rows } = await db.query<LedgerRow>(
    `select contact_id as "contactId", lower(address) as address, status, token from deliveries
     where alert_id = $1 order by seq`,
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

/**
 * The bounce (VERP) address of a row's alert email, its MAIL FROM: how the catcher tells which
 * recipients' messages reached it at all (SmtpCatcher.mailFromCount).
 */
export function bounceAddress(envVars: Record<string, string>, row: LedgerRow): string {
  const env = loadEnv(envVars);
  return `${BOUNCE_PREFIX}${signToken(env.RAPPORT_SECRET!, 'bounce', row.token)}@${env.REPLY_DOMAIN}`;
}

/** The database's clock, to tell rows one worker claimed from those an earlier one left. */
export async function databaseNow(db: Db): Promise<string> {
  const { rows } = await db.query<{ now: string }>(`select clock_timestamp()::text as now`);
  return rows[0]!.now;
}

/** Rows claimed since `since` (a databaseNow()) whose outcome is not written: on their way, or left by a dead worker. */
export async function rowsSending(db: Db, alertId: string, since: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from deliveries where alert_id = $1 and status = 'sending' and updated_at >= $2::timestamptz`,
    [alertId, since],
  );
  return rows[0]?.n ?? 0;
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
