import { z } from 'zod';

/**
 * The one rule for text Rapport stores or passes on (touches, alerts, reasons, comments, filters).
 *
 * C0 control characters other than tab, line feed and carriage return are refused: PostgreSQL
 * text cannot hold NUL at all (a NUL reaching the store is a 500, or an activity retrying a write
 * that can never succeed), and the others (escape, backspace, form feed, ...) are never typed by
 * a person, only smuggled in to confuse a terminal, a log reader or a mail header. Refused, not
 * stripped: the sender learns which field was wrong, and what is stored is what was sent.
 *
 * Text Rapport cannot send back (a customer's email or text message) is cleaned with
 * {@link withoutControls} instead: there is nobody to fix it, and losing it would be worse.
 */

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const FORBIDDEN_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/** Why `value` breaks the text rule (named after `name`), or null when it does not. */
export function controlProblem(value: string, name: string): string | null {
  const found = FORBIDDEN.exec(value);
  if (!found) return null;
  const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `${name} must not contain control characters (U+${code} at position ${found.index + 1})`;
}

/** `value` with the refused control characters removed: for text from outside that must be kept (mail, SMS). */
export function withoutControls(value: string): string {
  return value.replace(FORBIDDEN_ALL, '');
}

export interface TextOptions {
  /** Longest accepted, in characters (UTF-16 code units, as JavaScript and zod count). */
  max: number;
  /** Shortest accepted after trimming; 1 means "must not be empty". Default 0. */
  min?: number;
  /** Trim surrounding white space before the other checks (default true). */
  trim?: boolean;
}

/**
 * A zod schema for stored text: a string, at most `max` characters, no refused control
 * characters. Every message names the field, so a 400 says what to fix.
 */
export function text(name: string, { max, min = 0, trim = true }: TextOptions) {
  let schema = z.string({ message: `${name} must be text` });
  if (trim) schema = schema.trim();
  if (min > 0)
    schema = schema.min(min, {
      message: min === 1 ? `${name} must not be empty` : `${name} must be at least ${min} characters`,
    });
  return schema
    .max(max, { message: `${name} must be at most ${max.toLocaleString('en-US')} characters` })
    .superRefine((value, ctx) => {
      const problem = controlProblem(value, name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}
