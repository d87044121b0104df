import { z } from 'zod';
import { ANSWER_PROPERTY_PREFIX } from './questions.js';
import { computeSegments, SEGMENT_PROPERTIES, type Segments } from './segments.js';

/**
 * Next best action: pure rules over facts taken from the CRM, each with a reason a rep can say
 * to the customer in their own words. The rules live in config/next-best-action.json and are
 * validated when Rapport starts (an unknown fact, a wrong operator or an unknown placeholder
 * stops start-up with the rule named).
 */

/** Facts a rule may test. Numbers are null when the CRM does not know them. */
export interface NextBestActionFacts {
  firstName: string | null;
  companyName: string | null;
  valueTier: string;
  totalRevenue: number | null;
  lastPurchaseDaysAgo: number | null;
  recency: string;
  relationshipMonths: number | null;
  relationshipLabel: string;
  lifecycleStage: string | null;
  emailOptOut: boolean;
  preferredChannel: string | null;
  daysSinceLastTouch: number | null;
  touchesLast90Days: number;
  unansweredQuestions: number;
}

const FACT_TYPES = {
  firstName: 'string',
  companyName: 'string',
  valueTier: 'string',
  totalRevenue: 'number',
  lastPurchaseDaysAgo: 'number',
  recency: 'string',
  relationshipMonths: 'number',
  relationshipLabel: 'string',
  lifecycleStage: 'string',
  emailOptOut: 'boolean',
  preferredChannel: 'string',
  daysSinceLastTouch: 'number',
  touchesLast90Days: 'number',
  unansweredQuestions: 'number',
} as const satisfies Record<keyof NextBestActionFacts, 'string' | 'number' | 'boolean'>;

export const FACT_NAMES = Object.keys(FACT_TYPES) as (keyof NextBestActionFacts)[];
const factName = z.enum(FACT_NAMES as [keyof NextBestActionFacts, ...(keyof NextBestActionFacts)[]], {
  message: `fact must be one of ${FACT_NAMES.join(', ')}`,
});
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const conditionSchema = z
  .object({
    fact: factName,
    op: z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'known', 'unknown']),
    value: z.union([scalar, z.array(scalar).min(1)]).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const type = FACT_TYPES[c.fact];
    const needsValue = c.op !== 'known' && c.op !== 'unknown';
    if (!needsValue) {
      if (c.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.op} takes no value` });
      return;
    }
    if (c.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.op} needs a value` });
      return;
    }
    const isList = c.op === 'in' || c.op === 'notIn';
    if (isList !== Array.isArray(c.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: isList ? `${c.op} needs a list` : `${c.op} needs a single value`,
      });
      return;
    }
    if (['gt', 'gte', 'lt', 'lte'].includes(c.op) && type !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['op'], message: `${c.op} compares numbers; ${c.fact} is a ${type}` });
    }
    const values = Array.isArray(c.value) ? c.value : [c.value];
    if (values.some((v) => typeof v !== type)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.fact} is a ${type}` });
    }
  });
export type Condition = z.infer<typeof conditionSchema>;

const PLACEHOLDER = /\{(\w+)\}/g;
const template = (max: number) =>
  z
    .string()
    .trim()
    .min(5)
    .max(max)
    .superRefine((text, ctx) => {
      for (const [, name] of text.matchAll(PLACEHOLDER)) {
        if (!(name! in FACT_TYPES)) ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}` });
      }
    });

export const nextBestActionRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]{1,60}$/, 'lowercase letters, digits, _ and -'),
    /** Lower wins when several rules match. */
    priority: z.number().int().min(0),
    /** Every condition must hold; an empty list always holds (a fallback). */
    when: z.array(conditionSchema).max(20).default([]),
    action: template(200),
    /** What the rep can say to the customer; placeholders {fact} are filled in. */
    reason: template(500),
  })
  .strict();
export type NextBestActionRule = z.infer<typeof nextBestActionRuleSchema>;

