import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  actionLabel,
  bookFacts,
  factsFrom,
  nextBestActionProperties,
  nextBestAction,
  parseNextBestActionRules,
  type NextBestActionFacts,
} from '../../../domain/next-best-action.js';
import { computeSegments } from '../../../domain/segments.js';
import { NEXT_BEST_ACTION_RULES } from '../../../services/next-best-action-rules.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString().slice(0, 10);

function facts(
  properties: Record<string, string>,
  extra: Partial<Parameters<typeof factsFrom>[0]> = {},
): NextBestActionFacts {
  return factsFrom({
    firstName: 'Joe',
    companyName: 'Acme Logistics',
    properties,
    segments: computeSegments(properties, NOW),
    touchTimes: [],
    unansweredQuestions: 3,
    now: NOW,
    ...extra,
  });
}

describe('next best action rules', () => {
  it('ships a valid rules file', () => {
    const parsed = parseNextBestActionRules(JSON.parse(readFileSync('config/next-best-action.json', 'utf8')));
    expect(parsed.rules.length).toBeGreaterThan(3);
    expect(NEXT_BEST_ACTION_RULES.rules.map((r) => r.id)).toEqual(parsed.rules.map((r) => r.id));
  });

  it('explains the action in words a rep can say, with the facts filled in', () => {
    const recentGold = facts({
      rapport_total_revenue: '250000',
      rapport_last_purchase_date: daysAgo(12),
      rapport_customer_since: daysAgo(2200),
    });
    const nba = nextBestAction(NEXT_BEST_ACTION_RULES, recentGold)!;
    expect(nba.ruleId).toBe('recent-buyer-follow-up');
    expect(nba.reason).toBe(
      'You ordered 12 days ago and we have worked together for 6 years; I want to be sure everything arrived the way you expected.',
    );
  });

  it('puts opt-outs first, then lapsed buyers, and always has a fallback', () => {
    const lapsed = { rapport_total_revenue: '30000', rapport_last_purchase_date: daysAgo(400) };
    expect(nextBestAction(NEXT_BEST_ACTION_RULES, facts(lapsed))!.ruleId).toBe('win-back-lapsed');
    expect(nextBestAction(NEXT_BEST_ACTION_RULES, facts(lapsed))!.action).toContain("Acme Logistics's account");
    expect(nextBestAction(NEXT_BEST_ACTION_RULES, facts({ ...lapsed, hs_email_optout: 'true' }))!.ruleId).toBe(
      'respect-opt-out',
    );
    expect(nextBestAction(NEXT_BEST_ACTION_RULES, facts({ lifecyclestage: 'customer' }))!.ruleId).toBe('learn-more');
    const quiet = facts(
      { lifecyclestage: 'customer' },
      { touchTimes: [new Date(NOW.getTime() - 90 * 86_400_000).toISOString()] },
    );
    expect(quiet.daysSinceLastTouch).toBe(90);
    expect(nextBestAction(NEXT_BEST_ACTION_RULES, quiet)!.ruleId).toBe('reconnect');
  });

  it('reads naturally when the CRM lacks a fact', () => {
    const rules = parseNextBestActionRules({
      rules: [
        { id: 'call', priority: 1, action: 'Call {firstName} at {companyName}', reason: 'Spent {totalRevenue}.' },
      ],
    });
    const nba = nextBestAction(rules, facts({}, { firstName: null, companyName: null }))!;
    expect(nba.action).toBe('Call the customer at your company');
  });

  it('refuses a broken rules file, naming the rule and the field', () => {
    const rule = { id: 'bad', priority: 1, action: 'Do something', reason: 'Because we can.' };
    expect(() =>
      parseNextBestActionRules({ rules: [{ ...rule, when: [{ fact: 'revenue', op: 'gt', value: 1 }] }] }),
    ).toThrow(/rules\.0\.when\.0\.fact \(rule bad\): fact must be one of/);
    expect(() =>
      parseNextBestActionRules({ rules: [{ ...rule, when: [{ fact: 'valueTier', op: 'gt', value: 1 }] }] }),
    ).toThrow(/compares numbers/);
    expect(() =>
      parseNextBestActionRules({ rules: [{ ...rule, when: [{ fact: 'recency', op: 'in', value: 'lapsed' }] }] }),
    ).toThrow(/needs a list/);
    expect(() => parseNextBestActionRules({ rules: [{ ...rule, reason: 'Hello {nickname}, hi' }] })).toThrow(
      /unknown placeholder \{nickname\}/,
    );
    expect(() => parseNextBestActionRules({ rules: [rule, rule] })).toThrow(/duplicate id bad/);
    expect(() => parseNextBestActionRules({ rules: [{ ...rule, extra: 1 }] })).toThrow();
  });
});

describe('next best actions across the book', () => {
  const properties = {
    rapport_total_revenue: '250000',
    rapport_last_purchase_date: daysAgo(400),
    lifecyclestage: 'customer',
    hs_email_optout: 'false',
  };
  const touches = [daysAgo(75), daysAgo(80), daysAgo(200)];

  it('gives the facts the card gives, from the last touch and the count in 90 days instead of the timeline', () => {
    const fromCard = facts(properties, { touchTimes: touches });
    const fromBook = bookFacts({
      firstName: 'Joe',
      companyName: 'Acme Logistics',
      properties,
      lastTouchAt: touches[0]!,
      touchesLast90Days: 2,
      unansweredQuestions: 3,
      now: NOW,
    });
    expect(fromBook).toEqual(fromCard);
    expect(fromBook.daysSinceLastTouch).toBe(75);
    expect(nextBestAction(NEXT_BEST_ACTION_RULES, fromBook)?.ruleId).toBe('win-back-lapsed');
  });

  it('a touch in the future or none: no days since the last touch', () => {
    const base = {
      firstName: null,
      companyName: null,
      properties: {},
      touchesLast90Days: 0,
      unansweredQuestions: 0,
      now: NOW,
    };
    expect(bookFacts({ ...base, lastTouchAt: null }).daysSinceLastTouch).toBeNull();
    expect(bookFacts({ ...base, lastTouchAt: '2027-01-01T00:00:00Z' }).daysSinceLastTouch).toBeNull();
  });

  it('keeps of a contact only the properties the rules read, answers included', () => {
    expect(
      nextBestActionProperties({
        ...properties,
        email: 'joe@acme.example',
        rapport_q_main_goal: 'Grow',
        phone: undefined,
      }),
    ).toEqual({ ...properties, rapport_q_main_goal: 'Grow' });
  });

  it("labels a rule's action in general words for counts across customers", () => {
    expect(
      actionLabel({ action: 'Invite {firstName} to a review of {companyName} in {daysSinceLastTouch} days' }),
    ).toBe("Invite the customer to a review of the customer's company in … days");
  });
});
