import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Renders manifest.xml from outlook-addin/manifest.template.xml with the origin Outlook loads
 * the pane from. `npx tsx scripts/addin-manifest.ts` writes the development manifest at the
 * repository root (https://localhost:3443, committed); for a deployment:
 *   ADDIN_ORIGIN=https://rapport.example.com npx tsx scripts/addin-manifest.ts --out dist/manifest.xml
 */
export const DEV_ORIGIN = 'https://localhost:3443';
/** Development and production get different ids so both can be installed side by side. */
export const DEV_ADDIN_ID = '6f1d4c2e-8a3b-4e5f-9c7d-2b1a0e9f8d31';
export const PROD_ADDIN_ID = 'c3a7e9b1-5d2f-4a8c-b6e4-7f0d1c2b3a45';
export const TEMPLATE = resolve(import.meta.dirname, '../outlook-addin/manifest.template.xml');

export function renderManifest(options: { origin: string; id?: string; version?: string }): string {
  const origin = options.origin.replace(/\/$/, '');
  if (!/^https:\/\/[^/\s]+$/.test(origin)) throw new Error(`ADDIN_ORIGIN must be an https:// origin, got ${origin}`);
  const dev = /^https:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin);
  const values: Record<string, string> = {
    ORIGIN: origin,
    ADDIN_ID: options.id ?? (dev ? DEV_ADDIN_ID : PROD_ADDIN_ID),
    VERSION: options.version ?? '1.0.0.0',
    NAME_SUFFIX: dev ? ' (dev)' : '',
  };
  return readFileSync(TEMPLATE, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`manifest template: unknown placeholder {{${name}}}`);
    return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outIndex = process.argv.indexOf('--out');
  const out = resolve(outIndex > 0 ? process.argv[outIndex + 1]! : 'manifest.xml');
  const origin = process.env.ADDIN_ORIGIN || DEV_ORIGIN;
  writeFileSync(out, renderManifest({ origin, id: process.env.ADDIN_MANIFEST_ID || undefined }));
  console.log(`manifest for ${origin} written to ${out}`);
}
