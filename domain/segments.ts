import { z } from 'zod';

/**
 * Segments computed from CRM properties by pure rules, so the Slack card, the Outlook pane
 * and the API always agree. Property names match the CRM (see sandbox/hubspot/README.md).
 */
export const SEGMENT_PROPERTIES = {
  revenue: 'rapport_total_revenue',
  lastPurchase: 'rapport_last_purchase_date',
  customerSince: 'rapport_customer_since',
  lifecycle: 'lifecyclestage',
} as const;

export const valueTierSchema = z.enum(['platinum', 'gold', 'silver', 'bronze', 'prospect']);
export type ValueTier = z.infer<typeof valueTierSchema>;

export interface Segments {
  valueTier: { tier: ValueTier; totalRevenue: number | null; reason: string };
  lastPurchase: { date: string | null; daysAgo: number | null; recency: 'recent' | 'lapsing' | 'lapsed' | 'never' };
  relationship: { since: string | null; months: number | null; label: string };
  lifecycleStage: string | null;
}

const TIERS: { tier: ValueTier; min: number }[] = [
  { tier: 'platinum', min: 500_000 },
  { tier: 'gold', min: 100_000 },
  { tier: 'silver', min: 20_000 },
  { tier: 'bronze', min: 1 },
];

const DAY = 86_400_000;

function parseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  // HubSpot date properties come either as ISO strings or as epoch milliseconds.
  const d = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function parseMoney(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function monthsBetween(from: Date, to: Date): number {
  const months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  return to.getUTCDate() < from.getUTCDate() ? months - 1 : months;
}

function relationshipLabel(months: number): string {
  if (months < 1) return 'new this month';
  if (months < 12) return `${months} month${months === 1 ? '' : 's'}`;
  const years = Math.floor(months / 12);
  return `${years} year${years === 1 ? '' : 's'}`;
}

export function computeSegments(
  properties: Record<string, string | null | undefined>,
  now: Date,
  fallbackSince?: string | null,
): Segments {
  const revenue = parseMoney(properties[SEGMENT_PROPERTIES.revenue]);
  const tier = revenue === null || revenue <= 0 ? undefined : TIERS.find((t) => revenue >= t.min);
  const valueTier = tier
    ? {
        tier: tier.tier,
        totalRevenue: revenue,
        reason: `lifetime revenue ${Math.round(revenue ?? 0).toLocaleString('en-US')} >= ${tier.min.toLocaleString('en-US')}`,
      }
    : { tier: 'prospect' as const, totalRevenue: revenue, reason: 'no revenue recorded yet' };

  const purchased = parseDate(properties[SEGMENT_PROPERTIES.lastPurchase]);
  const daysAgo = purchased ? Math.max(0, Math.floor((now.getTime() - purchased.getTime()) / DAY)) : null;
  const recency = daysAgo === null ? 'never' : daysAgo <= 90 ? 'recent' : daysAgo <= 365 ? 'lapsing' : 'lapsed';

  const since = parseDate(properties[SEGMENT_PROPERTIES.customerSince]) ?? parseDate(fallbackSince);
  const months = since ? Math.max(0, monthsBetween(since, now)) : null;

  return {
    valueTier,
    lastPurchase: { date: purchased ? purchased.toISOString() : null, daysAgo, recency },
    relationship: {
      since: since ? since.toISOString() : null,
      months,
      label: months === null ? 'unknown' : relationshipLabel(months),
    },
    lifecycleStage: properties[SEGMENT_PROPERTIES.lifecycle] ?? null,
  };
}
