/**
 * `npm run build`, after tsc: bundles the workflows once, as the replay tests load them, into
 * dist/workflows/workflow-bundle.js. The compiled worker loads that file (workflows/worker.ts),
 * so a deployed worker neither runs webpack at start nor runs code other than what was built.
 * With tracing on it loads workflow-bundle-traced.js, the same workflows with the tracing interceptors.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKFLOW_TRACING_MODULE } from '../main/tracing.js';
import { bundleWorkflowsFromSource, PREBUILT_BUNDLE_FILE, PREBUILT_TRACED_BUNDLE_FILE } from '../workflows/worker.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'dist/workflows', PREBUILT_BUNDLE_FILE);
mkdirSync(dirname(out), { recursive: true });
const { code } = await bundleWorkflowsFromSource();
writeFileSync(out, code);
console.log(`workflow bundle: ${out.slice(root.length + 1)} (${Math.round(code.length / 1024)} KiB)`);
// The same workflows with the tracing interceptors: a worker with OTEL_EXPORTER_OTLP_ENDPOINT loads this one.
const traced = resolve(root, 'dist/workflows', PREBUILT_TRACED_BUNDLE_FILE);
const tracedCode = (await bundleWorkflowsFromSource([WORKFLOW_TRACING_MODULE])).code;
writeFileSync(traced, tracedCode);
console.log(`traced workflow bundle: ${traced.slice(root.length + 1)} (${Math.round(tracedCode.length / 1024)} KiB)`);
