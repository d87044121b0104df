/**
 * Writes the fact table (crm/hubspot/contract/facts.ts) into docs/HUBSPOT-CONTRACT.md between its
 * markers, formatted as the repository formats Markdown. `npm run hubspot:contract-doc`;
 * test/unit/docs/hubspot-contract.test.ts fails when the page and the table disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as prettier from 'prettier';
import { renderContractTable } from '../crm/hubspot/contract/render.js';

const START = '<!-- contract-table:start -->';
const END = '<!-- contract-table:end -->';
const file = resolve(import.meta.dirname, '../docs/HUBSPOT-CONTRACT.md');

const page = readFileSync(file, 'utf8');
const from = page.indexOf(START);
const to = page.indexOf(END);
if (from < 0 || to < from) throw new Error(`${file} has no ${START} ... ${END} section`);
const text = `${page.slice(0, from + START.length)}\n\n${renderContractTable()}\n\n${page.slice(to)}`;
const options = (await prettier.resolveConfig(file)) ?? {};
writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
console.log(`wrote the fact table (${file})`);
