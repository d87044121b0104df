import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles the Outlook task pane (outlook-addin/src, TSX) with esbuild into outlook-addin/dist, which
 * the server serves under /addin/: taskpane.html, taskpane.js, commands.html, commands.js, assets/icon-*.png.
 * Office.js itself comes from Microsoft's CDN (the HTML pages), as add-ins must load it; the
 * @microsoft/office-js package says which version the pane is built against.
 */
const PAGES = ['taskpane.html', 'commands.html'];

/** The @microsoft/office-js version installed, i.e. the Office.js the pane is built and tested against. */
export function officeJsVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@microsoft/office-js/package.json') as { version: string }).version;
}

/** The CDN serves the latest release of a major version; its URL names only that major. */
export const officeJsCdnUrl = (version: string) =>
  `https://appsforoffice.microsoft.com/lib/${version.split('.')[0]}/hosted/office.js`;

/** What is wrong with a page's Office.js script tag for this version (none: it loads it once, from the CDN). */
export function officeJsProblems(html: string, version: string): string[] {
  const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]*office\.js)"/g)].map((m) => m[1]);
  const expected = officeJsCdnUrl(version);
  if (sources.length !== 1) return [`expected one Office.js script tag, found ${sources.length}`];
  return sources[0] === expected
    ? []
    : [`Office.js from ${sources[0]}, not ${expected} (@microsoft/office-js ${version})`];
}

export async function buildAddin(options: { outDir?: string; minify?: boolean; sourcemap?: boolean } = {}) {
  const root = resolve(import.meta.dirname, '../outlook-addin');
  const outDir = resolve(options.outDir ?? resolve(root, 'dist'));
  const officeJs = officeJsVersion();
  for (const page of PAGES) {
    const problems = officeJsProblems(readFileSync(resolve(root, page), 'utf8'), officeJs);
    if (problems.length) throw new Error(`outlook-addin/${page}: ${problems.join('; ')}`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [resolve(root, 'src/main.tsx')],
    // The add-in's own tsconfig: JSX with the automatic runtime, DOM types.
    tsconfig: resolve(root, 'tsconfig.json'),
    outfile: resolve(outDir, 'taskpane.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // Outlook on the web (evergreen browsers) and new Outlook / classic Outlook's WebView2.
    target: ['es2020', 'chrome100', 'edge100', 'firefox100', 'safari15'],
    minify: options.minify ?? true,
    sourcemap: options.sourcemap ?? true,
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: {
      js: `/* Rapport task pane, built against Office.js ${officeJs} (loaded from ${officeJsCdnUrl(officeJs)}) */`,
    },
    legalComments: 'linked',
    metafile: true,
    logLevel: 'silent',
  });
  for (const page of PAGES) cpSync(resolve(root, page), resolve(outDir, page));
  // No inline scripts (the pane's Content-Security-Policy allows none): the function file's script is a file.
  cpSync(resolve(root, 'commands.js'), resolve(outDir, 'commands.js'));
  cpSync(resolve(root, 'assets'), resolve(outDir, 'assets'), { recursive: true });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outDir, bytes, officeJs, warnings: result.warnings.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const { outDir, bytes, officeJs } = await buildAddin({ minify: !process.argv.includes('--dev') });
  console.log(
    `add-in built into ${outDir} (${Math.round(bytes / 1024)} KB, Office.js ${officeJs}) in ${Date.now() - started} ms`,
  );
}
