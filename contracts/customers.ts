import { z } from 'zod';
import { valueTierSchema } from '../domain/segments.js';
import { TOUCH_STATUSES } from './vocabulary.js';

export const contextQuery = z.object({
  email: z.email({ message: 'email must be an email address' }).max(254),
});

/** A follow-up is a CRM task: HubSpot ids are numeric. */
export const followUpIdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,19}$/, { message: 'not a follow-up id' })
    .meta({ example: '90210' }),
});

const person = {
  id: z.string(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
};

export const segmentsSchema = z
  .strictObject({
    valueTier: z.strictObject({ tier: valueTierSchema, totalRevenue: z.number().nullable(), reason: z.string() }),
    lastPurchase: z.strictObject({
      date: z.string().nullable(),
      daysAgo: z.number().nullable(),
      recency: z.enum(['recent', 'lapsing', 'lapsed', 'never']),
    }),
    relationship: z.strictObject({ since: z.string().nullable(), months: z.number().nullable(), label: z.string() }),
    lifecycleStage: z.string().nullable(),
  })
  .meta({ id: 'Segments' });

export const timelineEntrySchema = z
  .strictObject({
    id: z.string(),
    /** A CRM engagement kind, or a touch channel for touches still on their way. */
    kind: z.string(),
    at: z.string(),
    title: z.string().nullable(),
    body: z.string(),
    /** crm: on the CRM timeline; rapport: logged, still on its way to the CRM. */
    source: z.enum(['crm', 'rapport']),
    status: z.enum(TOUCH_STATUSES),
  })
  .meta({ id: 'TimelineEntry' });

export const questionSchema = z
  .strictObject({
    id: z.string(),
    text: z.string(),
    /** Lower asks first. */
    priority: z.int(),
    kind: z.enum(['text', 'choice']),
    choices: z.array(z.string()).optional(),
  })
  .meta({ id: 'Question' });

export const followUpSchema = z
  .strictObject({
    id: z.string(),
    subject: z.string(),
    body: z.string(),
    dueAt: z.string().nullable(),
    priority: z.string().nullable(),
    ownerId: z.string().nullable(),
  })
  .meta({ id: 'FollowUp' });

/** Everything a rep needs about one customer (GET /api/customers/context, GET /api/addin/context). */
export const customerContextSchema = z
  .strictObject({
    contact: z.strictObject({
      ...person,
      phone: z.string().nullable().optional(),
      jobtitle: z.string().nullable().optional(),
      hs_timezone: z.string().nullable().optional(),
      rapport_preferred_channel: z.string().nullable().optional(),
      hs_email_optout: z.string().nullable().optional(),
    }),
    owner: z.strictObject(person).nullable(),
    company: z.strictObject({ id: z.string(), name: z.string().nullable(), domain: z.string().nullable() }).nullable(),
    segments: segmentsSchema,
    /** Newest first. */
    timeline: z.array(timelineEntrySchema),
    /** At most two questions this customer was never asked, best first. */
    nextQuestions: z.array(questionSchema),
    /** What to do next and why, in words the rep can say to the customer (null: no rule matched). */
    nextBestAction: z.strictObject({ ruleId: z.string(), action: z.string(), reason: z.string() }).nullable(),
    /** Open tasks on the CRM for this customer, soonest due first. */
    followUps: z.array(followUpSchema),
    /** What the customer set in the preference centre, one line each (e.g. "Rates: off"); empty: nothing of their own. */
    preferences: z.array(z.string()).optional(),
  })
  .meta({ id: 'CustomerContext' });

export const followUpCompletedSchema = z.strictObject({ id: z.string(), status: z.literal('completed') });

export type ContextQuery = z.input<typeof contextQuery>;
export type Segments = z.infer<typeof segmentsSchema>;
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
export type Question = z.infer<typeof questionSchema>;
export type FollowUp = z.infer<typeof followUpSchema>;
export type CustomerContext = z.infer<typeof customerContextSchema>;
export type FollowUpCompleted = z.infer<typeof followUpCompletedSchema>;
