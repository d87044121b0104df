import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles the Outlook task pane (outlook-addin/src, TSX) with esbuild into outlook-addin/dist, which
 * the server serves under /addin/: taskpane.html, taskpane.js, commands.html, assets/icon-*.png.
 * Office.js itself comes from Microsoft's CDN (taskpane.html).
 */
export async function buildAddin(options: { outDir?: string; minify?: boolean; sourcemap?: boolean } = {}) {
  const root = resolve(import.meta.dirname, '../outlook-addin');
  const outDir = resolve(options.outDir ?? resolve(root, 'dist'));
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
    legalComments: 'linked',
    metafile: true,
    logLevel: 'silent',
  });
  for (const file of ['taskpane.html', 'commands.html']) cpSync(resolve(root, file), resolve(outDir, file));
  cpSync(resolve(root, 'assets'), resolve(outDir, 'assets'), { recursive: true });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outDir, bytes, warnings: result.warnings.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const { outDir, bytes } = await buildAddin({ minify: !process.argv.includes('--dev') });
  console.log(`add-in built into ${outDir} (${Math.round(bytes / 1024)} KB) in ${Date.now() - started} ms`);
}
