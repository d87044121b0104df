import { z } from 'zod';

/** Where a touch is on its way to the CRM: stored and waiting, on the contact's timeline, or given up. */
export const TOUCH_STATUSES = ['pending', 'synced', 'failed'] as const;
export const touchStatusSchema = z.enum(TOUCH_STATUSES);
export type TouchStatus = z.infer<typeof touchStatusSchema>;
