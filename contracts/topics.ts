import { z } from 'zod';
import { topicIdSchema, topicInputSchema, topicScheduleSchema } from '../domain/topics.js';
import { instantSchema } from './common.js';
import { CHANNELS } from './vocabulary.js';

/** PUT /api/topics/{id}: the topic's definition (the id comes from the path). */
export const topicBody = topicInputSchema.meta({ id: 'TopicInput' });
export const topicIdParams = z.object({ id: topicIdSchema.meta({ example: 'rates' }) });
export const topicListQuery = z.object({
  archived: z
    .enum(['true', 'false'], { message: 'archived must be true or false' })
    .default('false')
    .transform((v) => v === 'true')
    .meta({ description: 'true: archived topics too' }),
});

export const topicViewSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    defaultChannels: z.array(z.enum(CHANNELS)),
    schedule: topicScheduleSchema,
    /** The schedule in customers' words, e.g. "weekdays 08:30 in your time zone". */
    scheduleText: z.string(),
    urgentAllowed: z.boolean(),
    archived: z.boolean(),
    updatedAt: instantSchema,
  })
  .meta({ id: 'Topic' });
export type TopicView = z.output<typeof topicViewSchema>;

export const topicListSchema = z.strictObject({ topics: z.array(topicViewSchema) }).meta({ id: 'TopicList' });
