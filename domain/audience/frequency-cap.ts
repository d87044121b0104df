import { z } from 'zod';

export const capSchema = z.object({
  /** 0 mutes the topic (or all alerts) entirely. */
  maxPerWindow: z.number().int().min(0),
  windowHours: z
    .number()
    .positive()
    .max(24 * 366),
});
export type Cap = z.infer<typeof capSchema>;

export const frequencyCapSchema = capSchema.extend({
  /** Tighter (or looser) caps per alert topic, checked in addition to the overall cap. */
  perTopic: z.record(z.string().trim().min(1), capSchema).optional(),
});
export type FrequencyCap = z.infer<typeof frequencyCapSchema>;

export const recentSendSchema = z.object({
  alertId: z.string().min(1),
  topic: z.string(),
  sentAt: z.iso.datetime({ offset: true, message: 'sentAt must be an ISO 8601 date-time' }),
});
export type RecentSend = z.infer<typeof recentSendSchema>;

/** An alert approved or dispatching that will reach the contact, but has not yet. */
export const inFlightAlertSchema = z.object({
  alertId: z.string().min(1),
  topic: z.string(),
});
export type InFlightAlert = z.infer<typeof inFlightAlertSchema>;

export const contactHistorySchema = z.object({
  recentSends: z.array(recentSendSchema).default([]),
  inFlight: z.array(inFlightAlertSchema).default([]),
});
export type ContactHistory = z.infer<typeof contactHistorySchema>;

/** Topics come from people typing in modals; case or stray spaces must not slip past a cap. */
export function normalizeTopic(topic: string): string {
  return topic.trim().toLowerCase();
}

export type CapVerdict = { capped: false } | { capped: true; detail: string };

interface Counted {
  topic: string;
  /** Epoch ms; in-flight alerts count as sent now, since they will land inside any window. */
  at: number;
}

/**
 * Whether one more alert would exceed a contact's caps. Counts distinct alerts, not sends, so a
 * retried or fallen-back delivery is one alert; the alert being evaluated is left out so
 * re-running the policy for the same broadcast gives the same answer.
 */
export function checkFrequencyCap(
  histories: readonly ContactHistory[],
  alert: { id: string; topic: string },
  cap: FrequencyCap,
  now: Date,
): CapVerdict {
  const nowMs = now.getTime();
  const byAlert = new Map<string, Counted>();
  for (const h of histories) {
    for (const s of h.recentSends) {
      if (s.alertId === alert.id) continue;
      const at = Date.parse(s.sentAt);
      if (Number.isNaN(at)) continue;
      const seen = byAlert.get(s.alertId);
      if (!seen || at > seen.at) byAlert.set(s.alertId, { topic: normalizeTopic(s.topic), at });
    }
    for (const f of h.inFlight) {
      if (f.alertId === alert.id) continue;
      byAlert.set(f.alertId, { topic: normalizeTopic(f.topic), at: nowMs });
    }
  }
  const events = [...byAlert.values()];
  const within = (c: Cap, topic?: string) => {
    const since = nowMs - c.windowHours * 3_600_000;
    return events.filter((e) => e.at > since && (topic === undefined || e.topic === topic)).length;
  };

  const overall = within(cap);
  if (overall >= cap.maxPerWindow) {
    return { capped: true, detail: `${overall} alert(s) in the last ${cap.windowHours}h; cap is ${cap.maxPerWindow}` };
  }
  const topic = normalizeTopic(alert.topic);
  const topicCap = Object.entries(cap.perTopic ?? {}).find(([t]) => normalizeTopic(t) === topic)?.[1];
  if (topicCap) {
    const n = within(topicCap, topic);
    if (n >= topicCap.maxPerWindow) {
      return {
        capped: true,
        detail: `${n} "${alert.topic}" alert(s) in the last ${topicCap.windowHours}h; topic cap is ${topicCap.maxPerWindow}`,
      };
    }
  }
  return { capped: false };
}

/** How far back a cap looks: the longest of the overall and per-topic windows, in hours. */
export function capLookbackHours(cap: FrequencyCap): number {
  return Math.max(cap.windowHours, ...Object.values(cap.perTopic ?? {}).map((c) => c.windowHours));
}

/**
 * The history the cap reads, per contact, from the ledger's rows of other alerts: a row in flight
 * (an approved alert's pending row) or a send with its time. Rows without either say nothing.
 */
export function contactHistories(
  sends: readonly { contactId: string; alertId: string; topic: string; sentAt: string | null; inFlight: boolean }[],
): Record<string, ContactHistory> {
  const history: Record<string, ContactHistory> = {};
  for (const s of sends) {
    const h = (history[s.contactId] ??= { recentSends: [], inFlight: [] });
    if (s.inFlight) h.inFlight.push({ alertId: s.alertId, topic: s.topic });
    else if (s.sentAt) h.recentSends.push({ alertId: s.alertId, topic: s.topic, sentAt: s.sentAt });
  }
  return history;
}

/**
 * What the ledger says about one contact at send time: another alert that went out to the
 * contact (sentAt), or one the cap already admitted that has not gone out yet (sentAt null).
 */
export interface CountedAtSend {
  contactId: string;
  alertId: string;
  topic: string;
  sentAt: string | null;
}

/**
 * The frequency cap at send time, judged while the contacts' claims are held (store/deliveries.ts
 * claimCapAtSend): which of these contacts one more alert would put over the cap, with why.
 * Alerts admitted but not yet sent count as sent now: two alerts going out side by side are
 * judged one after the other, and the second sees the first.
 */
export function overCapAtSend(
  contactIds: readonly string[],
  counted: readonly CountedAtSend[],
  alert: { id: string; topic: string },
  cap: FrequencyCap,
  now: Date,
): { contactId: string; detail: string }[] {
  const history = contactHistories(counted.map((c) => ({ ...c, inFlight: c.sentAt === null })));
  const over: { contactId: string; detail: string }[] = [];
  for (const contactId of contactIds) {
    const verdict = checkFrequencyCap(history[contactId] ? [history[contactId]] : [], alert, cap, now);
    if (verdict.capped) over.push({ contactId, detail: `at send time: ${verdict.detail}` });
  }
  return over;
}
