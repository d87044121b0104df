import { z } from 'zod';

/**
 * The question bank: what we want to learn about each customer, one or two at a time.
 * An answer is stored on the CRM contact as property `rapport_q_<id>`, which is also how
 * "never ask the same question twice" is decided.
 */
export const questionSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, 'lowercase letters, digits and _'),
  text: z.string().min(5).max(200),
  /** Lower asks first. */
  priority: z.number().int().min(0).default(100),
  kind: z.enum(['text', 'choice']).default('text'),
  choices: z.array(z.string().min(1).max(75)).max(20).optional(),
});
export type Question = z.infer<typeof questionSchema>;

export const questionBankSchema = z
  .array(questionSchema)
  .min(1)
  .refine((qs) => new Set(qs.map((q) => q.id)).size === qs.length, 'question ids must be unique');

export const ANSWER_PROPERTY_PREFIX = 'rapport_q_';
export const answerProperty = (questionId: string) => `${ANSWER_PROPERTY_PREFIX}${questionId}`;

export const DEFAULT_QUESTIONS: Question[] = questionBankSchema.parse([
  { id: 'decision_maker', text: 'Who else takes part in buying decisions on your side?', priority: 10 },
  {
    id: 'preferred_contact_time',
    text: 'When is the best time of day to reach you?',
    priority: 20,
    kind: 'choice',
    choices: ['Morning', 'Midday', 'Afternoon', 'Evening'],
  },
  { id: 'main_goal', text: 'What is the one result you most want from us this year?', priority: 30 },
  { id: 'competitors', text: 'Which other providers do you work with today?', priority: 40 },
  {
    id: 'budget_cycle',
    text: 'When does your budget cycle start?',
    priority: 50,
    kind: 'choice',
    choices: ['January', 'April', 'July', 'October', 'Other'],
  },
  { id: 'referral', text: 'Is there a colleague elsewhere who could benefit from what we do?', priority: 60 },
]);

/** Questions this customer was never asked (no stored answer), best first, at most `limit`. */
export function nextQuestions(
  bank: Question[],
  contactProperties: Record<string, string | null | undefined>,
  limit = 2,
): Question[] {
  return bank
    .filter((q) => {
      const answer = contactProperties[answerProperty(q.id)];
      return answer === undefined || answer === null || answer.trim() === '';
    })
    .sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id))
    .slice(0, Math.max(0, Math.min(limit, 2)));
}
