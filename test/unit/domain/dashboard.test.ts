import { describe, expect, it } from 'vitest';
import type { AudienceSummary } from '../../../domain/audience/summary.js';
import { emptyCounts } from '../../../domain/broadcast/final-summary.js';
import {
  alertFunnel,
  bestAndWorst,
  breakdown,
  bucketSeconds,
  csvRow,
  rate,
  ratesBy,
  tenureBucket,
  timeSeries,
  type LedgerGroup,
  type RollupRow,
} from '../../../domain/dashboard.js';

const group = (over: Partial<LedgerGroup>): LedgerGroup => ({
  channel: 'email',
  status: 'sent',
  ownerId: 'o1',
  valueTier: 'gold',
  tenure: '1-3 years',
  held: 0,
  rows: 1,
  responded: 0,
  ...over,
});

const summary = {
  lists: [],
  totalMemberships: 120,
  uniqueContacts: 100,
  duplicates: 20,
  deliveries: 90,
  channelMix: { email: 80, slack: 10, sms: 0 },
  suppressedByReason: { DUPLICATE_CONTACT: 5, DUPLICATE_EMAIL: 15, OPTED_OUT: 6, INVALID_EMAIL: 4, NO_ADDRESS: 0 },
  delayedByQuietHours: 3,
} as unknown as AudienceSummary;

describe('the alert funnel', () => {
  it('runs memberships -> unique -> suppressed by reason -> held/scheduled -> sent by channel -> bounced -> responded by kind -> unsubscribed', () => {
    const counts = {
      ...emptyCounts(),
      total: 90,
      pending: 5,
      sending: 1,
      sent: 78,
      bounced: 4,
      failed: 2,
      responded: 12,
    };
    const funnel = alertFunnel({
      summary,
      counts,
      groups: [
        group({ channel: 'email', status: 'sent', rows: 70 }),
        group({ channel: 'slack', status: 'sent', rows: 8 }),
        group({ status: 'pending', rows: 5, held: 3 }),
        group({ status: 'bounced', rows: 4 }),
      ],
      responsesByKind: { interested: 7, unsubscribe: 2, reply: 3 },
    });
    expect(funnel.map((s) => [s.key, s.value])).toEqual([
      ['memberships', 120],
      ['unique', 100],
      ['suppressed', 10],
      ['pending', 6],
      ['sent', 78],
      ['bounced', 4],
      ['responded', 12],
      ['unsubscribed', 2],
    ]);
    // Duplicates are the step from memberships to unique, not suppressions; zero reasons are left out.
    expect(funnel[2]!.parts!.map((p) => p.key)).toEqual(['OPTED_OUT', 'INVALID_EMAIL']);
    expect(funnel[3]!.parts).toEqual([
      { key: 'held', label: 'held (quiet hours)', value: 3 },
      { key: 'scheduled', label: 'scheduled or sending', value: 3 },
    ]);
    const sent = funnel[4]!;
    expect(sent.parts!.map((p) => [p.key, p.value])).toEqual([
      ['email', 70],
      ['slack', 8],
    ]);
    expect(sent.parts!.reduce((a, p) => a + p.value, 0)).toBe(counts.sent);
    expect(funnel[6]!.parts!.map((p) => p.key)).toEqual(['interested', 'unsubscribe', 'reply']);
  });

  it('counts rows waiting for the contacts digests under held or scheduled, as a part of their own', () => {
    const counts = { ...emptyCounts(), total: 90, pending: 4, sent: 36, digest: 50 };
    const funnel = alertFunnel({
      summary,
      counts,
      groups: [group({ status: 'sent', rows: 36 }), group({ status: 'pending', rows: 4, held: 1 })],
      responsesByKind: {},
    });
    expect(funnel[3]).toMatchObject({ key: 'pending', value: 54 });
    expect(funnel[3]!.parts).toEqual([
      { key: 'held', label: 'held (quiet hours)', value: 1 },
      { key: 'scheduled', label: 'scheduled or sending', value: 3 },
      { key: 'digest', label: 'held for digests', value: 50 },
    ]);
  });

  it('shows zeros for an alert still resolving (no summary yet)', () => {
    const funnel = alertFunnel({ summary: null, counts: emptyCounts(), groups: [], responsesByKind: {} });
    expect(funnel.every((s) => s.value === 0)).toBe(true);
  });
});

