import { z } from 'zod';

/** An instant as Rapport stores it: ISO 8601 with an offset (the store writes UTC, `Z`). */
export const instantSchema = z.iso.datetime({ offset: true });

/** The path to poll for a resource accepted with a 202. */
export const statusUrlSchema = z.string().startsWith('/');
