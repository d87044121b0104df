import type { Finding } from './doctor.js';

const STATUS: Record<Finding['status'], string> = { ok: 'OK', missing: 'MISSING', wrong: 'WRONG' };

/** True when any check found something to fix: doctor exits non-zero then. */
export const hasProblems = (findings: Finding[]) => findings.some((f) => f.status !== 'ok');

/** The doctor's one table: check, subject, status, detail and the fix for each line that needs one. */
export function formatDoctorTable(findings: Finding[]): string {
  const rows = findings.map((f) => [f.check, f.subject, STATUS[f.status], f.detail, f.fix || '-']);
  const head = ['check', 'subject', 'status', 'detail', 'fix'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const problems = findings.filter((f) => f.status !== 'ok').length;
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    problems === 0
      ? 'All checks passed.'
      : `${problems} problem${problems === 1 ? '' : 's'} to fix (see the fix column).`,
  ].join('\n');
}
