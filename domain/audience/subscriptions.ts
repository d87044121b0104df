import { normalizeTopic } from './frequency-cap.js';

/**
 * The CRM's email subscription preferences (HubSpot: communication preferences, channel EMAIL),
 * in Rapport's words. A topic of alerts maps to one subscription type, or to "all email".
 */

/** Where an alert topic lives in the CRM's subscriptions: one subscription type, or every email. */
export type SubscriptionTarget = { kind: 'type'; id: string } | { kind: 'all' };

/** What the CRM says about one email address. */
export interface EmailSubscriptionStatus {
  /** Opted out of all email (HubSpot: portal-wide UNSUBSCRIBED, `hs_email_optout`). */
  optedOutOfAll: boolean;
  /** Subscription type ids the address unsubscribed from. */
  unsubscribedFrom: string[];
}

/** Topic (lower case) -> target; `*` is every topic not named. */
export type SubscriptionMap = Record<string, SubscriptionTarget>;

const SUBSCRIPTION_ID = /^\d{1,20}$/;

/**
 * `topic=id` pairs separated by `;` or `,`; `all` instead of an id means every email; `*` names
 * every other topic. E.g. `rates=123456;outages=all;*=7890`. Throws with the offending part.
 */
export function parseSubscriptionMap(text: string): SubscriptionMap {
  const map: SubscriptionMap = {};
  for (const part of text.split(/[;,]/).map((p) => p.trim())) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const topic = eq < 0 ? '' : normalizeTopic(part.slice(0, eq));
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!topic || !(value.toLowerCase() === 'all' || SUBSCRIPTION_ID.test(value))) {
      throw new Error(`"${part}": expected topic=<subscription type id> or topic=all, e.g. rates=123456;*=all`);
    }
    if (Object.hasOwn(map, topic)) throw new Error(`"${topic}" is mapped twice`);
    map[topic] = value.toLowerCase() === 'all' ? { kind: 'all' } : { kind: 'type', id: value };
  }
  return map;
}

/** The subscription an alert of `topic` is sent under, or null when none is configured. */
export function subscriptionForTopic(map: SubscriptionMap, topic: string): SubscriptionTarget | null {
  const key = normalizeTopic(topic);
  if (Object.hasOwn(map, key)) return map[key]!;
  return Object.hasOwn(map, '*') ? map['*']! : null;
}

/**
 * Why the CRM's preferences forbid an email under `target`, or null when they allow it. Opting out
 * of all email forbids every alert email, mapped or not.
 */
export function subscriptionRefusal(
  status: EmailSubscriptionStatus | undefined,
  target: SubscriptionTarget | null,
): string | null {
  if (!status) return null;
  if (status.optedOutOfAll) return 'unsubscribed from all email in the CRM';
  if (target?.kind === 'type' && status.unsubscribedFrom.includes(target.id)) {
    return `unsubscribed from the CRM subscription type ${target.id}`;
  }
  return null;
}
