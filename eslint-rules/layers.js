/**
 * The dependency rules of the house plan (docs/ARCHITECTURE.md, "Dependency rules"), as one
 * ESLint rule: each top-level folder lists the folders and packages it must never import.
 * Relative imports are resolved to the folder they land in, so `../../server/app.js` from
 * `slack-app/x.ts` is caught however deep the file sits.
 */
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, normalize, relative, sep } from 'node:path';

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
/**
 * The metrics library: only main/ (main/metrics.ts) builds the registry; everyone else counts
 * through the interface in lib/metrics.ts they are handed.
 */
const METRICS_LIBRARY = ['prom-client'];
const METRICS_WHY = 'count through the Metrics interface (lib/metrics.ts) you are handed; only main/ holds prom-client';
/**
 * The OpenTelemetry SDK and Temporal's tracing interceptors: only main/ (main/tracing.ts) builds the
 * tracer provider and wires the interceptors; the rest traces through @opentelemetry/api or the
 * Tracing interface in lib/tracing.ts it is handed.
 */
const TRACING_SDK = [
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-node',
  '@opentelemetry/resources',
  '@opentelemetry/core',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/exporter-trace-otlp-http',
  '@temporalio/interceptors-opentelemetry',
];
const TRACING_WHY =
  'trace through @opentelemetry/api or the Tracing interface (lib/tracing.ts) you are handed; only main/ holds the OpenTelemetry SDK';
/** What only the composition root may import, and why, by package. */
const MAIN_ONLY = [...METRICS_LIBRARY, ...TRACING_SDK];
/** @type {Record<string, string>} */
const MAIN_ONLY_WHY = Object.fromEntries([
  ...METRICS_LIBRARY.map((p) => [p, METRICS_WHY]),
  ...TRACING_SDK.map((p) => [p, TRACING_WHY]),
]);
/** Packages that do I/O (database, network, mail, logging, frameworks): never in pure code. */
export const IO_PACKAGES = [
  'pg',
  '@electric-sql/pglite',
  'pino',
  '@hubspot/api-client',
  'nodemailer',
  'smtp-server',
  'mailparser',
  'hono',
  '@hono/node-server',
  '@slack/bolt',
  '@slack/web-api',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
  ...MAIN_ONLY,
];
const FACES = ['server', 'slack-app', 'outlook-addin'];

/**
 * @typedef {object} LayerRule
 * @property {string[]} [folders] top-level folders this layer must not import
 * @property {string[]} [paths] repository paths (folder prefixes) this layer must not import
 * @property {string[]} [allowOnly] when set, the only top-level folders this layer may import (itself always)
 * @property {string[]} [typeOnly] folders this layer may import as types only
 * @property {string[]} [packages] bare packages this layer must not import
 * @property {string} [packagesWhy] the reason for `packages`, when it is not `why`
 * @property {boolean} [noNodeBuiltins] no `node:*` or other Node built-in modules
 * @property {string[]} [builtinExceptions] files (repository paths) allowed Node built-ins
 * @property {string} why the reason, shown in the lint message
 */

/** @type {Record<string, LayerRule>} */
export const LAYERS = {
  server: {
    packages: MAIN_ONLY,
    folders: ['slack-app', 'main'],
    why: 'the HTTP face calls services/; faces never import each other, only main/ wires parts',
  },
  'slack-app': {
    packages: MAIN_ONLY,
    folders: ['server', 'main'],
    why: 'the Slack face calls services/; faces never import each other, only main/ wires parts',
  },
  services: {
    packages: MAIN_ONLY,
    folders: [...FACES, 'main'],
    why: 'services are called by the faces, never the other way round; only main/ wires parts',
  },
  channels: {
    packages: MAIN_ONLY,
    folders: [...FACES, 'services', 'main'],
    why: 'channel adapters sit below the services and know no face',
  },
  workflows: {
    packages: MAIN_ONLY,
    folders: [...FACES, 'services', 'main'],
    why: 'workflows and activities sit below the services and know no face',
  },
  store: {
    packages: MAIN_ONLY,
    folders: [...FACES, 'services', 'main', 'workflows', 'channels', 'crm'],
    why: 'the store holds operational facts; it knows no face, service, workflow, channel or CRM',
  },
  crm: {
    packages: MAIN_ONLY,
    folders: [...FACES, 'services', 'main', 'workflows', 'store', 'channels'],
    why: 'crm/ knows only its port and its adapter',
  },
  domain: {
    allowOnly: ['domain', 'lib'],
    packages: IO_PACKAGES,
    noNodeBuiltins: true,
    builtinExceptions: ['domain/broadcast/signed-token.ts'],
    why: 'domain rules are pure: no I/O, no Node built-ins (the token MAC is the named exception)',
  },
  contracts: {
    allowOnly: ['contracts', 'domain'],
    packages: IO_PACKAGES,
    noNodeBuiltins: true,
    why: 'contracts are shared with the add-in: zod schemas and the pure vocabulary only',
  },
  'outlook-addin': {
    allowOnly: ['outlook-addin', 'domain'],
    typeOnly: ['contracts'],
    packages: IO_PACKAGES,
    noNodeBuiltins: true,
    why: 'the add-in runs in Outlook: it takes only types from contracts/ and the pure vocabulary from domain/',
  },
  bench: {
    folders: ['test'],
    why: 'benches share the harness in testkit/, never test files',
  },
  testkit: {
    folders: ['test'],
    why: 'the harness is shared by tests and benches, so it depends on neither',
  },
  lib: {
    allowOnly: ['lib', 'domain'],
    packages: MAIN_ONLY,
    why: 'lib/ holds small shared helpers and interfaces: it imports no other layer and no metrics library',
  },
};

