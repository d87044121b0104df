import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../../config/env.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Every variable config/env.ts parses, so the documentation and the example cannot fall behind it. */
const VARIABLES = Object.keys(envSchema.shape);

describe('configuration documentation', () => {
  it('docs/CONFIGURATION.md describes every variable config/env.ts reads', () => {
    const page = read('docs/CONFIGURATION.md');
    expect(VARIABLES.filter((name) => !page.includes(`\`${name}\``))).toEqual([]);
  });

  it('.env.example lists exactly the variables config/env.ts reads', () => {
    const listed = [...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...VARIABLES].sort());
  });
});
