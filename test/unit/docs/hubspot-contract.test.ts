import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderContractTable } from '../../../crm/hubspot/contract/render.js';

const page = readFileSync(resolve(import.meta.dirname, '../../../docs/HUBSPOT-CONTRACT.md'), 'utf8');

/** A Markdown table row by its cells, whatever the column padding Prettier gave it. */
const normalise = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) =>
      line.startsWith('|')
        ? line
            .split('|')
            .map((cell) => cell.trim())
            .map((cell) => (/^:?-+:?$/.test(cell) ? '---' : cell))
            .join('|')
        : line,
    );

describe('docs/HUBSPOT-CONTRACT.md', () => {
  it('shows the fact table of crm/hubspot/contract/facts.ts (npm run hubspot:contract-doc rewrites it)', () => {
    const section = page.split('<!-- contract-table:start -->')[1]?.split('<!-- contract-table:end -->')[0] ?? '';
    expect(normalise(section)).toEqual(normalise(renderContractTable()));
  });
});
