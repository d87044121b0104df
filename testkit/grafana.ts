import { readFileSync } from 'node:fs';

/** The dashboard in the repository (docs/OPERATIONS.md#metrics). */
export const DASHBOARD_PATH = new URL('../ops/grafana/rapport.json', import.meta.url);

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every PromQL expression of the dashboard's panels (rows' nested panels too). */
export function dashboardQueries(path: URL = DASHBOARD_PATH): string[] {
  const dashboard = JSON.parse(readFileSync(path, 'utf8')) as { panels?: Panel[] };
  const walk = (panels: Panel[]): string[] =>
    panels.flatMap((p) => [...(p.targets ?? []).map((t) => t.expr ?? ''), ...walk(p.panels ?? [])]);
  return walk(dashboard.panels ?? []).filter((e) => e !== '');
}

/** The series names the dashboard queries, by the prefix they start with (`rapport_`, `temporal_`). */
export function dashboardSeries(prefix: string, path: URL = DASHBOARD_PATH): string[] {
  const names = dashboardQueries(path).flatMap((expr) => [...expr.matchAll(/\b[a-z_][a-z0-9_]*\b/g)].map((m) => m[0]));
  return [...new Set(names.filter((n) => n.startsWith(prefix)))].sort();
}
