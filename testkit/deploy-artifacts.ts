/**
 * Readers for the deployment artifacts (Dockerfile, .dockerignore, deploy/compose.yaml,
 * deploy/kubernetes/*.yaml), shared by the test that checks what they name and the test that runs
 * the image's commands. No container daemon is needed: they read the files as Docker, Compose and
 * kubectl would, for the subset of each format these files use, and refuse anything beyond it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '..');
export const COMPOSE_FILE = 'deploy/compose.yaml';
export const KUBERNETES_DIR = 'deploy/kubernetes';

const read = (file: string, root = ROOT) => readFileSync(join(root, file), 'utf8');

// --- Dockerfile

export interface DockerInstruction {
  keyword: string;
  /** `--from=build`, `--chown=node:node`, ... */
  flags: Record<string, string>;
  /** The arguments after the flags: the JSON array of the exec form, else the words. */
  words: string[];
  /** The arguments after the flags as written (a RUN's shell command). */
  text: string;
  line: number;
}

export interface DockerStage {
  name: string;
  base: string;
  instructions: DockerInstruction[];
}

export interface ParsedDockerfile {
  /** `ARG NAME=default` before the first FROM: what `${NAME}` in a FROM resolves to. */
  args: Record<string, string>;
  stages: DockerStage[];
}

/** Stages and their instructions; comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const args: Record<string, string> = {};
  const stages: DockerStage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i]!.trim();
    if (logical === '' || logical.startsWith('#')) continue;
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      logical = logical.slice(0, -1);
      const next = lines[++i]!.trim();
      if (!next.startsWith('#')) logical += ` ${next}`;
    }
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(logical.trim()) ?? [];
    let body = rest.trim();
    const flags: Record<string, string> = {};
    for (let flag = /^--([\w-]+)=(\S+)\s*/.exec(body); flag; flag = /^--([\w-]+)=(\S+)\s*/.exec(body)) {
      flags[flag[1]!] = flag[2]!;
      body = body.slice(flag[0].length);
    }
    const words = body.startsWith('[') ? (JSON.parse(body) as string[]) : body.split(/\s+/).filter(Boolean);
    const instruction = { keyword: keyword.toUpperCase(), flags, words, text: body, line: start };
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = words;
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), base, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(instruction);
    } else if (instruction.keyword === 'ARG') {
      const [name = '', value = ''] = body.split('=', 2);
      args[name] = value;
    }
  }
  return { args, stages };
}

/** A FROM's image with its `${ARG}`s resolved. */
export const resolveBase = (base: string, args: Record<string, string>) =>
  base.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? '');

/** `ENV A=1 B=2` (or the legacy `ENV A 1`) as pairs. */
export function envPairs(instruction: DockerInstruction): Record<string, string> {
  if (!instruction.words[0]?.includes('='))
    return { [instruction.words[0] ?? '']: instruction.words.slice(1).join(' ') };
  return Object.fromEntries(
    instruction.words.map((w) => {
      const at = w.indexOf('=');
      return [w.slice(0, at), w.slice(at + 1).replace(/^"(.*)"$/, '$1')];
    }),
  );
}

/** The Dockerfile of a checkout (this one by default). */
export const dockerfile = (root = ROOT) => parseDockerfile(read('Dockerfile', root));

// --- .dockerignore

export const dockerignorePatterns = (root = ROOT) =>
  read('.dockerignore', root)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

/** Patterns this reader understands: paths with `*` and `**`. Exceptions (`!`), `?` and `[...]` it refuses. */
export const unsupportedDockerignorePattern = (pattern: string) => /^!|[?[\]\\]/.test(pattern);

/** Docker's rule: a pattern matches a path from the context root, and everything under a matched directory. */
export function isDockerignored(path: string, patterns: string[]): boolean {
  return patterns.some((pattern) => {
    const segments = pattern.replace(/^\/+|\/+$/g, '').split('/');
    const source = segments
      .map((segment, i) => {
        const last = i === segments.length - 1;
        if (segment === '**') return last ? '.*' : '(?:.*/)?';
        return segment.replace(/[.+^${}()|]/g, '\\$&').replace(/\*/g, '[^/]*') + (last ? '' : '/');
      })
      .join('');
    return new RegExp(`^${source}(?:/.*)?$`).test(path);
  });
}

// --- Compose

