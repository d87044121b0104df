import { deriveFromEmailHeaders } from './email-headers.js';
import type { PropertyIssue } from './errors.js';
import type { ObjectType } from './object-types.js';
import { REQUIRED_ON_CREATE } from './property-catalog.js';
import type { SandboxState } from './state.js';

/** HubSpot's limit for any single-line or multi-line text value. */
export const MAX_STRING_LENGTH = 65_536;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DAY = 86_400_000;

export type WriteMode = 'create' | 'update';

/**
 * Checks and normalises property values the way HubSpot does on writes: unknown properties,
 * read-only values, enumeration options, numbers, dates (date properties at midnight UTC),
 * owner ids, email syntax. An empty string clears a value.
 */
export function validateWrite(
  state: SandboxState,
  type: ObjectType,
  input: Record<string, unknown> | undefined,
  mode: WriteMode,
): { properties: Record<string, string>; issues: PropertyIssue[] } {
  const defs = state.propertyDefs(type);
  const properties: Record<string, string> = {};
  const issues: PropertyIssue[] = [];
  for (const [name, raw] of Object.entries(input ?? {})) {
    const def = defs.get(name);
    if (!def) {
      issues.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      continue;
    }
    if (raw === null || raw === undefined || raw === '') {
      properties[name] = '';
      continue;
    }
    const value = String(raw);
    if (def.readOnlyValue) {
      issues.push({
        name,
        error: 'READ_ONLY_VALUE',
        message: `"${name}" is a read only property; its value cannot be set.`,
      });
      continue;
    }
    const checked = checkValue(
      state,
      name,
      def.type,
      def.options.map((o) => o.value),
      value,
    );
    if (typeof checked === 'string') properties[name] = checked;
    else issues.push(checked);
  }
  if (type === 'emails') deriveFromEmailHeaders(properties, issues);
  if (mode === 'create') {
    for (const name of REQUIRED_ON_CREATE[type] ?? []) {
      if (!properties[name]) {
        issues.push({ name, error: 'REQUIRED_PROPERTY', message: `Property "${name}" is required` });
      }
    }
  }
  return { properties, issues };
}

function checkValue(
  state: SandboxState,
  name: string,
  type: string,
  options: string[],
  value: string,
): string | PropertyIssue {
  if (value.length > MAX_STRING_LENGTH) {
    return {
      name,
      error: 'INVALID_LENGTH',
      message: `Property "${name}" value is ${value.length} characters; the maximum is ${MAX_STRING_LENGTH}`,
    };
  }
  if (name === 'hubspot_owner_id') {
    return state.owners.some((o) => o.id === value && !o.archived)
      ? value
      : { name, error: 'INVALID_OWNER_ID', message: `${value} is not a valid owner id` };
  }
  if (name === 'email' && !EMAIL.test(value)) {
    return { name, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` };
  }
  switch (type) {
    case 'number':
      return Number.isFinite(Number(value))
        ? value
        : { name, error: 'INVALID_DECIMAL', message: `${value} is not a valid number for "${name}"` };
    case 'bool':
      return value === 'true' || value === 'false'
        ? value
        : { name, error: 'INVALID_BOOLEAN', message: `${value} is not a valid boolean for "${name}"` };
    case 'enumeration':
      return options.includes(value)
        ? value
        : {
            name,
            error: 'INVALID_OPTION',
            message: `${value} was not one of the allowed options: [${options.join(', ')}]`,
          };
    case 'datetime': {
      const time = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
      return Number.isNaN(time)
        ? { name, error: 'INVALID_DATE', message: `${value} is not a valid date-time for "${name}"` }
        : new Date(time).toISOString();
    }
    case 'date': {
      const time = /^-?\d+$/.test(value)
        ? Number(value)
        : Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
      if (Number.isNaN(time))
        return { name, error: 'INVALID_DATE', message: `${value} is not a valid date for "${name}"` };
      if (time % DAY !== 0) {
        return {
          name,
          error: 'INVALID_DATE',
          message: `${value} is at ${new Date(time).toISOString().slice(11)} UTC, but "${name}" is a date and must be at midnight UTC`,
        };
      }
      return new Date(time).toISOString().slice(0, 10);
    }
    default:
      return value;
  }
}
