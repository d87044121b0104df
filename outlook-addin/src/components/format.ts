import type { CustomerContextView, Person } from '../types.js';

export function fullName(p: Pick<Person, 'firstName' | 'lastName' | 'email'> | null | undefined): string {
  if (!p) return '';
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ').trim();
  return name || p.email || '';
}

const TIER_LABEL: Record<string, string> = {
  platinum: 'Platinum',
  gold: 'Gold',
  silver: 'Silver',
  bronze: 'Bronze',
  prospect: 'Prospect',
};

export function money(n: number | null): string | null {
  return n === null
    ? null
    : n.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
}

export function segmentsText(s: CustomerContextView['segments']) {
  const revenue = money(s.valueTier.totalRevenue);
  return {
    tier: `${TIER_LABEL[s.valueTier.tier] ?? s.valueTier.tier}${revenue ? ` · ${revenue}` : ''}`,
    lastPurchase:
      s.lastPurchase.daysAgo === null
        ? 'No purchase yet'
        : s.lastPurchase.daysAgo === 0
          ? 'Bought today'
          : `Bought ${s.lastPurchase.daysAgo} day${s.lastPurchase.daysAgo === 1 ? '' : 's'} ago`,
    recency: s.lastPurchase.recency,
    relationship: s.relationship.months === null ? 'Relationship: unknown' : `Customer for ${s.relationship.label}`,
  };
}

export function when(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const days = Math.floor((now - t) / 86_400_000);
  if (days <= 0 && now >= t) return 'today';
  // Due dates lie ahead.
  if (t > now) {
    const ahead = Math.round((t - now) / 86_400_000);
    if (ahead < 1) return 'within a day';
    if (ahead < 30) return ahead === 1 ? 'in a day' : `in ${ahead} days`;
  }
  if (days === 1) return 'yesterday';
  if (days > 1 && days < 30) return `${days} days ago`;
  return new Date(t).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
}

export function clamp(text: string, max = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export const domainOf = (email: string | null | undefined) => email?.split('@').pop()?.toLowerCase() ?? '';
