import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchResult {
  bench: string;
  metric: string;
  value: number;
  target: number;
  pass: boolean;
  /** Every figure measured, for the JSON file and the markdown table. */
  details: Record<string, number | string | boolean>;
}

/** Writes bench/results/<name>.json and .md, and prints the one-line verdict last. */
export function report(result: BenchResult): void {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  writeFileSync(join(dir, `${result.bench}.json`), `${JSON.stringify({ ...result, at }, null, 2)}\n`);
  const rows = Object.entries(result.details).map(([k, v]) => `| ${k} | ${v} |`);
  writeFileSync(
    join(dir, `${result.bench}.md`),
    [
      `# bench: ${result.bench}`,
      '',
      `${at} — ${result.metric} = ${result.value} (target ${result.target}): ${result.pass ? 'PASS' : 'FAIL'}`,
      '',
      '| figure | value |',
      '|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  const { details: _details, ...line } = result;
  console.log(JSON.stringify(line));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}
