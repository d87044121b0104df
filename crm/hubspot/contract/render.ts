import { COMMON_ERRORS, HUBSPOT_OPERATIONS, type FieldFact, type OperationFact } from './facts.js';

const code = (s: string) => `\`${s}\``;
const fields = (list: FieldFact[]) =>
  list.length === 0 ? '-' : list.map((f) => `${code(f.path)} ${f.type}${f.optional ? '?' : ''}`).join('<br>');

function row(op: OperationFact): string {
  const errors = op.errors.map((e) => `${e.status} ${code(e.category)}: ${e.when}`).join('<br>') || '-';
  const cells = [
    code(op.id),
    `${op.method} ${code(op.path)}`,
    op.scopes.map(code).join(' or ') || 'none',
    [...(op.query ?? []).map((q) => `?${q}`), fields(op.request)].filter((c) => c !== '-').join('<br>') || '-',
    op.success.join(', '),
    fields(op.response),
    errors,
    `${op.usedBy}${op.note ? `. ${op.note}` : ''} ([reference](${op.source}))`,
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The fact table as the Markdown table in docs/HUBSPOT-CONTRACT.md (between the markers). */
export function renderContractTable(): string {
  const common = COMMON_ERRORS.map((e) => `| ${e.status} | ${code(e.category)} | ${e.when} |`);
  return [
    '| status | category | when |',
    '| --- | --- | --- |',
    ...common,
    '',
    '| operation | request | scopes (any) | request fields | success | answer fields | errors | used by, notes, source |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...HUBSPOT_OPERATIONS.map(row),
  ].join('\n');
}