/** Outside these folders nothing may reach into the HubSpot adapter: everyone else talks to the CRM port. */
const CRM_ADAPTER_USERS = ['crm', 'main', 'test', 'testkit', 'bench', 'scripts', 'sandbox'];

/** @param {string} path */
const topFolder = (path) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '');
/** @param {string} spec */
const packageName = (spec) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the dependency rules between top-level folders' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: { forbidden: '{{from}}/ must not import {{target}}: {{why}}.' },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = relative(root, context.filename).split(sep).join('/');
    if (file.startsWith('..') || isAbsolute(file)) return {};
    const from = topFolder(file);
    const rule = LAYERS[from];

    /**
     * @param {import('estree').Node} node
     * @param {string} spec
     * @param {boolean} typeOnly
     */
    function check(node, spec, typeOnly) {
      /** @param {string} target @param {string} why */
      const report = (target, why) => context.report({ node, messageId: 'forbidden', data: { from, target, why } });
      if (spec.startsWith('.')) {
        const target = normalize(`${dirname(file)}/${spec}`)
          .split(sep)
          .join('/');
        const folder = topFolder(target);
        if (target.startsWith('crm/hubspot') && !CRM_ADAPTER_USERS.includes(from))
          return report(
            'crm/hubspot/',
            'everyone outside crm/ talks to the CRM port (crm/port.ts); only main/ wires the adapter',
          );
        if (!rule || folder === from) return;
        if (rule.folders?.includes(folder)) return report(`${folder}/`, rule.why);
        const path = rule.paths?.find((p) => target === p || target.startsWith(`${p}/`));
        if (path) return report(`${path}/`, rule.why);
        if (rule.allowOnly && !rule.allowOnly.includes(folder) && !(typeOnly && rule.typeOnly?.includes(folder)))
          return report(
            `${folder || target}${folder ? '/' : ''}${rule.typeOnly?.includes(folder) ? ' (except as types)' : ''}`,
            rule.why,
          );
        return;
      }
      if (!rule) return;
      if (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0] ?? '')) {
        if (rule.noNodeBuiltins && !rule.builtinExceptions?.includes(file)) report(spec, rule.why);
        return;
      }
      const pkg = packageName(spec);
      if (rule.packages?.includes(pkg) && !typeOnly) report(spec, MAIN_ONLY_WHY[pkg] ?? rule.packagesWhy ?? rule.why);
    }

    return {
      ImportDeclaration(node) {
        const typeOnly =
          node.importKind === 'type' ||
          (node.specifiers.length > 0 &&
            node.specifiers.every((s) => s.type === 'ImportSpecifier' && s.importKind === 'type'));
        check(node, String(node.source.value), typeOnly);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, String(node.source.value), node.exportKind === 'type');
      },
      ExportAllDeclaration(node) {
        check(node, String(node.source.value), node.exportKind === 'type');
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal' && typeof node.source.value === 'string')
          check(node, node.source.value, false);
      },
    };
  },
};

/**
 * The flat-config entry eslint.config.js uses (and the rule's tests), so the tests exercise the
 * very globs and options lint runs with.
 * @param {string} root the repository root
 */
export function layersConfig(root) {
  return {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    plugins: { rapport: { rules: { layers: layersRule } } },
    rules: { 'rapport/layers': ['error', { root }] },
  };
}
