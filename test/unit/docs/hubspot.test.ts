import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIRED_SCOPES } from '../../../crm/hubspot/required-scopes.js';

const page = readFileSync(resolve(import.meta.dirname, '../../../docs/HUBSPOT.md'), 'utf8');

describe('docs/HUBSPOT.md', () => {
  it('lists exactly the scopes doctor checks, each with its purpose', () => {
    const table = [...page.matchAll(/^\| `([a-z.]+)`\s+\| (.+?)\s+\|$/gm)].map((m) => [m[1], m[2]]);
    expect(table).toEqual(REQUIRED_SCOPES.map((s) => [s.scope, expect.any(String)]));
  });
});