/** The compose file as Compose sees it before interpolation: `<<` merge keys applied. */
export const compose = (root = ROOT) => parse(read(COMPOSE_FILE, root), { merge: true }) as ComposeFile;

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  healthcheck?: { test?: string[] };
  deploy?: { replicas?: string | number };
  stop_grace_period?: string;
  depends_on?: Record<string, { condition: string }>;
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export interface Interpolation {
  name: string;
  /** `${X:-default}`: used when X is unset or empty. */
  fallback?: string;
  /** `${X:?message}`: Compose stops when X is unset or empty. */
  required: boolean;
}

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/** Every `${NAME...}` in a text (Compose's `$$` escape aside). */
export function interpolations(text: string): Interpolation[] {
  return [...text.replace(/\$\$/g, '').matchAll(INTERPOLATION)].map((m) => ({
    name: m[1]!,
    ...(m[2]?.endsWith('-') ? { fallback: m[3] ?? '' } : {}),
    required: m[2]?.endsWith('?') ?? false,
  }));
}

/** A value as Compose resolves it against `variables` (a missing required variable throws, as Compose stops). */
export function interpolate(value: string, variables: Record<string, string | undefined>): string {
  const pattern = new RegExp(`\\$\\$|${INTERPOLATION.source}`, 'g');
  return value.replace(pattern, (match, name: string, op: string | undefined, arg: string | undefined) => {
    if (match === '$$') return '$';
    const given = variables[name];
    const empty = given === undefined || (op?.startsWith(':') && given === '');
    if (op?.endsWith('-')) return empty ? (arg ?? '') : given!;
    if (op?.endsWith('?') && empty) throw new Error(`${name}: ${arg}`);
    return given ?? '';
  });
}

/** A command as a list of words (Compose also takes a shell-like string). */
export const words = (command: string[] | string | undefined): string[] =>
  command === undefined ? [] : Array.isArray(command) ? command : command.split(/\s+/).filter(Boolean);

/** The `NAME=value` lines of a dotenv file (quotes around a value dropped). */
export const dotenv = (text: string): Record<string, string> =>
  Object.fromEntries(
    [...text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim().replace(/^"(.*)"$/, '$1')]),
  );

// --- Kubernetes

export interface Manifest {
  file: string;
  kind: string;
  name: string;
  doc: Record<string, unknown>;
}

/** Every document of every YAML file in deploy/kubernetes/ (the kustomization included). */
export function manifests(): Manifest[] {
  return readdirSync(join(ROOT, KUBERNETES_DIR))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) => {
      const file = `${KUBERNETES_DIR}/${f}`;
      return parseAllDocuments(read(file)).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
        const doc = (document.toJS() ?? {}) as Record<string, unknown>;
        const metadata = (doc.metadata ?? {}) as { name?: string };
        return { file, kind: String(doc.kind), name: metadata.name ?? '', doc };
      });
    });
}

// --- Commands and what they run

/** The script `node [flags] dist/x.js` runs, as its compiled path; undefined for anything else. */
export function nodeScript(command: string[]): string | undefined {
  if (command[0] !== 'node') return undefined;
  return command.slice(1).find((w) => !w.startsWith('-'));
}

/** `dist/scripts/worker.js` → `scripts/worker.ts`: the source tsc compiles into it (tsconfig.build.json). */
export const sourceOf = (compiled: string) => compiled.replace(/^dist\//, '').replace(/\.js$/, '.ts');

/** `process.env.NAME` and `process.env['NAME']` a source file reads: the variables a script takes besides config/env.ts. */
export const processEnvReads = (file: string) =>
  new Set(
    [...read(file).matchAll(/process\.env(?:\.([A-Z_][A-Z0-9_]*)|\[['"]([A-Z_][A-Z0-9_]*)['"]\])/g)].map(
      (m) => m[1] ?? m[2]!,
    ),
  );

/**
 * The packages a program loads at run time, starting from its entry sources and following relative
 * imports: what `npm ci --omit=dev` must install. Type-only imports are left out (tsc erases them).
 * Returns each package with one file that imports it, and every source file reached.
 */
export function runtimeGraph(entries: string[]): { packages: Map<string, string>; files: Set<string> } {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of runtimeImports(read(file))) {
      if (spec.startsWith('.')) {
        const target = join(dirname(file), spec).replace(/\.js$/, '.ts');
        if (target.endsWith('.ts') && existsSync(join(ROOT, target))) queue.push(target);
        continue;
      }
      if (spec.startsWith('node:')) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (!packages.has(name)) packages.set(name, file);
    }
  }
  return { packages, files: seen };
}

/** The modules a TypeScript source loads when it runs: static imports and re-exports not erased as types, and `import()`. */
export function runtimeImports(text: string): string[] {
  const source = ts.createSourceFile('module.ts', text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause !== undefined &&
          clause.name === undefined &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
