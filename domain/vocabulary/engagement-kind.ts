import { z } from 'zod';

/** The CRM timeline records Rapport writes and reads (HubSpot notes, calls, emails, meetings). */
export const ENGAGEMENT_KINDS = ['note', 'call', 'email', 'meeting'] as const;
export const engagementKindSchema = z.enum(ENGAGEMENT_KINDS, { message: 'unknown engagement kind' });
export type EngagementKind = z.infer<typeof engagementKindSchema>;