describe('breakdowns and rates', () => {
  it('adds ledger groups up by a dimension, with response rate of sent', () => {
    const rows = breakdown(
      [
        group({ ownerId: 'o1', rows: 10, responded: 2 }),
        group({ ownerId: 'o1', status: 'bounced', rows: 2 }),
        group({ ownerId: null, rows: 5, responded: 5 }),
        group({ ownerId: 'o2', status: 'unconfirmed', rows: 1 }),
      ],
      (g) => g.ownerId ?? '',
    );
    expect(rows).toEqual([
      {
        key: 'o1',
        rows: 12,
        sent: 10,
        bounced: 2,
        failed: 0,
        unconfirmed: 0,
        pending: 0,
        responded: 2,
        responseRate: 20,
      },
      { key: '', rows: 5, sent: 5, bounced: 0, failed: 0, unconfirmed: 0, pending: 0, responded: 5, responseRate: 100 },
      { key: 'o2', rows: 1, sent: 0, bounced: 0, failed: 0, unconfirmed: 1, pending: 0, responded: 0, responseRate: 0 },
    ]);
  });

  it('rates: responses and unsubscribes of sent, bounces of sent + bounced; nothing sent is 0, not NaN', () => {
    expect(rate(1, 3)).toBe(33.3);
    expect(rate(5, 0)).toBe(0);
    const row = (over: Partial<RollupRow>): RollupRow => ({
      alertId: 'a1',
      topic: 'rates',
      requester: 'ana@bank.example',
      week: '2026-11-30',
      channel: 'email',
      valueTier: 'gold',
      tenure: 'unknown',
      deliveries: 0,
      sent: 0,
      bounced: 0,
      responded: 0,
      unsubscribed: 0,
      ...over,
    });
    const rates = ratesBy(
      [
        row({ sent: 90, bounced: 10, responded: 9, unsubscribed: 3 }),
        row({ alertId: 'a2', sent: 10, responded: 1 }),
        row({ alertId: 'a3', topic: 'products', sent: 0, bounced: 4 }),
      ],
      (r) => r.topic,
    );
    expect(rates).toEqual([
      { key: 'products', alerts: 1, sent: 0, attempted: 4, responseRate: 0, unsubscribeRate: 0, bounceRate: 100 },
      { key: 'rates', alerts: 2, sent: 100, attempted: 110, responseRate: 10, unsubscribeRate: 3, bounceRate: 9.1 },
    ]);
  });

  it('best and worst topics only among topics that sent enough, never the same topic in both when few', () => {
    const t = (key: string, sent: number, responseRate: number) => ({
      key,
      alerts: 1,
      sent,
      attempted: sent,
      responseRate,
      unsubscribeRate: 0,
      bounceRate: 0,
    });
    const { best, worst } = bestAndWorst(
      [t('a', 100, 5), t('b', 100, 30), t('tiny', 3, 100), t('c', 50, 12), t('d', 200, 1)],
      2,
    );
    expect(best.map((r) => r.key)).toEqual(['b', 'c']);
    expect(worst.map((r) => r.key)).toEqual(['d', 'a']);
    const few = bestAndWorst([t('a', 100, 5), t('b', 100, 30)], 3);
    expect(few.best.map((r) => r.key)).toEqual(['b', 'a']);
    expect(few.worst).toEqual([]);
  });
});

describe('segment buckets', () => {
  it('buckets relationship length by months; unknown without a date', () => {
    expect(tenureBucket(null)).toBe('unknown');
    expect(tenureBucket(0)).toBe('under 1 year');
    expect(tenureBucket(11)).toBe('under 1 year');
    expect(tenureBucket(12)).toBe('1-3 years');
    expect(tenureBucket(35)).toBe('1-3 years');
    expect(tenureBucket(36)).toBe('3-5 years');
    expect(tenureBucket(60)).toBe('5 years or more');
    expect(tenureBucket(-1)).toBe('unknown');
  });
});

describe('time series and CSV', () => {
  it('aligns series on one x axis with zeros, in the given order first', () => {
    const s = timeSeries(
      [
        { t: 20, series: 'slack', n: 2 },
        { t: 10, series: 'email', n: 5 },
        { t: 20, series: 'email', n: 1 },
        { t: 30, series: 'fax', n: 1 },
      ],
      ['email', 'slack', 'sms'],
    );
    expect(s).toEqual({
      x: [10, 20, 30],
      series: [
        { name: 'email', values: [5, 1, 0] },
        { name: 'slack', values: [0, 2, 0] },
        { name: 'fax', values: [0, 0, 1] },
      ],
    });
  });

  it('sizes buckets to about 120 per span', () => {
    expect(bucketSeconds(0)).toBe(1);
    expect(bucketSeconds(600)).toBe(5);
    expect(bucketSeconds(86_400)).toBe(1800);
  });

  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    expect(csvRow(['a,b', 'say "hi"', 3, null, '=HYPERLINK("x")', '-2'])).toBe(
      `"a,b","say ""hi""",3,,"'=HYPERLINK(""x"")",'-2\r\n`,
    );
  });
});
