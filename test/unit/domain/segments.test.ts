import { describe, expect, it } from 'vitest';
import { computeSegments } from '../../../domain/segments.js';

const now = new Date('2026-11-24T12:00:00Z');

describe('segments', () => {
  it('tiers customers by lifetime revenue and says why', () => {
    const seg = computeSegments({ rapport_total_revenue: '250000' }, now);
    expect(seg.valueTier.tier).toBe('gold');
    expect(seg.valueTier.reason).toContain('250,000');
    expect(computeSegments({ rapport_total_revenue: '500000' }, now).valueTier.tier).toBe('platinum');
    expect(computeSegments({ rapport_total_revenue: '19999.99' }, now).valueTier.tier).toBe('bronze');
    expect(computeSegments({}, now).valueTier.tier).toBe('prospect');
    expect(computeSegments({ rapport_total_revenue: 'n/a' }, now).valueTier.tier).toBe('prospect');
  });

  it('reads last purchase as ISO or epoch milliseconds', () => {
    const iso = computeSegments({ rapport_last_purchase_date: '2026-10-25' }, now);
    expect(iso.lastPurchase.daysAgo).toBe(30);
    expect(iso.lastPurchase.recency).toBe('recent');
    const epoch = computeSegments({ rapport_last_purchase_date: String(Date.parse('2025-06-01')) }, now);
    expect(epoch.lastPurchase.recency).toBe('lapsed');
    expect(computeSegments({}, now).lastPurchase.recency).toBe('never');
  });

  it('measures the relationship, falling back to when the contact was created', () => {
    expect(computeSegments({ rapport_customer_since: '2019-11-25' }, now).relationship.label).toBe('6 years');
    expect(computeSegments({ rapport_customer_since: '2026-05-01' }, now).relationship.label).toBe('6 months');
    expect(computeSegments({}, now, '2026-11-10T00:00:00Z').relationship.label).toBe('new this month');
    expect(computeSegments({}, now).relationship.label).toBe('unknown');
  });
});
