import type { Context } from 'hono';
import { z } from 'zod';
import { csvRow } from '../../domain/dashboard.js';
import type { DashboardEnv } from './auth-seam.js';

/** What every dashboard route shares: limits, query parts, the 400, the CSV answer, labels. */
export type C = Context<DashboardEnv>;

/** Rows listed on a page; its CSV export holds up to CSV_ROW_LIMIT. */
export const ROW_LIMIT = 500;
export const CSV_ROW_LIMIT = 100_000;
export const format = z.enum(['html', 'csv']).default('html');
export const text = z.string().max(200);

/** 400 naming the first bad field, as the API does. */
export function parse<T extends z.ZodType>(c: C, schema: T, input: unknown): z.infer<T> | Response {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'query';
  return c.text(`${field}: ${issue.message}`, 400);
}

export function csv(c: C, name: string, header: string[], rows: (string | number | boolean | null | undefined)[][]) {
  c.header('content-type', 'text/csv; charset=utf-8');
  c.header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv"`);
  c.header('cache-control', 'no-store');
  return c.body([csvRow(header), ...rows.map(csvRow)].join(''));
}

export const pct = (n: number) => `${n.toFixed(1)}%`;
export const ownerLabel = (id: string) => (id === '' ? '(no owner)' : id);
export const viewer = (c: C) => c.var.viewer.person.name ?? c.var.viewer.person.email;
export const html = (c: C, page: string) => {
  c.header('cache-control', 'no-store');
  return c.html(page);
};