export const nextBestActionRulesSchema = z
  .object({ rules: z.array(nextBestActionRuleSchema).min(1).max(200) })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate id ${r.id}` });
      seen.add(r.id);
    });
  });
export type NextBestActionRules = z.infer<typeof nextBestActionRulesSchema>;

/** Parses a rules file; the error names the rule and the field that is wrong. */
export function parseNextBestActionRules(input: unknown, source = 'next-best-action rules'): NextBestActionRules {
  const result = nextBestActionRulesSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const ruleIndex = issue.path[0] === 'rules' ? Number(issue.path[1]) : NaN;
  const rule =
    Number.isInteger(ruleIndex) && typeof input === 'object' && input !== null
      ? (input as { rules?: { id?: unknown }[] }).rules?.[ruleIndex]?.id
      : undefined;
  throw new Error(`${source}: ${path}${rule ? ` (rule ${String(rule)})` : ''}: ${issue.message}`);
}

function holds(c: Condition, facts: NextBestActionFacts): boolean {
  const actual = facts[c.fact];
  switch (c.op) {
    case 'known':
      return actual !== null;
    case 'unknown':
      return actual === null;
    case 'eq':
      return actual === c.value;
    case 'neq':
      return actual !== c.value;
    case 'in':
      return (c.value as unknown[]).includes(actual);
    case 'notIn':
      return actual !== null && !(c.value as unknown[]).includes(actual);
    default: {
      if (typeof actual !== 'number' || typeof c.value !== 'number') return false;
      if (c.op === 'gt') return actual > c.value;
      if (c.op === 'gte') return actual >= c.value;
      if (c.op === 'lt') return actual < c.value;
      return actual <= c.value;
    }
  }
}

/** Words used when the CRM does not know a fact, so the sentence still reads naturally. */
const MISSING: Record<string, string> = { firstName: 'the customer', companyName: 'your company' };

function fill(text: string, facts: NextBestActionFacts): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = facts[name as keyof NextBestActionFacts];
    if (value === null || value === undefined) return MISSING[name] ?? 'some';
    return typeof value === 'number' ? value.toLocaleString('en-US') : String(value);
  });
}

export interface NextBestAction {
  ruleId: string;
  action: string;
  reason: string;
}

/** The first matching rule by priority (then file order), filled in; null when none matches. */
export function nextBestAction(rules: NextBestActionRules, facts: NextBestActionFacts): NextBestAction | null {
  const ordered = rules.rules.map((r, i) => ({ r, i })).sort((a, b) => a.r.priority - b.r.priority || a.i - b.i);
  const match = ordered.find(({ r }) => r.when.every((c) => holds(c, facts)))?.r;
  return match ? { ruleId: match.id, action: fill(match.action, facts), reason: fill(match.reason, facts) } : null;
}

const DAY = 86_400_000;

/** Facts from what the customer context already holds: contact properties, segments, timeline. */
export function factsFrom(input: {
  firstName: string | null;
  companyName: string | null;
  properties: Record<string, string | null | undefined>;
  segments: Segments;
  touchTimes: string[];
  unansweredQuestions: number;
  now: Date;
}): NextBestActionFacts {
  const times = input.touchTimes
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t) && t <= input.now.getTime());
  const latest = times.length ? Math.max(...times) : null;
  return factsWith(input, latest, times.filter((t) => input.now.getTime() - t <= 90 * DAY).length);
}

/**
 * The contact properties the rules read (under Rapport's names): the segments' and the two the
 * facts take straight from the CRM. Answers to questions (`rapport_q_*`) are read too.
 */
export const NEXT_BEST_ACTION_PROPERTIES = [
  SEGMENT_PROPERTIES.revenue,
  SEGMENT_PROPERTIES.lastPurchase,
  SEGMENT_PROPERTIES.customerSince,
  SEGMENT_PROPERTIES.lifecycle,
  'hs_email_optout',
  'rapport_preferred_channel',
] as const;

/** The properties of `all` the rules read (NEXT_BEST_ACTION_PROPERTIES and answers), as they are. */
export function nextBestActionProperties(
  all: Record<string, string | null | undefined>,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(all)) {
    const read =
      (NEXT_BEST_ACTION_PROPERTIES as readonly string[]).includes(name) || name.startsWith(ANSWER_PROPERTY_PREFIX);
    if (read && value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Facts of a contact across the book, from what Rapport keeps: the properties the contact sync
 * copied (nextBestActionProperties), the company name on the contact, and the touches logged in
 * Rapport summed up (the last one and how many in 90 days). The card reads the CRM's timeline
 * instead, so an engagement logged in the CRM by other means counts there and not here.
 */
export function bookFacts(input: {
  firstName: string | null;
  companyName: string | null;
  properties: Record<string, string | null | undefined>;
  lastTouchAt: string | null;
  touchesLast90Days: number;
  unansweredQuestions: number;
  now: Date;
}): NextBestActionFacts {
  const last = input.lastTouchAt === null ? NaN : Date.parse(input.lastTouchAt);
  const latest = Number.isFinite(last) && last <= input.now.getTime() ? last : null;
  return factsWith(
    { ...input, segments: computeSegments(input.properties, input.now) },
    latest,
    input.touchesLast90Days,
  );
}

function factsWith(
  input: {
    firstName: string | null;
    companyName: string | null;
    properties: Record<string, string | null | undefined>;
    segments: Segments;
    unansweredQuestions: number;
    now: Date;
  },
  latest: number | null,
  touchesLast90Days: number,
): NextBestActionFacts {
  return {
    firstName: input.firstName,
    companyName: input.companyName,
    valueTier: input.segments.valueTier.tier,
    totalRevenue: input.segments.valueTier.totalRevenue,
    lastPurchaseDaysAgo: input.segments.lastPurchase.daysAgo,
    recency: input.segments.lastPurchase.recency,
    relationshipMonths: input.segments.relationship.months,
    relationshipLabel: input.segments.relationship.label,
    lifecycleStage: input.segments.lifecycleStage,
    emailOptOut: input.properties.hs_email_optout === 'true',
    preferredChannel: input.properties.rapport_preferred_channel ?? null,
    daysSinceLastTouch: latest === null ? null : Math.floor((input.now.getTime() - latest) / DAY),
    touchesLast90Days,
    unansweredQuestions: input.unansweredQuestions,
  };
}

/**
 * A rule's action as a label for counts across the book: its placeholders in general words
 * ("Invite the customer to an executive business review"), since no one customer is meant.
 */
export function actionLabel(rule: Pick<NextBestActionRule, 'action'>): string {
  return rule.action.replace(PLACEHOLDER, (_whole, name: string) =>
    name === 'firstName' ? 'the customer' : name === 'companyName' ? "the customer's company" : '…',
  );
}
