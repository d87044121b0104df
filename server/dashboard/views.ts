import { escapeHtml as esc } from '../../channels/email/html-escape.js';

/**
 * HTML building blocks of the dashboard's pages. Every value goes through `esc`; links are built
 * from escaped parts; the only script is /dashboard/assets/dashboard.js (no inline script or
 * style: the Content-Security-Policy allows none).
 */
export { esc };

export type Cell = string | number | null | undefined;

export interface Column<R> {
  label: string;
  value: (r: R) => Cell;
  /** A link to the records behind the number (already a path with an escaped query). */
  href?: (r: R) => string | null;
  numeric?: boolean;
  /** A live figure: the data-path the page script updates (see assets.ts). */
  path?: (r: R) => string;
}

/** A query string from parts (undefined and empty parts left out), for links to the rows behind a figure. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function table<R>(rows: R[], columns: Column<R>[], options: { csv?: string; empty?: string } = {}): string {
  const head = columns.map((c) => `<th${c.numeric ? ' class="n"' : ''}>${esc(c.label)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${columns
          .map((c) => {
            const v = c.value(r);
            const text = v === null || v === undefined ? '' : esc(String(v));
            const path = c.path ? ` data-path="${esc(c.path(r))}"` : '';
            const href = c.href?.(r);
            const inner = href
              ? `<a href="${esc(href)}"${path}>${text}</a>`
              : path
                ? `<span${path}>${text}</span>`
                : text;
            return `<td${c.numeric ? ' class="n"' : ''}>${inner}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  const empty = rows.length === 0 ? `<p class="muted">${esc(options.empty ?? 'Nothing yet.')}</p>` : '';
  const csv = options.csv ? `<p class="muted"><a href="${esc(options.csv)}">Export CSV</a></p>` : '';
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${empty}${csv}`;
}

/** A chart's place: the page script draws the series found at `path` in the embedded figures. */
export const chart = (path: string, label: string, time = true) =>
  `<div data-chart="${esc(path)}"${time ? '' : ' data-time="false"'} role="img" aria-label="${esc(label)}"></div>`;

/** Data for the page script: JSON in a block the browser never runs; `<` escaped so no value can close it. */
export const figuresBlock = (figures: unknown) =>
  `<script type="application/json" id="figures">${JSON.stringify(figures).replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026')}</script>`;

export type Tab = 'across' | 'alert' | 'crows-nest';

export function dashboardPage(options: {
  title: string;
  tab: Tab;
  body: string;
  viewer: string;
  /** The alert page's event stream: the script follows it. */
  live?: string;
  charts?: boolean;
}): string {
  const tab = (t: Tab, href: string, label: string) =>
    `<a href="${href}"${options.tab === t ? ' class="on"' : ''}>${label}</a>`;
  const scripts = options.charts
    ? `<script src="/dashboard/assets/uplot.min.js" defer></script><script src="/dashboard/assets/dashboard.js" defer></script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>${esc(options.title)} · Rapport</title>
<link rel="stylesheet" href="/dashboard/assets/uplot.min.css"><link rel="stylesheet" href="/dashboard/assets/dashboard.css">
${scripts}
</head><body${options.live ? ` data-live="${esc(options.live)}"` : ''}>
<header>${tab('across', '/dashboard', 'Across alerts')}${tab('crows-nest', '/dashboard/crows-nest', "Crow's nest")}<span class="muted">Signed in as ${esc(options.viewer)}</span></header>
<main><h1>${esc(options.title)}</h1>
${options.body}
</main></body></html>`;
}
